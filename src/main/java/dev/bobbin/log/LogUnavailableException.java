package dev.bobbin.log;

/** The log cannot make a batch durable right now (disk full, fsync failed, closed). Nothing was appended. */
public final class LogUnavailableException extends Exception {
    public LogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
