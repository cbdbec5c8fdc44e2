package dev.bobbin.catalog;

import dev.bobbin.sqlite.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves an embedded catalog ({@code catalog.db}) into an empty PostgreSQL catalog, for the step from
 * one node to several (docs/deploy.md). Every row of every catalog table is copied as it is — ids,
 * client ids, token hashes (tokens keep working; no plaintext exists to copy), destinations, key
 * names and load status — in one PostgreSQL transaction, so the copy is complete or absent. The
 * identity sequences are then moved past the copied ids. The batch log is not copied: drain it
 * first.
 */
public final class CatalogCopy {
    private CatalogCopy() {
    }

    /**
     * Copies the SQLite catalog into schema {@link PostgresCatalog#DEFAULT_SCHEMA} at {@code postgresUrl}.
     *
     * @return rows copied per table, in copy order
     * @throws IllegalStateException when the source file does not exist or the PostgreSQL catalog already holds an account
     * @throws CatalogException      when either database cannot be read or written
     */
    public static Map<String, Integer> copy(Path sqliteFile, String postgresUrl) {
        if (!Files.isRegularFile(sqliteFile)) {
            throw new IllegalStateException("no catalog at " + sqliteFile);
        }
        // bring both to the newest schema, so that the tables and columns are the same
        SqliteCatalog.open(sqliteFile, Clock.systemUTC()).close();
        PostgresCatalog.open(postgresUrl, Clock.systemUTC()).close();
        try (Connection from = SqliteFiles.open(sqliteFile);
             Connection to = DriverManager.getConnection(postgresUrl)) {
            to.setAutoCommit(false);
            to.setSchema(PostgresCatalog.DEFAULT_SCHEMA);
            try (Statement st = to.createStatement()) {
                // no node may create an account while we copy into the empty catalog
                st.execute("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM accounts")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new IllegalStateException("the PostgreSQL catalog already holds accounts; copy only into an empty catalog");
                    }
                }
            }
            Map<String, Integer> copied = new LinkedHashMap<>();
            for (String table : CatalogSchema.TABLES) {
                copied.put(table, copyTable(from, to, table));
            }
            for (String table : CatalogSchema.SERIAL_TABLES) {
                try (Statement st = to.createStatement()) {
                    st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), coalesce(max(id), 0) + 1, false) FROM " + table);
                }
            }
            to.commit();
            return Collections.unmodifiableMap(copied);
        } catch (SQLException e) {
            throw new CatalogException("cannot copy the catalog: " + e.getMessage(), e);
        }
    }

    private static int copyTable(Connection from, Connection to, String table) throws SQLException {
        int rows = 0;
        try (Statement read = from.createStatement(); ResultSet rs = read.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            try (PreparedStatement write = to.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 1; i <= columns.size(); i++) {
                        write.setObject(i, rs.getObject(i));
                    }
                    write.addBatch();
                    rows++;
                }
                write.executeBatch();
            }
        }
        return rows;
    }
}
