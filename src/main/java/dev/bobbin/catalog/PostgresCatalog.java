package dev.bobbin.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * {@link Catalog} on PostgreSQL, for scale-out: several Bobbin nodes share one catalog database and
 * see each other's changes at once (nothing is cached). Its tables live in their own schema
 * ({@value #DEFAULT_SCHEMA} unless told otherwise), created at open when missing, so the catalog may
 * share a database with a PostgreSQL destination, whose schemas are named after sources and
 * {@code _bobbin}. Nodes may open an empty database at the same moment: migrations are serialized by
 * an advisory lock and each is applied exactly once. The rules themselves are {@link JdbcCatalog}'s.
 */
public final class PostgresCatalog extends JdbcCatalog {
    /** The schema the catalog's tables live in unless {@link #open(String, String, Clock)} names another. */
    public static final String DEFAULT_SCHEMA = "bobbin_catalog";
    private static final int POOL_SIZE = 8;

    private PostgresCatalog(CatalogJdbc jdbc, PostgresDialect dialect, Clock clock) {
        super(jdbc, dialect, clock);
    }

    /**
     * Opens the catalog in schema {@value #DEFAULT_SCHEMA} of the database at {@code jdbcUrl}, creating
     * and migrating it as needed.
     *
     * @param jdbcUrl {@code jdbc:postgresql://host:port/db?user=…&password=…} (any pgjdbc properties)
     * @throws CatalogException when the database cannot be reached or migrated
     */
    public static PostgresCatalog open(String jdbcUrl, Clock clock) {
        return open(jdbcUrl, DEFAULT_SCHEMA, clock);
    }

    /**
     * Opens the catalog in {@code schema} (a lower-case SQL identifier; a {@code currentSchema} in the
     * URL is overridden) of the database at {@code jdbcUrl}, creating and migrating it as needed.
     *
     * @throws IllegalArgumentException when the URL is not a PostgreSQL JDBC URL or the schema name is not plain
     * @throws CatalogException when the database cannot be reached or migrated
     */
    public static PostgresCatalog open(String jdbcUrl, String schema, Clock clock) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the catalog URL must start with jdbc:postgresql:, got " + redacted(jdbcUrl));
        }
        PostgresDialect dialect = new PostgresDialect(schema);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setSchema(schema);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setPoolName("catalog");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new CatalogException("cannot connect to the catalog at " + redacted(jdbcUrl) + ": " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            CatalogSchema.migrate(c, dialect);
        } catch (SQLException e) {
            pool.close();
            throw new CatalogException("cannot migrate the catalog in schema " + schema + " at " + redacted(jdbcUrl) + ": " + e.getMessage(), e);
        }
        return new PostgresCatalog(new CatalogJdbc(pool), dialect, clock);
    }

    /** The URL without its password, for messages. */
    static String redacted(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
