package dev.bobbin.destination.duckdb;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * Admits only single read statements ({@code SELECT}, {@code WITH}, {@code FROM}, {@code SHOW},
 * {@code DESCRIBE}, {@code SUMMARIZE}, {@code EXPLAIN}, {@code VALUES}, {@code TABLE}) for
 * {@code bobbin sql}. This is a convenience guard; the real protection is the always-rolled-back
 * transaction and the database-wide ban on file access.
 */
final class ReadOnlyQuery {
    private static final Set<String> READ_KEYWORDS =
            Set.of("select", "with", "from", "show", "describe", "summarize", "explain", "values", "table", "pivot", "unpivot");

    private ReadOnlyQuery() {
    }

    static void check(String sql) throws SQLException {
        String trimmed = sql.strip();
        while (trimmed.endsWith(";")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
        }
        if (trimmed.isEmpty()) {
            throw new SQLException("the query is empty");
        }
        if (trimmed.contains(";")) {
            throw new SQLException("only one statement can be run at a time");
        }
        String first = trimmed.split("[\\s(]", 2)[0].toLowerCase(Locale.ROOT);
        if (!READ_KEYWORDS.contains(first)) {
            throw new SQLException("only read-only queries are allowed (SELECT, WITH, SHOW, DESCRIBE, ...), got " + first.toUpperCase(Locale.ROOT));
        }
    }
}
