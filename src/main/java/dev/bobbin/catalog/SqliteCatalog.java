package dev.bobbin.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bobbin.sqlite.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.sqlite.SQLiteConfig;

/**
 * {@link Catalog} on the embedded SQLite file ({@code <data-dir>/catalog.db}), the default
 * deployment; the file is shared with the batch log. Other processes (e.g. {@code bobbin accounts})
 * may open the same file while a server runs: every write transaction takes SQLite's write lock up
 * front and waits for it up to the busy timeout. The rules themselves are {@link JdbcCatalog}'s.
 */
public final class SqliteCatalog extends JdbcCatalog {

    private SqliteCatalog(CatalogJdbc jdbc, Clock clock) {
        super(jdbc, new SqliteDialect(), clock);
    }

    /** Opens (creating if needed) the catalog in {@code file} and brings its schema up to date. */
    public static SqliteCatalog open(Path file, Clock clock) {
        return open(file, clock, CatalogSchema.latestVersion());
    }

    /** Opens the catalog migrated up to {@code version} only: for tests of upgrades from an old catalog. */
    static SqliteCatalog open(Path file, Clock clock, int version) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new CatalogException("cannot create " + file.getParent(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(SqliteFiles.jdbcUrl(file));
        // Catalog transactions read before they write (a name check, a token count). A deferred BEGIN takes
        // the write lock only at the first write, and in WAL mode that fails at once with SQLITE_BUSY, without
        // waiting, when the batch log committed after the read began. BEGIN IMMEDIATE takes it up front and
        // waits for it up to the busy timeout instead.
        SQLiteConfig sqlite = new SQLiteConfig(SqliteFiles.poolProperties());
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setDataSourceProperties(sqlite.toProperties());
        config.setMaximumPoolSize(4);
        config.setPoolName("catalog");
        HikariDataSource pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection()) {
            CatalogSchema.migrate(c, new SqliteDialect(), version);
        } catch (SQLException e) {
            pool.close();
            throw new CatalogException("cannot migrate the catalog in " + file + ": " + e.getMessage(), e);
        }
        return new SqliteCatalog(new CatalogJdbc(pool), clock);
    }
}
