package dev.bobbin.durability;

import dev.bobbin.testing.Deadline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * The batch log as another process sees it: {@code batch_log} in {@code <data dir>/catalog.db},
 * read with sqlite-jdbc while the server runs (SQLite in WAL mode lets readers in other processes
 * see every committed transaction, and never blocks the writer).
 */
final class LogFile {
    private final Path catalog;

    LogFile(Path dataDir) {
        this.catalog = dataDir.resolve("catalog.db");
    }

    /** Batches appended and not acknowledged (not yet loaded). */
    long unacknowledged() {
        return count("SELECT count(*) FROM batch_log WHERE acked_at IS NULL");
    }

    long acknowledged() {
        return count("SELECT count(*) FROM batch_log WHERE acked_at IS NOT NULL");
    }

    /** Waits until every batch in the log has been loaded. */
    void awaitDrained(Duration limit) {
        Deadline.await("the batch log to be drained", limit, () -> unacknowledged() == 0);
    }

    /** The key of every batch in the log ({@code <instance>/<position>}, as the loader writes them to the ledger). */
    List<String> batchKeys() {
        try (Connection c = open(); Statement st = c.createStatement()) {
            String instance;
            try (ResultSet rs = st.executeQuery("SELECT instance FROM batch_log_meta")) {
                rs.next();
                instance = rs.getString(1);
            }
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT position FROM batch_log ORDER BY position")) {
                while (rs.next()) {
                    keys.add(instance + "/" + rs.getLong(1));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + catalog + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exactly once at the batch level: the destination's ledger holds the key of every batch in the
     * log, each once (it is the ledger's primary key), and no other.
     */
    void assertLedgerMatches(Connection destination) throws SQLException {
        List<String> ledger = new ArrayList<>();
        for (List<Object> row : Workload.rows(destination, "SELECT batch_key FROM _bobbin.ledger")) {
            ledger.add((String) row.get(0));
        }
        Workload.assertSameRows("the destination's load ledger against the batch log", ledger, batchKeys());
    }

    private long count(String sql) {
        try (Connection c = open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + catalog + ": " + e.getMessage(), e);
        }
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + catalog.toAbsolutePath());
    }
}
