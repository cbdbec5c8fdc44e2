package dev.bobbin.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * Opens connections to the embedded SQLite file shared by the catalog and the batch log.
 *
 * <p>Every connection runs in WAL mode with {@code synchronous=FULL}, so a commit returns only after
 * the write-ahead log has been fsynced: the durability the batch log's 2xx depends on. Readers never
 * block the writer and the writer never blocks readers; writers wait up to the busy timeout for each other.
 */
public final class SqliteFiles {
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private SqliteFiles() {
    }

    public static Connection open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        try {
            return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open SQLite database " + file + ": " + e.getMessage(), e);
        }
    }

    public static String jdbcUrl(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }

    /** Properties that make a pooled connection behave like {@link #open}. */
    public static java.util.Properties poolProperties() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        return config.toProperties();
    }
}
