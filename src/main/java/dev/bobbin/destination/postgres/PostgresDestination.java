package dev.bobbin.destination.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.DestinationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL database Bobbin loads into, reached through a small HikariCP pool (2 connections,
 * autocommit off).
 *
 * <p>Each {@link #load} borrows one connection and runs the work as one transaction on it: commit
 * when the work returns, rollback when it throws anything, so a failed load leaves no table, row,
 * reject or ledger entry behind. Loads may run from several threads (each gets its own connection
 * and transaction), though the loader uses one at a time. The load ledger
 * ({@code _bobbin.ledger(batch_key text primary key, loaded_at timestamptz not null)}) is created
 * at {@link #open} if missing.
 */
public final class PostgresDestination implements Destination {
    static final int POOL_SIZE = 2;
    static final long CONNECTION_TIMEOUT_MS = 5_000;

    private final HikariDataSource pool;
    private final PostgresConnection where;

    private PostgresDestination(HikariDataSource pool, PostgresConnection where) {
        this.pool = pool;
        this.where = where;
    }

    /**
     * Connects, and creates the {@code _bobbin} schema and its ledger if missing.
     *
     * @throws IllegalStateException if the server cannot be reached, refuses the login, or the ledger cannot be created
     */
    public static PostgresDestination open(PostgresConnection where) {
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(where));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + where + ": " + e.getMessage(), e);
        }
        try {
            createLedger(pool);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot create the load ledger in PostgreSQL at " + where + ": " + e.getMessage(), e);
        }
        return new PostgresDestination(pool, where);
    }

    private static HikariConfig poolConfig(PostgresConnection where) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {where.host()});
        ds.setPortNumbers(new int[] {where.port()});
        ds.setDatabaseName(where.database());
        ds.setUser(where.username());
        ds.setPassword(where.password());
        ds.setSsl(where.ssl());
        ds.setSslMode(where.ssl() ? "require" : "disable");
        ds.setApplicationName("bobbin");
        ds.setConnectTimeout(10);
        ds.setTcpKeepAlive(true);
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setPoolName("bobbin-postgres " + where.host() + ":" + where.port() + "/" + where.database());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        // While the server is unreachable, a load fails after this wait instead of HikariCP's default
        // 30 s: the loader (one thread for every account) is not held up, and its backoff applies.
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setAutoCommit(false);
        return config;
    }

    private static void createLedger(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            Locks.hold(c, "create _bobbin");
            st.execute("CREATE SCHEMA IF NOT EXISTS _bobbin");
            st.execute("CREATE TABLE IF NOT EXISTS _bobbin.ledger (batch_key text PRIMARY KEY, loaded_at timestamptz NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS _bobbin.subtables (schema_name text NOT NULL, root_table text NOT NULL,"
                    + " subtable text NOT NULL, PRIMARY KEY (schema_name, subtable))");
            c.commit();
        }
    }

    @Override
    public <T> T load(LoadWork<T> work) throws DestinationException {
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw new DestinationException("cannot connect to PostgreSQL at " + where + ": " + e.getMessage(), e);
        }
        try (c) {
            try {
                T result = work.run(new PostgresTransaction(c));
                c.commit();
                return result;
            } catch (Throwable failure) {
                rollback(c, failure);
                throw failure;
            }
        } catch (SQLException e) {
            throw new DestinationException("PostgreSQL load failed: " + e.getMessage(), e);
        }
    }

    /** Rolls back; a connection that cannot even do that is taken out of the pool. */
    private void rollback(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
            pool.evictConnection(c);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresDestination[" + where + "]";
    }
}
