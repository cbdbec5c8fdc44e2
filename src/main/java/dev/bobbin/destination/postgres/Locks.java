package dev.bobbin.destination.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Transaction-scoped advisory locks that keep Bobbin nodes sharing one PostgreSQL destination from
 * tripping over each other. PostgreSQL's {@code CREATE … IF NOT EXISTS} is not safe against a
 * concurrent creation of the same object (the second one fails on a catalog unique index), so every
 * shared object Bobbin creates is created under a lock named after it.
 *
 * <p>Locks are keyed by the first 64 bits of the SHA-256 of the name's UTF-8, computed here (a name
 * may hold characters PostgreSQL text cannot, such as U+0000, when the table it names is about to be
 * rejected); a collision between two names only makes two unrelated loads wait for each other, never
 * loses anything. Locks end with the transaction.
 */
final class Locks {
    private Locks() {
    }

    /** Waits for and takes the lock called {@code name} until the transaction ends. */
    static void hold(Connection connection, String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, key(name));
            ps.execute();
        }
    }

    /** The lock's 64-bit key. */
    static long key(String name) {
        return java.nio.ByteBuffer.wrap(PostgresNames.sha256("bobbin " + name)).getLong();
    }

    /** Creates the schema unless it exists; only a transaction that creates it takes (and keeps) its lock. */
    static void createSchema(Connection connection, String schema) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            exists.setString(1, schema);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        hold(connection, "create schema " + schema);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresNames.quote(schema));
        }
    }
}
