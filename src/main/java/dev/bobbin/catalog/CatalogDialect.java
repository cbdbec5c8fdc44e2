package dev.bobbin.catalog;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the databases a {@link JdbcCatalog} runs on; every query and every rule lives
 * in {@link JdbcCatalog} and {@link CatalogSchema}, written once in SQL both databases accept
 * ({@code INSERT … ON CONFLICT}, {@code RETURNING}, partial unique indexes).
 *
 * <p>The methods that take a {@link Connection} are called inside a write transaction started by the
 * catalog (auto-commit off) and act for the rest of that transaction.
 */
interface CatalogDialect {

    /**
     * The DDL of a migration for this database: {@code {INT}} becomes the 64-bit integer type and
     * {@code {SERIAL}} an auto-generated 64-bit primary key.
     */
    String ddl(String portable);

    /**
     * Makes this transaction the only one migrating the catalog until it ends, across every process
     * sharing the database, and makes sure the version bookkeeping exists.
     */
    void lockForMigration(Connection c) throws SQLException;

    /** The number of migrations applied so far (0 for an empty database). */
    int schemaVersion(Connection c) throws SQLException;

    /** Records that migration number {@code version} (1-based) has been applied. */
    void recordSchemaVersion(Connection c, int version) throws SQLException;

    /**
     * Keeps every other writer of {@code table} out until this transaction ends (readers are not
     * blocked), so that a check of the table followed by an insert into it is atomic.
     */
    void lockTable(Connection c, String table) throws SQLException;

    /**
     * The clause to append to a single-table {@code SELECT} so that the rows it reads stay locked
     * against other writers until the transaction ends (empty where the transaction already excludes
     * every other writer).
     */
    String lockRowsClause();

    /** Whether the failure is a violated unique or primary key constraint. */
    boolean isUniqueViolation(SQLException e);

    /** An {@code ORDER BY} expression that sorts the text column by code point, as SQLite's default collation does. */
    String codePointOrder(String column);
}
