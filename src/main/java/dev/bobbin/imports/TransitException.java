package dev.bobbin.imports;

/**
 * A Transit body that cannot be decoded: malformed JSON, malformed Transit, or a Transit value that
 * Bobbin does not load. The message is written for the client that sent the body.
 */
final class TransitException extends Exception {
    private static final long serialVersionUID = 1L;

    TransitException(String message) {
        super(message);
    }
}
