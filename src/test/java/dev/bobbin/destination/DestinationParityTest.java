package dev.bobbin.destination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.destination.postgres.PostgresDestination;
import dev.bobbin.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded DuckDB warehouse and PostgreSQL follow the same loading rules exactly (DECISIONS,
 * "Loading"): one script of schema changes, upserts, appends and version deletes runs against both,
 * and the resulting table shapes and rows must be identical.
 */
class DestinationParityTest {
    private static final TableRef ORDERS = new TableRef("shop", "orders");
    private static final TableRef EVENTS = new TableRef("shop", "events");
    private static final TableRef LINES = new TableRef("shop \"odd\"", "order lines");
    private static final List<TableRef> TABLES = List.of(ORDERS, EVENTS, LINES);

    private static final Column ID = new Column("id", ColumnType.BIGINT);
    private static final Column NAME = new Column("name", ColumnType.TEXT);
    private static final Column PRICE = new Column("price", ColumnType.DECIMAL);
    private static final Column SCORE = new Column("score", ColumnType.DOUBLE);
    private static final Column ACTIVE = new Column("active", ColumnType.BOOLEAN);
    private static final Column SEEN = new Column("seen_at", ColumnType.TIMESTAMPTZ);
    private static final Column SEQ = new Column("_sdc_sequence", ColumnType.BIGINT);
    private static final Column VER = new Column("_sdc_table_version", ColumnType.BIGINT);
    private static final Column SCORE_DO = new Column("score__do", ColumnType.DOUBLE);
    private static final Column SCORE_ST = new Column("score__st", ColumnType.TEXT);
    private static final Column NOTE = new Column("note", ColumnType.TEXT);
    private static final Column PK = new Column("__sdc_primary_key", ColumnType.TEXT);
    private static final Column KIND = new Column("kind", ColumnType.TEXT);
    private static final Column AT = new Column("at", ColumnType.TIMESTAMPTZ);
    private static final Column ORDER_ID = new Column("order id", ColumnType.BIGINT);
    private static final Column LINE = new Column("line", ColumnType.TEXT);
    private static final Column QTY = new Column("a\"b; qty", ColumnType.BIGINT);

    /** Each step is one load transaction. */
    private static final List<Consumer<DestinationTransaction>> SCRIPT = List.of(
            tx -> {
                List<Column> columns = List.of(ID, NAME, PRICE, SCORE, ACTIVE, SEEN, SEQ, VER);
                tx.apply(new TableChange(ORDERS, true, List.of(), columns, List.of("id"), Optional.empty()));
                tx.write(new TableRows(ORDERS, columns, List.of("id"), List.of(
                        new Object[] {1L, "one", new BigDecimal("12345678901234567890.123456789"), 1.5, true, micros("2024-01-02T03:04:05.123456Z"), 10L, 1L},
                        new Object[] {2L, "two\ttab\nline", new BigDecimal("-0.5"), -2.25e-10, false, micros("1969-07-20T20:17:40Z"), 10L, 1L},
                        new Object[] {3L, "three", new BigDecimal("-98765432109876543210.5"), null, null, null, 10L, 1L})));
            },
            tx -> {
                List<Column> columns = List.of(ID, NAME, PRICE, SCORE, ACTIVE, SEEN, SEQ, VER);
                tx.write(new TableRows(ORDERS, columns, List.of("id"), List.of(
                        new Object[] {1L, null, null, 9.0, null, null, 11L, 1L},                 // higher: whole row replaced
                        new Object[] {2L, "equal", BigDecimal.ONE, 0.0, true, 0L, 10L, 1L},     // equal: stays
                        new Object[] {3L, "lower", BigDecimal.TEN, 0.0, true, 0L, 5L, 1L},      // lower: stays
                        new Object[] {4L, "four \\ żółw 🐢", new BigDecimal("1E+3"), 1e300, true, -1L, 1L, 1L})));
            },
            tx -> {
                List<Column> columns = List.of(ID, NAME, PRICE, SCORE_DO, ACTIVE, SEEN, SEQ, VER, SCORE_ST);
                tx.apply(new TableChange(ORDERS, false, List.of(new TableChange.Rename("score", "score__do")), List.of(SCORE_ST), List.of(), Optional.empty()));
                tx.write(new TableRows(ORDERS, columns, List.of("id"), List.of(
                        new Object[] {5L, "five", null, null, null, null, 1L, 1L, "high"},
                        new Object[] {1L, "one again", new BigDecimal("0.000000001"), 2.5, false, 0L, 12L, 1L, null})));
            },
            tx -> {
                List<Column> columns = List.of(PK, KIND, AT, SEQ, VER);
                tx.apply(new TableChange(EVENTS, true, List.of(), columns, List.of(), Optional.empty()));
                tx.write(new TableRows(EVENTS, columns, List.of(), List.of(
                        new Object[] {"e1", "click", micros("2024-03-01T00:00:00.000001Z"), 1L, 1L},
                        new Object[] {"e2", "view", null, 1L, 1L},
                        new Object[] {"e2", "view", null, 1L, 1L})));
            },
            tx -> {
                List<Column> columns = List.of(PK, KIND, AT, SEQ, VER);
                tx.write(new TableRows(EVENTS, columns, List.of(), List.of(
                        new Object[] {"e3", "click", micros("2024-03-02T00:00:00Z"), 2L, 2L},
                        new Object[] {"e4", null, null, 2L, 2L})));
                tx.deleteOlderVersions(EVENTS, 2);
            },
            tx -> {
                List<Column> columns = List.of(ID, NAME, PRICE, SCORE_DO, ACTIVE, SEEN, SEQ, VER, SCORE_ST, NOTE);
                tx.apply(new TableChange(ORDERS, false, List.of(), List.of(NOTE), List.of(), Optional.empty()));
                tx.write(new TableRows(ORDERS, columns, List.of("id"), List.<Object[]>of(
                        new Object[] {2L, "two again", null, null, null, null, 20L, 2L, null, "noted"})));
                tx.deleteOlderVersions(ORDERS, 1);
            },
            tx -> {
                List<Column> columns = List.of(QTY, LINE, ORDER_ID, SEQ, VER);
                tx.apply(new TableChange(LINES, true, List.of(), columns, List.of("order id", "line"), Optional.empty()));
                tx.write(new TableRows(LINES, columns, List.of("order id", "line"), List.of(
                        new Object[] {3L, "a", 1L, 1L, 0L},
                        new Object[] {4L, "b", 1L, 1L, 0L},
                        new Object[] {5L, "a", 2L, 1L, 0L})));
            },
            tx -> {
                List<Column> columns = List.of(QTY, LINE, ORDER_ID, SEQ, VER);
                tx.write(new TableRows(LINES, columns, List.of("order id", "line"), List.of(
                        new Object[] {30L, "a", 1L, 2L, 0L},
                        new Object[] {40L, "b", 1L, 1L, 0L},
                        new Object[] {6L, "c", 2L, 1L, 0L})));
            });

