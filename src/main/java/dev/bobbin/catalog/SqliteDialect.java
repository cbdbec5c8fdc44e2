package dev.bobbin.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The catalog on SQLite. Every write transaction starts with {@code BEGIN IMMEDIATE} (set up by
 * {@link SqliteCatalog#open}), which takes the database's single write lock up front: no other writer,
 * in this process or another, runs until it ends, so table and row locks are not needed. The schema
 * version lives in {@code PRAGMA user_version}.
 */
final class SqliteDialect implements CatalogDialect {

    @Override
    public String ddl(String portable) {
        return portable.replace("{SERIAL}", "INTEGER PRIMARY KEY AUTOINCREMENT").replace("{INT}", "INTEGER");
    }

    @Override
    public void lockForMigration(Connection c) {
        // BEGIN IMMEDIATE already holds the write lock
    }

    @Override
    public int schemaVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    @Override
    public void recordSchemaVersion(Connection c, int version) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA user_version = " + version);
        }
    }

    @Override
    public void lockTable(Connection c, String table) {
        // BEGIN IMMEDIATE already holds the write lock
    }

    @Override
    public String lockRowsClause() {
        return "";
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return e instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
    }

    @Override
    public String codePointOrder(String column) {
        return column;
    }
}
