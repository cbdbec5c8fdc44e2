package dev.bobbin.catalog;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The catalog's JDBC plumbing over a connection pool: single statements in auto-commit mode, and
 * transactions that commit when their work returns and roll back when it throws. Failures of the
 * database surface as {@link CatalogException}; exceptions the work throws itself pass through
 * unchanged. Thread-safe.
 */
final class CatalogJdbc implements AutoCloseable {

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work inside one transaction; it may fail with a checked outcome {@code X} (e.g. {@link NameTakenException}). */
    interface Work<T, X extends Exception> {
        T run(Connection c) throws SQLException, X;
    }

    private final HikariDataSource pool;

    CatalogJdbc(HikariDataSource pool) {
        this.pool = pool;
    }

    <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try (Connection c = pool.getConnection()) {
            return query(c, sql, binder, mapper);
        } catch (SQLException e) {
            throw new CatalogException("catalog query failed: " + e.getMessage(), e);
        }
    }

    <T> Optional<T> first(String sql, Binder binder, RowMapper<T> mapper) {
        List<T> rows = query(sql, binder, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    int update(String sql, Binder binder) {
        try (Connection c = pool.getConnection()) {
            return update(c, sql, binder);
        } catch (SQLException e) {
            throw new CatalogException("catalog update failed: " + e.getMessage(), e);
        }
    }

    <T, X extends Exception> T inTransaction(Work<T, X> work) throws X {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Exception e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new CatalogException("catalog transaction failed: " + e.getMessage(), e);
        }
    }

    static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    static boolean exists(Connection c, String sql, Binder binder) throws SQLException {
        return !query(c, sql, binder, rs -> Boolean.TRUE).isEmpty();
    }

    static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    /** Runs an {@code INSERT … RETURNING id} and returns the generated id. */
    static long insertReturningId(Connection c, String sql, Binder binder) throws SQLException {
        return query(c, sql, binder, rs -> rs.getLong(1)).get(0);
    }

    @Override
    public void close() {
        pool.close();
    }
}
