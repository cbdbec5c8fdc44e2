package dev.bobbin.destination.postgres;

import static dev.bobbin.destination.postgres.PostgresNames.qualified;
import static dev.bobbin.destination.postgres.PostgresNames.quote;
import static dev.bobbin.destination.postgres.PostgresNames.quotedList;

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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A load transaction on PostgreSQL, on one pooled connection with autocommit off; the
 * {@link PostgresDestination} commits or rolls it back. Not thread-safe: one loader thread uses it
 * for the duration of one {@code load}.
 *
 * <p>Rows go in with {@code COPY}: straight into an append-only table, or into the target's
 * {@link StagingTable}, which one set-based
 * {@code INSERT … ON CONFLICT (keys) DO UPDATE … WHERE excluded._sdc_sequence > cur._sdc_sequence}
 * merges (DECISIONS L2). A winning row replaces every non-key column of the stored row, so columns
 * the row does not carry become NULL (L12). SQL errors surface as {@link IllegalStateException}
 * naming the table, as in the DuckDB destination; the transaction is then rolled back.
 */
final class PostgresTransaction implements DestinationTransaction {
    private static final String SEQUENCE = "_sdc_sequence";
    private static final List<Column> REJECTED_COLUMNS = List.of(
            new Column("_sdc_rejected_at", ColumnType.TIMESTAMPTZ),
            new Column("table_name", ColumnType.TEXT),
            new Column("reason", ColumnType.TEXT),
            new Column("record", ColumnType.TEXT));

