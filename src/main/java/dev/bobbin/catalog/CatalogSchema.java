package dev.bobbin.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The catalog's schema, as numbered migrations. A database is brought up to the newest version at
 * open; each migration runs in its own transaction and is recorded in {@code PRAGMA user_version}.
 * Times are stored as epoch milliseconds.
 */
final class CatalogSchema {
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE accounts (
                client_id   INTEGER PRIMARY KEY,
                name        TEXT    NOT NULL,
                created_at  INTEGER NOT NULL
            );
            CREATE TABLE connect_tokens (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id   INTEGER NOT NULL REFERENCES accounts(client_id),
                token_hash  TEXT    NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE TABLE sources (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id     INTEGER NOT NULL REFERENCES accounts(client_id),
                type          TEXT    NOT NULL,
                name          TEXT    NOT NULL,
                display_name  TEXT    NOT NULL,
                properties    TEXT    NOT NULL DEFAULT '{}',
                created_at    INTEGER NOT NULL,
                updated_at    INTEGER NOT NULL,
                paused_at     INTEGER,
                deleted_at    INTEGER
            );
            CREATE UNIQUE INDEX sources_live_name ON sources(client_id, name) WHERE deleted_at IS NULL;
            CREATE TABLE import_tokens (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                source_id   INTEGER NOT NULL REFERENCES sources(id),
                token_hash  TEXT    NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE TABLE destinations (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id   INTEGER NOT NULL REFERENCES accounts(client_id),
                type        TEXT    NOT NULL,
                properties  TEXT    NOT NULL DEFAULT '{}',
                created_at  INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                deleted_at  INTEGER
            );
            CREATE UNIQUE INDEX destinations_live ON destinations(client_id) WHERE deleted_at IS NULL;
            CREATE TABLE table_keys (
                source_id   INTEGER NOT NULL REFERENCES sources(id),
                table_name  TEXT    NOT NULL,
                key_names   TEXT    NOT NULL,
                PRIMARY KEY (source_id, table_name)
            );
            """,
            """
            ALTER TABLE destinations ADD COLUMN name TEXT;
            ALTER TABLE destinations ADD COLUMN description TEXT;
            """,
            """
            CREATE TABLE load_status (
                source_id             INTEGER NOT NULL REFERENCES sources(id),
                table_name            TEXT    NOT NULL,
                client_id             INTEGER NOT NULL REFERENCES accounts(client_id),
                last_batch_loaded_at  INTEGER,
                error_state           TEXT,
                updated_at            INTEGER NOT NULL,
                PRIMARY KEY (source_id, table_name)
            );
            CREATE INDEX load_status_client ON load_status(client_id);
            """);

    private CatalogSchema() {
    }

    static void migrate(Connection c) throws SQLException {
        int version;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        for (int i = version; i < MIGRATIONS.size(); i++) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String statement : MIGRATIONS.get(i).split(";")) {
                    if (!statement.isBlank()) {
                        st.executeUpdate(statement);
                    }
                }
                st.executeUpdate("PRAGMA user_version = " + (i + 1));
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
