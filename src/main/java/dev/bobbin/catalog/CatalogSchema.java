package dev.bobbin.catalog;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The catalog's schema, as numbered migrations written once for every {@link CatalogDialect}:
 * {@code {INT}} is a 64-bit integer and {@code {SERIAL}} a generated 64-bit primary key (on SQLite they
 * read exactly as before the dialects existed: {@code INTEGER}, {@code INTEGER PRIMARY KEY AUTOINCREMENT}).
 * Times are stored as epoch milliseconds. Migrations are append-only: a released one never changes.
 *
 * <p>A database is brought up to the newest version at open. Each migration runs in its own
 * transaction, under the dialect's migration lock, and is recorded by the dialect in the same
 * transaction; the version is re-read under the lock, so processes opening the same database at the
 * same moment apply each migration exactly once.
 */
final class CatalogSchema {
    /**
     * Every table the migrations create, each after the tables it references; {@code SERIAL_TABLES}
     * are those whose {@code id} is generated. A migration that adds a table adds it here
     * ({@link CatalogCopy} copies exactly these; a test compares them with the migrated database).
     */
    static final List<String> TABLES = List.of(
            "accounts", "connect_tokens", "sources", "import_tokens", "destinations", "table_keys", "load_status");
    static final List<String> SERIAL_TABLES = List.of("connect_tokens", "sources", "import_tokens", "destinations");

    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE accounts (
                client_id   {INT} PRIMARY KEY,
                name        TEXT    NOT NULL,
                created_at  {INT} NOT NULL
            );
            CREATE TABLE connect_tokens (
                id          {SERIAL},
                client_id   {INT} NOT NULL REFERENCES accounts(client_id),
                token_hash  TEXT    NOT NULL UNIQUE,
                created_at  {INT} NOT NULL,
                revoked_at  {INT}
            );
            CREATE TABLE sources (
                id            {SERIAL},
                client_id     {INT} NOT NULL REFERENCES accounts(client_id),
                type          TEXT    NOT NULL,
                name          TEXT    NOT NULL,
                display_name  TEXT    NOT NULL,
                properties    TEXT    NOT NULL DEFAULT '{}',
                created_at    {INT} NOT NULL,
                updated_at    {INT} NOT NULL,
                paused_at     {INT},
                deleted_at    {INT}
            );
            CREATE UNIQUE INDEX sources_live_name ON sources(client_id, name) WHERE deleted_at IS NULL;
            CREATE TABLE import_tokens (
                id          {SERIAL},
                source_id   {INT} NOT NULL REFERENCES sources(id),
                token_hash  TEXT    NOT NULL UNIQUE,
                created_at  {INT} NOT NULL,
                revoked_at  {INT}
            );
            CREATE TABLE destinations (
                id          {SERIAL},
                client_id   {INT} NOT NULL REFERENCES accounts(client_id),
                type        TEXT    NOT NULL,
                properties  TEXT    NOT NULL DEFAULT '{}',
                created_at  {INT} NOT NULL,
                updated_at  {INT} NOT NULL,
                deleted_at  {INT}
            );
            CREATE UNIQUE INDEX destinations_live ON destinations(client_id) WHERE deleted_at IS NULL;
            CREATE TABLE table_keys (
                source_id   {INT} NOT NULL REFERENCES sources(id),
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
                source_id             {INT} NOT NULL REFERENCES sources(id),
                table_name            TEXT    NOT NULL,
                client_id             {INT} NOT NULL REFERENCES accounts(client_id),
                last_batch_loaded_at  {INT},
                error_state           TEXT,
                updated_at            {INT} NOT NULL,
                PRIMARY KEY (source_id, table_name)
            );
            CREATE INDEX load_status_client ON load_status(client_id);
            """);

    private CatalogSchema() {
    }

    /** How many migrations exist: the version of an up-to-date catalog. */
    static int latestVersion() {
        return MIGRATIONS.size();
    }

    /** Applies the migrations {@code c}'s database lacks. {@code c} is in auto-commit mode and left so. */
    static void migrate(Connection c, CatalogDialect dialect) throws SQLException {
        migrate(c, dialect, MIGRATIONS.size());
    }

    /** Brings the database up to {@code target} (not beyond): for tests that need an old catalog. */
    static void migrate(Connection c, CatalogDialect dialect, int target) throws SQLException {
        while (migrateOne(c, dialect, target)) {
            // one transaction per migration
        }
    }

    private static boolean migrateOne(Connection c, CatalogDialect dialect, int target) throws SQLException {
        c.setAutoCommit(false);
        try {
            dialect.lockForMigration(c);
            int version = dialect.schemaVersion(c);
            if (version > MIGRATIONS.size()) {
                // a newer Bobbin migrated the shared catalog: this one would misread it
                throw new CatalogException("the catalog is at schema version " + version + ", newer than this Bobbin knows ("
                        + MIGRATIONS.size() + "); run the newer Bobbin version");
            }
            boolean applies = version < target;
            if (applies) {
                try (Statement st = c.createStatement()) {
                    for (String statement : dialect.ddl(MIGRATIONS.get(version)).split(";")) {
                        if (!statement.isBlank()) {
                            st.executeUpdate(statement);
                        }
                    }
                }
                dialect.recordSchemaVersion(c, version + 1);
            }
            c.commit();
            return applies;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
