package dev.bobbin.log;

import java.util.Optional;

/** Whether the log can take writes now, and if not, why (shown by {@code GET /v2/import/status}). */
public record LogHealth(boolean writable, Optional<String> reason) {
    public static final LogHealth OK = new LogHealth(true, Optional.empty());

    public static LogHealth failing(String reason) {
        return new LogHealth(false, Optional.of(reason));
    }
}
