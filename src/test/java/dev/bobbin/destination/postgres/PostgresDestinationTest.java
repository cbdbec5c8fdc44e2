package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.DestinationException;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableRows;
import dev.bobbin.destination.TableShape;
import dev.bobbin.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PostgreSQL destination against a real server: DDL, upsert and append, versions, rejects, ledger, atomicity, values. */
class PostgresDestinationTest {
    private static final TableRef ORDERS = new TableRef("shop", "orders");
    private static final Column ID = new Column("id", ColumnType.BIGINT);
    private static final Column NAME = new Column("name", ColumnType.TEXT);
    private static final Column AMOUNT = new Column("amount", ColumnType.DOUBLE);
    private static final Column SEQUENCE = new Column("_sdc_sequence", ColumnType.BIGINT);
    private static final Column VERSION = new Column("_sdc_table_version", ColumnType.BIGINT);
    private static final List<Column> ORDER_COLUMNS = List.of(ID, NAME, AMOUNT, SEQUENCE, VERSION);

    private PostgresConnection database;
    private PostgresDestination destination;

    @BeforeEach
    void openFreshDatabase() {
        database = TestPostgres.newDatabase();
        destination = PostgresDestination.open(database);
    }

    @AfterEach
    void close() {
        destination.close();
    }

    // --- helpers -------------------------------------------------------------------------------

    private <T> T load(Destination.LoadWork<T> work) {
        try {
            return destination.load(work);
        } catch (DestinationException e) {
            throw new AssertionError(e);
        }
    }

    private Optional<TableShape> shape(TableRef table) {
        return load(tx -> tx.table(table));
    }

    private Set<String> loaded(List<String> batchKeys) {
        return load(tx -> tx.loadedBatchKeys(batchKeys));
    }

    private static TableChange create(TableRef table, List<Column> columns, List<String> keys) {
        return new TableChange(table, true, List.of(), columns, keys, Optional.empty());
    }

    private void createOrders() {
        load(tx -> {
            tx.apply(create(ORDERS, ORDER_COLUMNS, List.of("id")));
            return null;
        });
    }