    @Test
    void duckDbAndPostgresEndIdentical(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("warehouse.duckdb");
        Map<TableRef, Optional<TableShape>> duckShapes;
        try (DuckDbWarehouse duck = DuckDbWarehouse.open(file)) {
            run(duck);
            duckShapes = shapes(duck);
        }
        Map<TableRef, List<String>> duckRows;
        try (Connection c = DuckDbWarehouse.openReadOnly(file)) {
            duckRows = rows(c, duckShapes);
        }

        PostgresConnection database = TestPostgres.newDatabase();
        Map<TableRef, Optional<TableShape>> pgShapes;
        try (PostgresDestination pg = PostgresDestination.open(database)) {
            run(pg);
            pgShapes = shapes(pg);
        }
        Map<TableRef, List<String>> pgRows;
        try (Connection c = TestPostgres.connect(database)) {
            pgRows = rows(c, pgShapes);
        }

        assertThat(pgShapes).isEqualTo(duckShapes);
        assertThat(pgShapes.values()).allMatch(Optional::isPresent);
        assertThat(pgRows).isEqualTo(duckRows);
        assertThat(pgRows.get(ORDERS)).hasSize(5);
        assertThat(pgRows.get(EVENTS)).hasSize(2);
        assertThat(pgRows.get(LINES)).hasSize(4);
    }

    private static void run(Destination destination) throws DestinationException {
        for (Consumer<DestinationTransaction> step : SCRIPT) {
            destination.load(tx -> {
                step.accept(tx);
                return null;
            });
        }
    }

    private static Map<TableRef, Optional<TableShape>> shapes(Destination destination) throws DestinationException {
        return destination.load(tx -> {
            Map<TableRef, Optional<TableShape>> shapes = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            for (TableRef t : TABLES) {
                shapes.put(t, tx.table(t));
            }
            return shapes;
        });
    }

    /** Every row as one string of normalized values (by column type), sorted, per table. */
    private static Map<TableRef, List<String>> rows(Connection c, Map<TableRef, Optional<TableShape>> shapes) throws SQLException {
        Map<TableRef, List<String>> all = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Map.Entry<TableRef, Optional<TableShape>> e : shapes.entrySet()) {
            List<Column> columns = e.getValue().orElseThrow().columns();
            String select = "SELECT " + columns.stream().map(col -> quote(col.name())).collect(Collectors.joining(", "))
                    + " FROM " + quote(e.getKey().schema()) + "." + quote(e.getKey().table());
            List<String> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select)) {
                while (rs.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < columns.size(); i++) {
                        values.add(normalized(rs, i + 1, columns.get(i).type()));
                    }
                    rows.add(String.join(" | ", values));
                }
            }
            rows.sort(null);
            all.put(e.getKey(), rows);
        }
        return all;
    }

    private static String normalized(ResultSet rs, int i, ColumnType type) throws SQLException {
        String value = switch (type) {
            case BIGINT -> Long.toString(rs.getLong(i));
            case DOUBLE -> Double.toString(rs.getDouble(i));
            case DECIMAL -> rs.getBigDecimal(i) == null ? null : rs.getBigDecimal(i).stripTrailingZeros().toPlainString();
            case BOOLEAN -> Boolean.toString(rs.getBoolean(i));
            case TIMESTAMPTZ -> rs.getObject(i, OffsetDateTime.class) == null ? null : rs.getObject(i, OffsetDateTime.class).toInstant().toString();
            case TEXT -> rs.getString(i);
        };
        return rs.wasNull() ? "NULL" : value;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static long micros(String instant) {
        Instant t = Instant.parse(instant);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
