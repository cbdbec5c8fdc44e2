package dev.bobbin.destination;

/** A load failed in the destination; its transaction was rolled back and nothing of it is visible. */
public final class DestinationException extends Exception {
    public DestinationException(String message, Throwable cause) {
        super(message, cause);
    }
}
