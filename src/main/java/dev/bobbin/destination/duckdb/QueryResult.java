package dev.bobbin.destination.duckdb;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/** A query's column names and rows, every value rendered as DuckDB renders it as text (null stays null). */
public record QueryResult(List<String> columns, List<List<String>> rows) {
    /** Results larger than this are cut, so that a careless query cannot exhaust the server's memory. */
    public static final int MAX_ROWS = 100_000;
    private static final String TIMESTAMPTZ = "TIMESTAMP WITH TIME ZONE";
    private static final DateTimeFormatter UTC_TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .appendLiteral("+00")
            .toFormatter();

    /** Timestamps print as PostgreSQL prints timestamptz in UTC: {@code 2019-02-02 00:44:38.988+00}. */
    static String timestamp(OffsetDateTime value) {
        return value == null ? null : UTC_TIMESTAMP.format(value.withOffsetSameInstant(ZoneOffset.UTC));
    }

    static QueryResult read(Statement st, String sql) throws SQLException {
        try (ResultSet rs = executeQuery(st, sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnLabel(i));
            }
            List<List<String>> rows = new ArrayList<>();
            while (rows.size() < MAX_ROWS && rs.next()) {
                List<String> row = new ArrayList<>(columns.size());
                for (int i = 1; i <= columns.size(); i++) {
                    row.add(TIMESTAMPTZ.equals(meta.getColumnTypeName(i)) ? timestamp(rs.getObject(i, OffsetDateTime.class)) : rs.getString(i));
                }
                rows.add(row);
            }
            return new QueryResult(List.copyOf(columns), rows);
        }
    }

    /**
     * DuckDB's JDBC driver reports a failed query as "…unsuccessful or closed pending query result"
     * followed by the real error on the next line; callers get the real error alone.
     */
    private static ResultSet executeQuery(Statement st, String sql) throws SQLException {
        try {
            return st.executeQuery(sql);
        } catch (SQLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            int real = message.indexOf("\nError: ");
            if (real < 0) {
                throw e;
            }
            throw new SQLException(message.substring(real + "\nError: ".length()), e.getSQLState(), e);
        }
    }

    /** Runs a read-only query on a connection opened with {@link DuckDbWarehouse#openReadOnly}. */
    public static QueryResult run(java.sql.Connection c, String sql) throws SQLException {
        ReadOnlyQuery.check(sql);
        try (Statement st = c.createStatement()) {
            return read(st, sql);
        }
    }
}
