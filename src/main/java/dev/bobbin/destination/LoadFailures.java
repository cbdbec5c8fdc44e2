package dev.bobbin.destination;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * Tells a load that failed because of the destination's environment (connection lost, server
 * shutting down, disk full, I/O error) from one that failed because of the data. Only the second
 * kind may count against a batch (after three, its records go to {@code _sdc_rejected}); the first
 * makes the loader wait and retry, however often it happens.
 */
public final class LoadFailures {
    /**
     * PostgreSQL SQLSTATE classes of environmental errors: 08 connection exception, 53 insufficient
     * resources (disk full, out of memory, too many connections), 57P operator intervention
     * (shutdown, cannot connect now), 58 system error (I/O error).
     */
    private static final List<String> ENVIRONMENTAL_SQLSTATES = List.of("08", "53", "57P", "58");
    /** DuckDB reports no SQLSTATE; these are its messages for a file it cannot write or read. */
    private static final List<String> ENVIRONMENTAL_MESSAGES = List.of(
            "no space left on device", "disk quota exceeded", "io error", "could not write file", "could not read file");

    private LoadFailures() {
    }

    /** Whether {@code failure}, or anything in its cause chain, is an environmental error. */
    public static boolean environmental(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && ENVIRONMENTAL_SQLSTATES.stream().anyMatch(sql.getSQLState()::startsWith)) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (ENVIRONMENTAL_MESSAGES.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }
}
