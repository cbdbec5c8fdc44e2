package dev.bobbin.destination.duckdb;

import dev.bobbin.destination.Destination;
import dev.bobbin.destination.DestinationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The embedded warehouse: one DuckDB file, held open read-write by this process for its lifetime
 * (DuckDB allows one writing process per file). Loads and read-only queries share it; a query runs
 * on its own duplicate connection and never sees an uncommitted load.
 *
 * <p>External file access is disabled for the whole database at open, so no SQL that reaches it can
 * read or write files on the host.
 */
public final class DuckDbWarehouse implements Destination {
    private final DuckDBConnection connection;

    private DuckDbWarehouse(DuckDBConnection connection) {
        this.connection = connection;
    }

    public static DuckDbWarehouse open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), new Properties());
            try (Statement st = c.createStatement()) {
                st.execute("SET TimeZone = 'UTC'");
                st.execute("SET enable_external_access = false");
                st.execute("CREATE SCHEMA IF NOT EXISTS _bobbin");
                st.execute("CREATE TABLE IF NOT EXISTS _bobbin.ledger (batch_key VARCHAR PRIMARY KEY, loaded_at TIMESTAMPTZ NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS _bobbin.subtables (schema_name VARCHAR NOT NULL, root_table VARCHAR NOT NULL,"
                        + " subtable VARCHAR NOT NULL, PRIMARY KEY (schema_name, subtable))");
            }
            return new DuckDbWarehouse(c);
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the DuckDB warehouse " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens a warehouse file that no server holds, read-only, for {@code bobbin sql}. */
    public static Connection openReadOnly(Path file) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("duckdb.read_only", "true");
        Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
        try (Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute("SET enable_external_access = false");
        }
        return c;
    }

    @Override
    public synchronized <T> T load(LoadWork<T> work) throws DestinationException {
        try (Statement st = connection.createStatement()) {
            st.execute("BEGIN TRANSACTION");
            try {
                T result = work.run(new DuckDbTransaction(connection));
                st.execute("COMMIT");
                return result;
            } catch (DestinationException | RuntimeException | Error e) {
                rollback(st); // an Error too (out of heap mid-load): the connection must not stay in the transaction
                throw e;
            } catch (SQLException e) {
                rollback(st);
                throw new DestinationException("DuckDB load failed: " + e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new DestinationException("DuckDB load failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs one read-only statement on a fresh duplicate connection inside a transaction that is always
     * rolled back. Only statements that read are accepted (see {@link ReadOnlyQuery}).
     */
    public QueryResult query(String sql) throws SQLException {
        ReadOnlyQuery.check(sql);
        try (Connection c = connection.duplicate(); Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute("BEGIN TRANSACTION");
            try {
                return QueryResult.read(st, sql);
            } finally {
                // DuckDB closes a statement whose query failed: roll back on a fresh one, so that the
                // query's own error (not "Statement was closed") is what the caller sees
                try (Statement end = c.createStatement()) {
                    rollback(end);
                }
            }
        }
    }

    private static void rollback(Statement st) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // DuckDB already aborted the transaction; nothing of it is visible
        }
    }

    @Override
    public synchronized void close() {
        try (Statement st = connection.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException ignored) {
            // the WAL is replayed at the next open
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing on shutdown
        }
    }
}
