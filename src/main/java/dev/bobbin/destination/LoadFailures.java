package dev.bobbin.destination;

import java.sql.SQLException;
import java.util.List;

/**
 * Tells a load that failed because of the destination's environment (connection lost, server
 * shutting down, disk full, I/O error) from one that failed because of the data. Only the second
 * kind may count against a batch (after three, its records go to {@code _sdc_rejected}); the first
 * makes the loader wait and retry, however often it happens.
 *
 * <p>Only error codes and the fixed start of DuckDB's messages are looked at, never text that could
 * quote a record's values: a record must not be able to pass for an outage.
 */
public final class LoadFailures {
    /**
     * PostgreSQL SQLSTATE classes of environmental errors: 08 connection exception, 53 insufficient
     * resources (disk full, out of memory, too many connections), 57P operator intervention
     * (shutdown, cannot connect now), 58 system error (I/O error).
     */
    private static final List<String> ENVIRONMENTAL_SQLSTATES = List.of("08", "53", "57P", "58");

    private LoadFailures() {
    }

    /** Whether {@code failure}, or anything in its cause chain, is an environmental error. */
    public static boolean environmental(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && (postgresEnvironmental(sql) || duckDbEnvironmental(sql))) {
                return true;
            }
        }
        return false;
    }

    private static boolean postgresEnvironmental(SQLException e) {
        String state = e.getSQLState();
        return state != null && ENVIRONMENTAL_SQLSTATES.stream().anyMatch(state::startsWith);
    }

    /**
     * DuckDB gives no SQLSTATE; its messages start with the error type. A file it cannot read or
     * write is an "IO Error", or, when it happens while writing the WAL at commit, a
     * "TransactionContext Error: Failed to commit: Could not write file …".
     */
    private static boolean duckDbEnvironmental(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.startsWith("IO Error")
                || message.startsWith("TransactionContext Error: Failed to commit: Could not write file");
    }
}
