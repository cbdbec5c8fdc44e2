package dev.bobbin.destination;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL that every destination runs the same way (standard SQL, one dialect for DuckDB and
 * PostgreSQL): the {@code _bobbin.subtables} registry and table-version deletes. Callers pass
 * identifiers already quoted for their database.
 */
public final class BookkeepingSql {
    private BookkeepingSql() {
    }

    /** The subtables recorded for a top-level table, by name. */
    public static List<String> subtables(Connection c, TableRef root) throws SQLException {
        List<String> subtables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT subtable FROM _bobbin.subtables WHERE schema_name = ? AND root_table = ? ORDER BY subtable")) {
            ps.setString(1, root.schema());
            ps.setString(2, root.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    subtables.add(rs.getString(1));
                }
            }
        }
        return List.copyOf(subtables);
    }

    /** Records that {@code subtable} belongs to the top-level table {@code root} (idempotent). */
    public static void recordSubtable(Connection c, TableRef subtable, String root) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO _bobbin.subtables (schema_name, root_table, subtable) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, subtable.schema());
            ps.setString(2, root);
            ps.setString(3, subtable.table());
            ps.executeUpdate();
        }
    }

    /** Deletes the rows of {@code qualifiedTable} whose {@code _sdc_table_version} is below {@code version} (DECISIONS L9). */
    public static void deleteOlderVersions(Connection c, String qualifiedTable, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + qualifiedTable + " WHERE _sdc_table_version < ?")) {
            ps.setLong(1, version);
            ps.executeUpdate();
        }
    }
}
