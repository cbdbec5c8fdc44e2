package dev.bobbin.destination.duckdb;

import dev.bobbin.destination.BookkeepingSql;
import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.DestinationTransaction;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableRows;
import dev.bobbin.destination.TableShape;
import dev.bobbin.json.Timestamps;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A load transaction on the DuckDB warehouse. Rows go in through DuckDB's Appender: straight into
 * append-only tables, or into a temporary staging table that one set-based
 * {@code INSERT … ON CONFLICT DO UPDATE … WHERE excluded._sdc_sequence > cur._sdc_sequence} merges.
 *
 * <p>DuckDB requires schema changes to a table before any UPDATE or DELETE on it in the same
 * transaction; {@link DestinationTransaction}'s call order guarantees that.
 */
final class DuckDbTransaction implements DestinationTransaction {
    private static final String STAGE = "_bobbin_stage";
    private static final String KEYS = "_bobbin_keys";
    private final DuckDBConnection connection;

    DuckDbTransaction(DuckDBConnection connection) {
        this.connection = connection;
    }

    /** Nothing to wait for: the warehouse file is open in this process only, and its loader loads one table at a time. */
    @Override
    public void claim(TableRef table) {
    }

    @Override
    public Set<String> loadedBatchKeys(Collection<String> batchKeys) {
        if (batchKeys.isEmpty()) {
            return Set.of();
        }
        String placeholders = batchKeys.stream().map(k -> "?").collect(Collectors.joining(","));
        try (PreparedStatement ps = connection.prepareStatement("SELECT batch_key FROM _bobbin.ledger WHERE batch_key IN (" + placeholders + ")")) {
            int i = 1;
            for (String key : batchKeys) {
                ps.setString(i++, key);
            }
            Set<String> loaded = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    loaded.add(rs.getString(1));
                }
            }
            return loaded;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the load ledger: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<TableShape> table(TableRef table) {
        try {
            List<Column> columns = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new Column(rs.getString(1), DuckDbTypes.fromSql(rs.getString(2))));
                    }
                }
            }
            if (columns.isEmpty()) {
                return Optional.empty();
            }
            List<String> keys = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            }
            List<String> subtables = BookkeepingSql.subtables(connection, table);
            return Optional.of(new TableShape(List.copyOf(columns), List.copyOf(keys), subtables));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot describe " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<List<Object>, Long> storedSequences(TableRef table, List<Column> keyColumns, List<List<Object>> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        try {
            stageKeys(keyColumns, keys);
            String join = keyColumns.stream().map(c -> "t." + quote(c.name()) + " = k." + quote(c.name())).collect(Collectors.joining(" AND "));
            Map<List<Object>, Long> stored = new HashMap<>();
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + keyColumns.stream().map(c -> "t." + quote(c.name())).collect(Collectors.joining(", "))
                         + ", t._sdc_sequence FROM " + qualified(table) + " t JOIN temp.main." + KEYS + " k ON " + join)) {
                while (rs.next()) {
                    List<Object> key = new ArrayList<>(keyColumns.size());
                    for (int i = 0; i < keyColumns.size(); i++) {
                        key.add(readValue(rs, i + 1, keyColumns.get(i).type()));
                    }
                    stored.put(List.copyOf(key), rs.getLong(keyColumns.size() + 1));
                }
            }
            dropKeys();
            return stored;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read stored sequences of " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void deleteChildren(TableRef subtable, List<Column> sourceKeyColumns, List<List<Object>> parentKeys) {
        if (parentKeys.isEmpty()) {
            return;
        }
        try {
            stageKeys(sourceKeyColumns, parentKeys);
            String match = sourceKeyColumns.stream()
                    .map(c -> "k." + quote(c.name()) + " = " + qualified(subtable) + "." + quote(c.name()))
                    .collect(Collectors.joining(" AND "));
            try (Statement st = connection.createStatement()) {
                st.execute("DELETE FROM " + qualified(subtable) + " WHERE EXISTS (SELECT 1 FROM temp.main." + KEYS + " k WHERE " + match + ")");
            }
            dropKeys();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete stale rows of " + subtable + ": " + e.getMessage(), e);
        }
    }

    /** Puts key tuples into a temporary table (through the Appender) for a set-based join. */
    private void stageKeys(List<Column> keyColumns, List<List<Object>> keys) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE OR REPLACE TEMP TABLE " + KEYS + " ("
                    + keyColumns.stream().map(c -> quote(c.name()) + " " + DuckDbTypes.sql(c.type())).collect(Collectors.joining(", ")) + ")");
        }
        try (DuckDBAppender appender = connection.createAppender("temp", "main", KEYS)) {
            for (List<Object> key : keys) {
                appender.beginRow();
                for (int i = 0; i < keyColumns.size(); i++) {
                    appendValue(appender, keyColumns.get(i).type(), key.get(i));
                }
                appender.endRow();
            }
            appender.flush();
        }
    }

    private void dropKeys() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE IF EXISTS temp.main." + KEYS);
        }
    }

    /** Reads a value back in the {@link TableRows} representation, so that keys compare equal to prepared ones. */
    private static Object readValue(ResultSet rs, int column, ColumnType type) throws SQLException {
        Object value = switch (type) {
            case BIGINT -> rs.getLong(column);
            case DOUBLE -> rs.getDouble(column);
            case DECIMAL -> rs.getBigDecimal(column);
            case BOOLEAN -> rs.getBoolean(column);
            case TIMESTAMPTZ -> Timestamps.toMicros(rs.getObject(column, java.time.OffsetDateTime.class).toInstant());
            case TEXT -> rs.getString(column);
        };
        return rs.wasNull() ? null : value;
    }

    @Override
    public void apply(TableChange change) {
        TableRef t = change.table();
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(t.schema()));
            for (TableChange.Rename rename : change.renames()) {
                st.execute("ALTER TABLE " + qualified(t) + " RENAME COLUMN " + quote(rename.from()) + " TO " + quote(rename.to()));
            }
            if (change.create()) {
                StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(qualified(t)).append(" (");
                ddl.append(change.addColumns().stream()
                        .map(c -> quote(c.name()) + " " + DuckDbTypes.sql(c.type()) + (change.keyColumns().contains(c.name()) ? " NOT NULL" : ""))
                        .collect(Collectors.joining(", ")));
                if (!change.keyColumns().isEmpty()) {
                    ddl.append(", PRIMARY KEY (").append(quotedList(change.keyColumns())).append(')');
                }
                st.execute(ddl.append(')').toString());
                if (change.subtableOf().isPresent()) {
                    BookkeepingSql.recordSubtable(connection, t, change.subtableOf().get());
                }
            } else {
                for (Column c : change.addColumns()) {
                    st.execute("ALTER TABLE " + qualified(t) + " ADD COLUMN " + quote(c.name()) + " " + DuckDbTypes.sql(c.type()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot change " + t + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(TableRows rows) {
        if (rows.rows().isEmpty()) {
            return;
        }
        try {
            if (rows.keyColumns().isEmpty()) {
                append(connection.createAppender(catalogName(), rows.table().schema(), rows.table().table()), rows, columnsInTableOrder(rows));
                return;
            }
            String columnList = quotedList(rows.columns().stream().map(Column::name).toList());
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE OR REPLACE TEMP TABLE " + STAGE + " AS SELECT " + columnList + " FROM " + qualified(rows.table()) + " LIMIT 0");
            }
            append(connection.createAppender("temp", "main", STAGE), rows, null);
            List<String> updates = rows.columns().stream()
                    .map(Column::name)
                    .filter(n -> !rows.keyColumns().contains(n))
                    .map(n -> quote(n) + " = excluded." + quote(n))
                    .toList();
            String merge = "INSERT INTO " + qualified(rows.table()) + " AS cur (" + columnList + ") SELECT " + columnList
                    + " FROM temp.main." + STAGE
                    + " ON CONFLICT (" + quotedList(rows.keyColumns()) + ") DO UPDATE SET " + String.join(", ", updates)
                    + " WHERE excluded._sdc_sequence > cur._sdc_sequence";
            try (Statement st = connection.createStatement()) {
                st.execute(merge);
                st.execute("DROP TABLE temp.main." + STAGE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write rows into " + rows.table() + ": " + e.getMessage(), e);
        }
    }

    /**
     * For an append straight into the table, the appender needs values in the table's column order;
     * returns, per table column, the index of the row value that fills it (-1 for none).
     */
    private int[] columnsInTableOrder(TableRows rows) {
        List<Column> tableColumns = table(rows.table()).orElseThrow().columns();
        int[] order = new int[tableColumns.size()];
        for (int i = 0; i < tableColumns.size(); i++) {
            order[i] = -1;
            for (int j = 0; j < rows.columns().size(); j++) {
                if (rows.columns().get(j).name().equals(tableColumns.get(i).name())) {
                    order[i] = j;
                }
            }
        }
        return order;
    }

    private static void append(DuckDBAppender appender, TableRows rows, int[] order) throws SQLException {
        try (appender) {
            List<Column> columns = rows.columns();
            for (Object[] row : rows.rows()) {
                appender.beginRow();
                int width = order == null ? columns.size() : order.length;
                for (int i = 0; i < width; i++) {
                    int source = order == null ? i : order[i];
                    if (source < 0) {
                        appender.appendNull();
                    } else {
                        appendValue(appender, columns.get(source).type(), row[source]);
                    }
                }
                appender.endRow();
            }
            appender.flush();
        }
    }

    private static void appendValue(DuckDBAppender appender, ColumnType type, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
            return;
        }
        switch (type) {
            case BIGINT -> appender.append((long) (Long) value);
            case DOUBLE -> appender.append((double) (Double) value);
            // the appender takes a DECIMAL only at the column's exact scale (DuckDbTypes: 9); more digits cannot be stored
            case DECIMAL -> appender.append(((BigDecimal) value).setScale(DuckDbTypes.DECIMAL_SCALE, RoundingMode.UNNECESSARY));
            case BOOLEAN -> appender.append((boolean) (Boolean) value);
            case TIMESTAMPTZ -> appender.appendEpochMicros((Long) value);
            case TEXT -> appender.append((String) value);
            default -> throw new IllegalArgumentException("no appender mapping for " + type);
        }
    }

    @Override
    public void deleteOlderVersions(TableRef table, long version) {
        try {
            BookkeepingSql.deleteOlderVersions(connection, qualified(table), version);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete older versions from " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void reject(String schema, List<RejectedRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
            st.execute("CREATE TABLE IF NOT EXISTS " + quote(schema) + "._sdc_rejected"
                    + " (_sdc_rejected_at TIMESTAMPTZ, table_name VARCHAR, reason VARCHAR, record VARCHAR)");
            try (DuckDBAppender appender = connection.createAppender(catalogName(), schema, "_sdc_rejected")) {
                for (RejectedRecord r : records) {
                    appender.beginRow();
                    appender.appendEpochMicros(Timestamps.toMicros(r.rejectedAt()));
                    appender.append(r.tableName());
                    appender.append(r.reason());
                    appender.append(r.record());
                    appender.endRow();
                }
                appender.flush();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write rejected records into " + schema + "._sdc_rejected: " + e.getMessage(), e);
        }
    }

    @Override
    public void recordLoaded(Collection<String> batchKeys) {
        if (batchKeys.isEmpty()) {
            return;
        }
        try (DuckDBAppender appender = connection.createAppender(catalogName(), "_bobbin", "ledger")) {
            long now = Timestamps.toMicros(Instant.now());
            for (String key : batchKeys) {
                appender.beginRow();
                appender.append(key);
                appender.appendEpochMicros(now);
                appender.endRow();
            }
            appender.flush();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the load ledger: " + e.getMessage(), e);
        }
    }

    private String catalogName() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String qualified(TableRef t) {
        return quote(t.schema()) + "." + quote(t.table());
    }

    private static String quotedList(List<String> names) {
        return names.stream().map(DuckDbTransaction::quote).collect(Collectors.joining(", "));
    }
}