    private void writeOrders(Object[]... rows) {
        load(tx -> {
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.of(rows)));
            return null;
        });
    }

    private List<List<Object>> query(String sql) {
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            int width = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= width; i++) {
                    boolean timestamp = "timestamptz".equals(rs.getMetaData().getColumnTypeName(i));
                    row.add(timestamp ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private long count(String table) {
        return (Long) query("SELECT count(*) FROM " + table).get(0).get(0);
    }

    // --- DDL -----------------------------------------------------------------------------------

    @Test
    void createsTableWithTypesAndPrimaryKeyNamedAfterTheTable() {
        List<Column> all = List.of(
                new Column("id", ColumnType.BIGINT), new Column("price", ColumnType.DECIMAL), new Column("score", ColumnType.DOUBLE),
                new Column("ok", ColumnType.BOOLEAN), new Column("at", ColumnType.TIMESTAMPTZ), new Column("note", ColumnType.TEXT));
        load(tx -> {
            tx.apply(create(ORDERS, all, List.of("id")));
            return null;
        });

        assertThat(query("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                + " WHERE table_schema = 'shop' AND table_name = 'orders' ORDER BY ordinal_position")).containsExactly(
                row("id", "bigint", "NO"), row("price", "numeric", "YES"), row("score", "double precision", "YES"),
                row("ok", "boolean", "YES"), row("at", "timestamp with time zone", "YES"), row("note", "text", "YES"));
        assertThat(query("SELECT tc.constraint_name, k.column_name FROM information_schema.table_constraints tc"
                + " JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema"
                + " WHERE tc.table_schema = 'shop' AND tc.table_name = 'orders' AND tc.constraint_type = 'PRIMARY KEY'"))
                .containsExactly(row("orders_pkey", "id"));
        assertThat(shape(ORDERS)).contains(new TableShape(all, List.of("id"), List.of()));
    }

    @Test
    void compositeKeysComeBackInKeyOrderNotColumnOrder() {
        TableRef lines = new TableRef("shop", "lines");
        List<Column> columns = List.of(new Column("a", ColumnType.BIGINT), new Column("b", ColumnType.TEXT), SEQUENCE);
        load(tx -> {
            tx.apply(create(lines, columns, List.of("b", "a")));
            return null;
        });
        assertThat(shape(lines)).contains(new TableShape(columns, List.of("b", "a"), List.of()));
    }

    @Test
    void missingTableHasNoShape() {
        assertThat(shape(new TableRef("nowhere", "nothing"))).isEmpty();
        assertThat(shape(new TableRef("_bobbin", "nothing"))).isEmpty();
    }

    @Test
    void keylessTableHasNoKeyColumns() {
        TableRef events = new TableRef("shop", "events");
        load(tx -> {
            tx.apply(create(events, List.of(new Column("__sdc_primary_key", ColumnType.TEXT), SEQUENCE), List.of()));
            return null;
        });
        assertThat(shape(events).orElseThrow().keyColumns()).isEmpty();
        assertThat(query("SELECT count(*) FROM information_schema.table_constraints WHERE table_name = 'events'").get(0).get(0)).isEqualTo(0L);
    }

    // --- upsert and append ---------------------------------------------------------------------

    @Test
    void higherSequenceReplacesTheWholeRowLowerOrEqualNever() {
        createOrders();
        writeOrders(new Object[] {1L, "first", 1.5, 10L, 0L}, new Object[] {2L, "second", 2.5, 10L, 0L});

        writeOrders(
                new Object[] {1L, null, 9.0, 11L, 0L},       // higher: replaces, name becomes NULL
                new Object[] {2L, "equal", 0.0, 10L, 0L},    // equal: the stored row stays
                new Object[] {3L, "third", null, 1L, 0L});   // new key: inserted
        writeOrders(new Object[] {1L, "older", 0.0, 5L, 0L}); // lower: stays

        assertThat(query("SELECT id, name, amount, _sdc_sequence FROM shop.orders ORDER BY id")).containsExactly(
                row(1L, null, 9.0, 11L), row(2L, "second", 2.5, 10L), row(3L, "third", null, 1L));
    }

    @Test
    void aWinningRowWithoutSomeTableColumnsNullsThem() {
        createOrders();
        writeOrders(new Object[] {1L, "first", 1.5, 10L, 0L});
        load(tx -> {
            tx.write(new TableRows(ORDERS, List.of(ID, SEQUENCE, VERSION), List.of("id"), List.<Object[]>of(new Object[] {1L, 11L, 0L})));
            return null;
        });
        assertThat(query("SELECT id, name, amount, _sdc_sequence FROM shop.orders")).containsExactly(row(1L, null, null, 11L));
    }

    @Test
    void twoWritesToOneTableInOneTransaction() {
        createOrders();
        load(tx -> {
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.<Object[]>of(new Object[] {1L, "a", null, 1L, 0L})));
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.<Object[]>of(new Object[] {2L, "b", null, 1L, 0L})));
            return null;
        });
        assertThat(query("SELECT id, name FROM shop.orders ORDER BY id")).containsExactly(row(1L, "a"), row(2L, "b"));
    }

    @Test
    void keylessRowsAreAppended() {
        TableRef events = new TableRef("shop", "events");
        List<Column> columns = List.of(new Column("__sdc_primary_key", ColumnType.TEXT), new Column("kind", ColumnType.TEXT), SEQUENCE, VERSION);
        load(tx -> {
            tx.apply(create(events, columns, List.of()));
            return null;
        });
        for (int i = 0; i < 2; i++) {
            load(tx -> {
                tx.write(new TableRows(events, columns, List.of(), List.of(new Object[] {"k1", "click", 1L, 0L}, new Object[] {"k2", "view", 1L, 0L})));
                return null;
            });
        }
        assertThat(query("SELECT __sdc_primary_key, kind FROM shop.events ORDER BY 1")).containsExactly(
                row("k1", "click"), row("k1", "click"), row("k2", "view"), row("k2", "view"));
    }

    @Test
    void addedAndSplitColumnsKeepExistingData() {
        createOrders();
        writeOrders(new Object[] {1L, "first", 1.5, 10L, 0L});

        Column amountDouble = new Column("amount__do", ColumnType.DOUBLE);
        Column amountText = new Column("amount__st", ColumnType.TEXT);
        Column note = new Column("note", ColumnType.TEXT);
        List<Column> after = List.of(ID, NAME, amountDouble, SEQUENCE, VERSION, amountText, note);
        load(tx -> {
            tx.apply(new TableChange(ORDERS, false, List.of(new TableChange.Rename("amount", "amount__do")), List.of(amountText, note), List.of(), Optional.empty()));
            tx.write(new TableRows(ORDERS, after, List.of("id"), List.<Object[]>of(new Object[] {2L, "second", null, 1L, 0L, "lots", "hi"})));
            return null;
        });
        load(tx -> {
            tx.write(new TableRows(ORDERS, after, List.of("id"), List.<Object[]>of(new Object[] {3L, "third", 3.5, 1L, 0L, null, null})));
            return null;
        });

        assertThat(shape(ORDERS)).contains(new TableShape(after, List.of("id"), List.of()));
        assertThat(query("SELECT id, name, amount__do, amount__st, note FROM shop.orders ORDER BY id")).containsExactly(
                row(1L, "first", 1.5, null, null), row(2L, "second", null, "lots", "hi"), row(3L, "third", 3.5, null, null));
    }

    @Test
    void deleteOlderVersionsKeepsCurrentAndNewer() {
        createOrders();
        writeOrders(new Object[] {1L, "v1", null, 1L, 1L}, new Object[] {2L, "v2", null, 1L, 2L}, new Object[] {3L, "v3", null, 1L, 3L});
        load(tx -> {
            tx.deleteOlderVersions(ORDERS, 2);
            return null;
        });
        assertThat(query("SELECT id FROM shop.orders ORDER BY id")).containsExactly(row(2L), row(3L));
    }

    // --- rejects and ledger --------------------------------------------------------------------

    @Test
    void rejectedRecordsLandInTheSchemasRejectedTable() {
        Instant at = Instant.parse("2024-05-06T07:08:09.123456Z");
        load(tx -> {
            tx.reject("shop", List.of(new RejectedRecord(at, "orders", "Field collision on a", "{\"a\":1,\"A\":2}")));
            tx.reject("shop", List.of(new RejectedRecord(at, "t\tab", "multi\nline", "{}")));
            return null;
        });
        assertThat(query("SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = 'shop' AND table_name = '_sdc_rejected' ORDER BY ordinal_position")).containsExactly(
                row("_sdc_rejected_at", "timestamp with time zone"), row("table_name", "text"), row("reason", "text"), row("record", "text"));
        List<List<Object>> rows = query("SELECT _sdc_rejected_at, table_name, reason, record FROM shop._sdc_rejected ORDER BY table_name");
        assertThat(rows).extracting(r -> r.subList(1, 4)).containsExactly(
                row("orders", "Field collision on a", "{\"a\":1,\"A\":2}"), row("t\tab", "multi\nline", "{}"));
        assertThat(((OffsetDateTime) rows.get(0).get(0)).toInstant()).isEqualTo(at);
    }

    @Test
    void ledgerRemembersLoadedBatches() {
        assertThat(query("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                + " WHERE table_schema = '_bobbin' AND table_name = 'ledger' ORDER BY ordinal_position")).containsExactly(
                row("batch_key", "text", "NO"), row("loaded_at", "timestamp with time zone", "NO"));
        assertThat(loaded(List.of("a", "b"))).isEmpty();
        load(tx -> {
            tx.recordLoaded(List.of("a", "b", "c'; --"));
            return null;
        });
        assertThat(loaded(List.of("a", "c'; --", "z"))).containsExactlyInAnyOrder("a", "c'; --");
        assertThat(loaded(List.of())).isEmpty();
    }

    @Test
    void reopeningKeepsTheLedger() {
        load(tx -> {
            tx.recordLoaded(List.of("kept"));
            return null;
        });
        destination.close();
        destination = PostgresDestination.open(database);
        assertThat(loaded(List.of("kept"))).containsExactly("kept");
    }

    // --- atomicity -----------------------------------------------------------------------------

    @Test
    void aFailingLoadLeavesNoTrace() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> destination.load(tx -> {
            tx.apply(create(ORDERS, ORDER_COLUMNS, List.of("id")));
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.<Object[]>of(new Object[] {1L, "a", null, 1L, 0L})));
            tx.reject("shop", List.of(new RejectedRecord(Instant.now(), "orders", "r", "{}")));
            tx.recordLoaded(List.of("batch-1"));
            throw boom;
        })).isSameAs(boom);

        assertThat(query("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'shop'").get(0).get(0)).isEqualTo(0L);
        assertThat(count("_bobbin.ledger")).isZero();
        assertThat(shape(ORDERS)).isEmpty();
        assertThat(loaded(List.of("batch-1"))).isEmpty();
    }

    @Test
    void aFailingLoadAfterEarlierLoadsKeepsOnlyTheEarlierOnes() throws Exception {
        createOrders();
        writeOrders(new Object[] {1L, "kept", null, 1L, 0L});
        for (int attempt = 0; attempt < 3; attempt++) { // every pooled connection sees a failure after using its staging table
            assertThatThrownBy(() -> destination.load(tx -> {
                tx.apply(new TableChange(ORDERS, false, List.of(), List.of(new Column("extra", ColumnType.TEXT)), List.of(), Optional.empty()));
                tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.<Object[]>of(new Object[] {1L, "lost", null, 9L, 0L})));
                tx.recordLoaded(List.of("batch-2"));
                throw new DestinationException("fails after writing", null);
            })).isInstanceOf(DestinationException.class);
        }
        writeOrders(new Object[] {2L, "after", null, 1L, 0L});

        assertThat(query("SELECT id, name FROM shop.orders ORDER BY id")).containsExactly(row(1L, "kept"), row(2L, "after"));
        assertThat(shape(ORDERS).orElseThrow().columns()).isEqualTo(ORDER_COLUMNS);
        assertThat(count("_bobbin.ledger")).isZero();
    }

    @Test
    void anSqlErrorRollsBackAndTheNextLoadWorks() {
        createOrders();
        assertThatThrownBy(() -> destination.load(tx -> {
            tx.recordLoaded(List.of("batch-1"));
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), List.<Object[]>of(new Object[] {null, "no key", null, 1L, 0L})));
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("shop.orders");
        assertThat(count("_bobbin.ledger")).isZero();
        writeOrders(new Object[] {1L, "ok", null, 1L, 0L});
        assertThat(count("shop.orders")).isEqualTo(1);
    }

    // --- names and values ----------------------------------------------------------------------

    @Test
    void oddIdentifiersAreQuotedEverywhere() {
        TableRef table = new TableRef("my \"schema\"; --", "select");
        Column odd = new Column("a\"b; drop", ColumnType.TEXT);
        Column key = new Column("user id", ColumnType.BIGINT);
        Column from = new Column("from", ColumnType.TEXT);
        List<Column> columns = List.of(key, odd, from, SEQUENCE, VERSION);
        load(tx -> {
            tx.apply(create(table, List.of(key, odd, SEQUENCE, VERSION), List.of("user id")));
            tx.apply(new TableChange(table, false, List.of(new TableChange.Rename("a\"b; drop", "a\"b; drop__st")), List.of(from), List.of(), Optional.empty()));
            return null;
        });
        List<Column> renamed = List.of(key, new Column("a\"b; drop__st", ColumnType.TEXT), SEQUENCE, VERSION, from);
        load(tx -> {
            tx.write(new TableRows(table, renamed, List.of("user id"), List.<Object[]>of(new Object[] {1L, "x", 1L, 1L, "y"})));
            tx.write(new TableRows(table, renamed, List.of("user id"), List.<Object[]>of(new Object[] {1L, "x2", 2L, 1L, "y2"})));
            tx.reject(table.schema(), List.of(new RejectedRecord(Instant.EPOCH, table.table(), "odd", "{}")));
            tx.deleteOlderVersions(table, 1);
            return null;
        });
        TableRef keyless = new TableRef("my \"schema\"; --", "order");
        load(tx -> {
            tx.apply(create(keyless, columns, List.of()));
            tx.write(new TableRows(keyless, columns, List.of(), List.<Object[]>of(new Object[] {7L, "x", "y", 1L, 1L})));
            return null;
        });

        assertThat(shape(table)).contains(new TableShape(renamed, List.of("user id"), List.of()));
        assertThat(query("SELECT \"user id\", \"a\"\"b; drop__st\", \"from\" FROM \"my \"\"schema\"\"; --\".\"select\"")).containsExactly(row(1L, "x2", "y2"));
        assertThat(query("SELECT \"from\" FROM \"my \"\"schema\"\"; --\".\"order\"")).containsExactly(row("y"));
        assertThat(query("SELECT constraint_name FROM information_schema.table_constraints WHERE table_name = 'select' AND constraint_type = 'PRIMARY KEY'"))
                .containsExactly(row("select_pkey"));
        assertThat(query("SELECT reason FROM \"my \"\"schema\"\"; --\"._sdc_rejected")).containsExactly(row("odd"));
    }

    @Test
    void longTableNameGetsAPrimaryKeyNameWithin63Bytes() {
        TableRef table = new TableRef("shop", "t".repeat(63));
        load(tx -> {
            tx.apply(create(table, List.of(ID, SEQUENCE), List.of("id")));
            return null;
        });
        assertThat(query("SELECT constraint_name FROM information_schema.table_constraints WHERE table_name = '" + table.table() + "'"
                + " AND constraint_type = 'PRIMARY KEY'")).containsExactly(row(PostgresNames.primaryKeyName(table.table())));
        assertThat(shape(table).orElseThrow().keyColumns()).containsExactly("id");
    }

    @Test
    void valuesRoundTripExactlyThroughCopy() {
        TableRef keyed = new TableRef("v", "keyed");
        TableRef keyless = new TableRef("v", "keyless");
        List<Column> columns = List.of(new Column("k", ColumnType.BIGINT), new Column("big", ColumnType.BIGINT),
                new Column("at", ColumnType.TIMESTAMPTZ), new Column("txt", ColumnType.TEXT), new Column("dec", ColumnType.DECIMAL),
                new Column("dbl", ColumnType.DOUBLE), new Column("ok", ColumnType.BOOLEAN), SEQUENCE);
        String text = "tab\there\nnew line\r\nback\\slash \\N \\t żółw 🐢 \u00a0 'quote' \"dq\" ;,|\u0001";
        List<Object[]> rows = List.of(
                new Object[] {1L, Long.MAX_VALUE, 1_715_000_000_123_456L, text, new BigDecimal("123456789012345678901234567890"), 0.1, true, 1L},
                new Object[] {2L, Long.MIN_VALUE, -1L, "", new BigDecimal("0.123456789012345678901234567890"), -1.0E-300, false, 1L},
                new Object[] {3L, 1_234_567_890_123_456_789L, 0L, "\\", new BigDecimal("-98765432109876543210.1234567890"), 1.7976931348623157E308, null, 1L},
                new Object[] {4L, null, null, null, null, null, null, 1L});
        load(tx -> {
            tx.apply(create(keyed, columns, List.of("k")));
            tx.apply(create(keyless, columns, List.of()));
            tx.write(new TableRows(keyed, columns, List.of("k"), rows));
            tx.write(new TableRows(keyless, columns, List.of(), rows));
            return null;
        });

        for (TableRef table : List.of(keyed, keyless)) {
            List<List<Object>> stored = query("SELECT k, big, at, txt, dec, dbl, ok FROM " + table + " ORDER BY k");
            assertThat(stored).hasSize(4);
            for (int r = 0; r < rows.size(); r++) {
                Object[] expected = rows.get(r);
                List<Object> actual = stored.get(r);
                assertThat(actual.get(1)).isEqualTo(expected[1]);
                assertThat(actual.get(2) == null ? null : micros((OffsetDateTime) actual.get(2))).isEqualTo(expected[2]);
                assertThat(actual.get(3)).isEqualTo(expected[3]);
                assertThat(actual.get(4) == null ? null : ((BigDecimal) actual.get(4)).toPlainString())
                        .isEqualTo(expected[4] == null ? null : ((BigDecimal) expected[4]).toPlainString());
                assertThat(actual.get(5)).isEqualTo(expected[5]);
                assertThat(actual.get(6)).isEqualTo(expected[6]);
            }
        }
    }

    @Test
    void largeBatchesStreamInChunks() {
        createOrders();
        int n = 50_000;
        String filler = "x\t".repeat(20);
        List<Object[]> rows = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            rows.add(new Object[] {i, filler + i, (double) i, 1L, 0L});
        }
        load(tx -> {
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), rows));
            return null;
        });
        List<Object[]> newer = rows.stream().filter(r -> (Long) r[0] % 2 == 0).map(r -> new Object[] {r[0], "even", r[2], 2L, 0L}).toList();
        load(tx -> {
            tx.write(new TableRows(ORDERS, ORDER_COLUMNS, List.of("id"), newer));
            return null;
        });
        assertThat(query("SELECT count(*), count(*) FILTER (WHERE name = 'even'), max(name) FILTER (WHERE id = 49999) FROM shop.orders"))
                .containsExactly(row((long) n, (long) n / 2, filler + 49999));
    }

    @Test
    void openFailsClearlyWhenTheServerIsUnreachable() {
        PostgresConnection nowhere = new PostgresConnection("127.0.0.1", 1, "x", "postgres", "", false);
        assertThatThrownBy(() -> PostgresDestination.open(nowhere))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void connectionDescriptionHidesThePassword() {
        PostgresConnection props = new PostgresConnection("db.example", 5432, "w", "loader", "s3cret", true);
        assertThat(props.toString()).doesNotContain("s3cret").isEqualTo("postgresql://loader@db.example:5432/w?sslmode=require");
    }

    private static long micros(OffsetDateTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }
}