    /**
     * Columns in table order with their type and, for primary-key columns, their position in the key.
     * Read from {@code pg_catalog} in one round trip; {@code format_type} gives the same names as
     * {@code information_schema.columns.data_type} for the types Bobbin creates.
     */
    private static final String DESCRIBE = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), k.ord
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary
            LEFT JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON k.attnum = a.attnum
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private final Connection connection;

    PostgresTransaction(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Set<String> loadedBatchKeys(Collection<String> batchKeys) {
        if (batchKeys.isEmpty()) {
            return Set.of();
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT batch_key FROM _bobbin.ledger WHERE batch_key = ANY(?)")) {
            ps.setArray(1, textArray(batchKeys));
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
        try (PreparedStatement ps = connection.prepareStatement(DESCRIBE)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            List<Column> columns = new ArrayList<>();
            SortedMap<Long, String> keys = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    columns.add(new Column(name, PostgresTypes.fromSql(rs.getString(2))));
                    long keyPosition = rs.getLong(3);
                    if (!rs.wasNull()) {
                        keys.put(keyPosition, name);
                    }
                }
            }
            if (columns.isEmpty()) {
                return Optional.empty();
            }
            List<String> subtables = BookkeepingSql.subtables(connection, table);
            return Optional.of(new TableShape(List.copyOf(columns), List.copyOf(keys.values()), subtables));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot describe " + table + ": " + e.getMessage(), e);
        }
    }

    /** Keys travel as one array per key column and are joined set-based through {@code unnest … WITH ORDINALITY}. */
    @Override
    public Map<List<Object>, Long> storedSequences(TableRef table, List<Column> keyColumns, List<List<Object>> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        String sql = "SELECT k.ord, t." + quote(SEQUENCE) + " FROM " + keyArrays(keyColumns) + " JOIN " + qualified(table) + " t ON "
                + keyMatch(keyColumns, "t");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindKeyArrays(ps, keyColumns, keys);
            Map<List<Object>, Long> stored = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(keys.get((int) rs.getLong(1) - 1), rs.getLong(2));
                }
            }
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
        String sql = "DELETE FROM " + qualified(subtable) + " t USING " + keyArrays(sourceKeyColumns) + " WHERE " + keyMatch(sourceKeyColumns, "t");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindKeyArrays(ps, sourceKeyColumns, parentKeys);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete stale rows of " + subtable + ": " + e.getMessage(), e);
        }
    }

    /** {@code unnest(?::int8[], ?::text[]) WITH ORDINALITY AS k(k0, k1, ord)} for the key columns. */
    private static String keyArrays(List<Column> keyColumns) {
        StringBuilder sql = new StringBuilder("unnest(");
        for (int i = 0; i < keyColumns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("?::").append(PostgresTypes.arrayElement(keyColumns.get(i).type())).append("[]");
        }
        sql.append(") WITH ORDINALITY AS k(");
        for (int i = 0; i < keyColumns.size(); i++) {
            sql.append("k").append(i).append(", ");
        }
        return sql.append("ord)").toString();
    }

    private static String keyMatch(List<Column> keyColumns, String alias) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            Column c = keyColumns.get(i);
            terms.add(alias + "." + quote(c.name()) + " = " + PostgresTypes.fromArrayElement(c.type(), "k.k" + i));
        }
        return String.join(" AND ", terms);
    }

    private void bindKeyArrays(PreparedStatement ps, List<Column> keyColumns, List<List<Object>> keys) throws SQLException {
        for (int i = 0; i < keyColumns.size(); i++) {
            Object[] values = new Object[keys.size()];
            for (int r = 0; r < keys.size(); r++) {
                values[r] = keys.get(r).get(i);
            }
            ps.setArray(i + 1, connection.createArrayOf(PostgresTypes.arrayElement(keyColumns.get(i).type()), values));
        }
    }

    /** Transaction-scoped advisory lock on {@code table}'s loads, keyed by a 64-bit hash of its name. */
    @Override
    public void claim(TableRef table) {
        try {
            Locks.hold(connection, "load " + table.schema() + "." + table.table());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot claim " + table + " for loading: " + e.getMessage(), e);
        }
    }

    @Override
    public void apply(TableChange change) {
        TableRef t = change.table();
        try (Statement st = connection.createStatement()) {
            Locks.createSchema(connection, t.schema());
            for (TableChange.Rename rename : change.renames()) {
                st.execute("ALTER TABLE " + qualified(t) + " RENAME COLUMN " + quote(rename.from()) + " TO " + quote(rename.to()));
            }
            if (change.create()) {
                st.execute(createTable(t, change.addColumns(), change.keyColumns()));
                if (change.subtableOf().isPresent()) {
                    BookkeepingSql.recordSubtable(connection, t, change.subtableOf().get());
                }
            } else {
                for (Column c : change.addColumns()) {
                    st.execute("ALTER TABLE " + qualified(t) + " ADD COLUMN " + quote(c.name()) + " " + PostgresTypes.sql(c.type()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot change " + t + ": " + e.getMessage(), e);
        }
    }

    private static String createTable(TableRef t, List<Column> columns, List<String> keys) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(qualified(t)).append(" (");
        ddl.append(columns.stream()
                .map(c -> quote(c.name()) + " " + PostgresTypes.sql(c.type()) + (keys.contains(c.name()) ? " NOT NULL" : ""))
                .collect(Collectors.joining(", ")));
        if (!keys.isEmpty()) {
            ddl.append(", CONSTRAINT ").append(quote(PostgresNames.primaryKeyName(t.table())))
                    .append(" PRIMARY KEY (").append(quotedList(keys)).append(')');
        }
        return ddl.append(')').toString();
    }

    @Override
    public void write(TableRows rows) {
        if (rows.rows().isEmpty()) {
            return;
        }
        try {
            if (rows.keyColumns().isEmpty()) {
                CopyRows.into(connection, qualified(rows.table()), rows.columns(), rows.rows());
            } else {
                upsert(rows);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write rows into " + rows.table() + ": " + e.getMessage(), e);
        }
    }

    private void upsert(TableRows rows) throws SQLException {
        List<Column> target = table(rows.table())
                .orElseThrow(() -> new IllegalStateException("cannot write rows into " + rows.table() + ": the table does not exist"))
                .columns();
        String stage = StagingTable.prepare(connection, rows.table(), target);
        CopyRows.into(connection, stage, rows.columns(), rows.rows());
        List<String> all = target.stream().map(Column::name).toList();
        List<String> updated = all.stream().filter(n -> !rows.keyColumns().contains(n)).toList();
        String columnList = quotedList(all);
        String onConflict = updated.isEmpty()
                ? " DO NOTHING"
                : " DO UPDATE SET " + updated.stream().map(n -> quote(n) + " = EXCLUDED." + quote(n)).collect(Collectors.joining(", "))
                + " WHERE EXCLUDED." + quote(SEQUENCE) + " > cur." + quote(SEQUENCE);
        try (Statement st = connection.createStatement()) {
            st.execute("INSERT INTO " + qualified(rows.table()) + " AS cur (" + columnList + ") SELECT " + columnList + " FROM " + stage
                    + " ON CONFLICT (" + quotedList(rows.keyColumns()) + ")" + onConflict
                    + "; TRUNCATE " + stage);
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
        String rejected = quote(schema) + "._sdc_rejected";
        try (Statement st = connection.createStatement()) {
            Locks.createSchema(connection, schema);
            Locks.hold(connection, "create " + schema + "._sdc_rejected");
            st.execute("CREATE TABLE IF NOT EXISTS " + rejected
                    + " (_sdc_rejected_at timestamptz, table_name text, reason text, record text)");
            List<Object[]> rows = records.stream()
                    .map(r -> new Object[] {Timestamps.toMicros(r.rejectedAt()), r.tableName(), r.reason(), r.record()})
                    .toList();
            CopyRows.into(connection, rejected, REJECTED_COLUMNS, rows);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write rejected records into " + schema + "._sdc_rejected: " + e.getMessage(), e);
        }
    }

    @Override
    public void recordLoaded(Collection<String> batchKeys) {
        if (batchKeys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO _bobbin.ledger (batch_key, loaded_at) SELECT k, now() FROM unnest(?::text[]) AS k")) {
            ps.setArray(1, textArray(batchKeys));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the load ledger: " + e.getMessage(), e);
        }
    }

    private Array textArray(Collection<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray());
    }
}
