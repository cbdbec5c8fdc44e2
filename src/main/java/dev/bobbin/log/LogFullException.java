package dev.bobbin.log;

/** The batch log holds as many unloaded bytes as it may (BOBBIN_LOG_MAX_BYTES); nothing was appended. */
final class LogFullException extends RuntimeException {
    LogFullException(String message) {
        super(message, null, false, false);
    }
}
