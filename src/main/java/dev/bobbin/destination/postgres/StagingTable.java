package dev.bobbin.destination.postgres;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.TableRef;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The staging table a keyed write copies its rows into before the merge: a temporary table on the
 * connection, created once and reused by every later write with the same target shape (never a new
 * table per batch).
 *
 * <p>Its name is a hash of the target and of the target's column names and types, so a schema
 * change (added or renamed column) simply lands in another staging table with the new shape, and
 * a stale one is never used. It has every column of the target, without constraints. It is emptied
 * before each use and after each merge, so it holds rows only while a write runs; if the
 * transaction rolls back, PostgreSQL also rolls back its creation or contents. Temporary tables
 * live as long as the pooled connection.
 */
final class StagingTable {
    private static final String PREFIX = "_bobbin_stage_";

    private StagingTable() {
    }

    /** The quoted, {@code pg_temp}-qualified name of the staging table for {@code target} with {@code columns}. */
    static String nameFor(TableRef target, List<Column> columns) {
        StringBuilder identity = new StringBuilder(target.schema()).append('\0').append(target.table());
        for (Column c : columns) {
            identity.append('\0').append(c.name()).append('\0').append(c.type().name());
        }
        byte[] hash = PostgresNames.sha256(identity.toString());
        return "pg_temp." + PostgresNames.quote(PREFIX + HexFormat.of().formatHex(hash, 0, 8));
    }

    /** Creates the staging table if this connection does not have it yet and empties it; returns its name. */
    static String prepare(Connection connection, TableRef target, List<Column> columns) throws SQLException {
        String name = nameFor(target, columns);
        String unqualified = name.substring("pg_temp.".length());
        String definition = columns.stream()
                .map(c -> PostgresNames.quote(c.name()) + " " + PostgresTypes.sql(c.type()))
                .collect(Collectors.joining(", "));
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + unqualified + " (" + definition + "); TRUNCATE " + name);
        }
        return name;
    }
}
