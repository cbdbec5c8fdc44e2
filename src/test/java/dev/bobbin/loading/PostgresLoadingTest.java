package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading into PostgreSQL end to end, as a user would do it: the account is switched from its
 * embedded duckdb destination to a real PostgreSQL database through the Connect API (DECISIONS C5),
 * batches are pushed with {@code POST /v2/import/batch}, and PostgreSQL is read back over JDBC:
 * column types from {@code information_schema.columns}, the {@code <table>_pkey} constraint, rows.
 * Covers loading.md §4 (DDL), §7 (subtables), §10 (splits) and DECISIONS L1, L2, L5–L12.
 */
final class PostgresLoadingTest {
    private static final String TIMESTAMPTZ = "timestamp with time zone";
    /** The system columns every table gets, in the order Bobbin appends them (DECISIONS L3). */
    private static final List<List<String>> SDC_COLUMNS = List.of(
            column("_sdc_received_at", TIMESTAMPTZ, "YES"),
            column("_sdc_batched_at", TIMESTAMPTZ, "YES"),
            column("_sdc_sequence", "bigint", "YES"),
            column("_sdc_table_version", "bigint", "YES"));

    /** import-api.md §6.6 "Quick-start request", verbatim. */
    private static final String QUICK_START = """
            {
              "table_name": "customers",
              "schema": {
                "properties": {
                  "id": {"type": "integer"},
                  "name": {"type": "string"},
                  "age": {"type": "integer"},
                  "has_magic": {"type": "boolean"}
                }
              },
              "messages": [
                {"action": "upsert", "sequence": 1565880017,
                 "data": {"id": 1, "name": "Finn", "age": 15, "has_magic": false}}
              ],
              "key_names": ["id"]
            }""";

    /** loading.md §7.3's Shopify order, typed: line items with tax lines. */
    private static final String ORDERS_SCHEMA = """
            {"properties": {
               "order_id": {"type": "integer"},
               "created_at": {"type": "string", "format": "date-time"},
               "customer_id": {"type": "integer"},
               "line_items": {"type": "array", "items": {"type": "object", "properties": {
                   "product_id": {"type": "integer"}, "price": {"type": "number"}, "quantity": {"type": "integer"},
                   "tax_lines": {"type": "array", "items": {"type": "object", "properties": {
                       "price": {"type": "number"}, "rate": {"type": "number"}, "title": {"type": "string"}}}}}}}}}""";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private PostgresConnection database;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        database = TestPostgres.newDatabase();
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    // ---- the docs' examples ------------------------------------------------------------------------

    @Test
    void theQuickStartBatchLandsInPostgres() {
        bobbin.switchToPostgres(database);

        HttpReply push = bobbin.postBatch(QUICK_START);
        bobbin.loadNow();

        assertThat(push.status()).isEqualTo(201);
        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(tables()).containsExactly("customers");
        assertThat(columns("customers")).containsExactlyElementsOf(withSdc(
                column("id", "bigint", "NO"),
                column("name", "text", "YES"),
                column("age", "bigint", "YES"),
                column("has_magic", "boolean", "YES")));
        assertThat(primaryKey("customers")).containsExactly("customers_pkey", "id");
        assertThat(pg("SELECT id, name, age, has_magic, _sdc_sequence, _sdc_table_version,"
                + " _sdc_received_at <= _sdc_batched_at, _sdc_batched_at <= now() FROM import_api.customers"))
                .containsExactly(row("1", "Finn", "15", "f", "1565880017", "0", "t", "t"));
        assertThat(bobbin.tables("import_api")).as("nothing goes to the deleted duckdb destination").isEmpty();
    }

    @Test
    void ordersLineItemsAndTaxLinesBecomeLinkedSubtables() {
        bobbin.switchToPostgres(database);

        bobbin.accept(BatchBody.table("orders", ORDERS_SCHEMA).keyNames("order_id").upsert(1, """
                {"order_id": 1234, "created_at": "2015-01-01 00:00:00", "customer_id": 100,
                 "line_items": [
                   {"product_id": 5008798, "price": 5.99, "quantity": 1,
                    "tax_lines": [{"price": 5.99, "rate": 0.06, "title": "State Tax"}]},
                   {"product_id": 3445689, "price": 10.99, "quantity": 1,
                    "tax_lines": [{"price": 10.99, "rate": 0.06, "title": "State Tax"}]}]}"""));
        bobbin.loadNow();

        assertThat(tables()).containsExactly("orders", "orders__line_items", "orders__line_items__tax_lines");
        assertThat(columns("orders")).containsExactlyElementsOf(withSdc(
                column("order_id", "bigint", "NO"),
                column("created_at", TIMESTAMPTZ, "YES"),
                column("customer_id", "bigint", "YES")));
        assertThat(columns("orders__line_items")).containsExactlyElementsOf(withSdc(
                column("_sdc_source_key_order_id", "bigint", "NO"),
                column("_sdc_level_0_id", "bigint", "NO"),
                column("product_id", "bigint", "YES"),
                column("price", "double precision", "YES"),
                column("quantity", "bigint", "YES")));
        assertThat(columns("orders__line_items__tax_lines")).containsExactlyElementsOf(withSdc(
                column("_sdc_source_key_order_id", "bigint", "NO"),
                column("_sdc_level_0_id", "bigint", "NO"),
                column("_sdc_level_1_id", "bigint", "NO"),
                column("price", "double precision", "YES"),
                column("rate", "double precision", "YES"),
                column("title", "text", "YES")));
        assertThat(primaryKey("orders")).containsExactly("orders_pkey", "order_id");
        assertThat(primaryKey("orders__line_items")).containsExactly("orders__line_items_pkey", "_sdc_source_key_order_id", "_sdc_level_0_id");
        assertThat(primaryKey("orders__line_items__tax_lines"))
                .containsExactly("orders__line_items__tax_lines_pkey", "_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id");

        assertThat(pg("SELECT order_id, (extract(epoch FROM created_at) * 1000000)::bigint, customer_id FROM import_api.orders"))
                .containsExactly(row("1234", "1420070400000000", "100"));
        assertThat(pg("SELECT _sdc_source_key_order_id, _sdc_level_0_id, product_id, price, quantity, _sdc_sequence"
                + " FROM import_api.orders__line_items ORDER BY _sdc_level_0_id"))
                .containsExactly(row("1234", "0", "5008798", "5.99", "1", "1"), row("1234", "1", "3445689", "10.99", "1", "1"));
        assertThat(pg("SELECT _sdc_source_key_order_id, _sdc_level_0_id, _sdc_level_1_id, price, rate, title"
                + " FROM import_api.orders__line_items__tax_lines ORDER BY _sdc_level_0_id, _sdc_level_1_id"))
                .containsExactly(row("1234", "0", "0", "5.99", "0.06", "State Tax"), row("1234", "1", "0", "10.99", "0.06", "State Tax"));
        // the docs' query: join tax lines to line items on the source key and _sdc_level_0_id
        assertThat(pg("SELECT li.product_id, tl.price, tl.title FROM import_api.orders__line_items li"
                + " JOIN import_api.orders__line_items__tax_lines tl"
                + " ON tl._sdc_source_key_order_id = li._sdc_source_key_order_id AND tl._sdc_level_0_id = li._sdc_level_0_id"
                + " WHERE li._sdc_source_key_order_id = 1234 ORDER BY li.product_id"))
                .containsExactly(row("3445689", "10.99", "State Tax"), row("5008798", "5.99", "State Tax"));
    }

    // ---- upserts ------------------------------------------------------------------------------------

    @Test
    void aLowerSequenceNeverOverwritesAndAHigherOneReplacesTheRowAndItsSubtableRows() {
        bobbin.switchToPostgres(database);
        pushOrder(200, "{\"order_id\": 1, \"customer_id\": 100, \"line_items\": ["
                + item(11, 1, "A") + ", " + item(12, 2, "B") + ", " + item(13, 3, "C") + "]}");
        pushOrder(50, "{\"order_id\": 2, \"customer_id\": 200, \"line_items\": [" + item(21, 1, "X") + "]}");
        bobbin.loadNow();

        // lower: nothing changes, not even the subtables
        pushOrder(100, "{\"order_id\": 1, \"customer_id\": 999, \"line_items\": [" + item(99, 9, "lower") + "]}");
        bobbin.loadNow();
        assertThat(pg("SELECT order_id, customer_id, _sdc_sequence FROM import_api.orders ORDER BY order_id"))
                .containsExactly(row("1", "100", "200"), row("2", "200", "50"));
        assertThat(lineItems(1)).containsExactly(row("0", "11", "200"), row("1", "12", "200"), row("2", "13", "200"));
        assertThat(taxLines(1)).containsExactly(row("0", "0", "A"), row("1", "0", "B"), row("2", "0", "C"));

        // equal: the stored row stays (L2)
        pushOrder(200, "{\"order_id\": 1, \"customer_id\": 555, \"line_items\": []}");
        bobbin.loadNow();
        assertThat(pg("SELECT customer_id FROM import_api.orders WHERE order_id = 1")).containsExactly(row("100"));
        assertThat(lineItems(1)).hasSize(3);

        // higher: the whole row is replaced (customer_id not sent -> NULL, L12) and the shorter array
        // leaves no stale child rows (L6)
        pushOrder(300, "{\"order_id\": 1, \"line_items\": [" + item(14, 4, "D") + "]}");
        bobbin.loadNow();
        assertThat(pg("SELECT order_id, customer_id, _sdc_sequence FROM import_api.orders ORDER BY order_id"))
                .containsExactly(row("1", null, "300"), row("2", "200", "50"));
        assertThat(lineItems(1)).containsExactly(row("0", "14", "300"));
        assertThat(taxLines(1)).containsExactly(row("0", "0", "D"));
        assertThat(lineItems(2)).as("another key's children are untouched").containsExactly(row("0", "21", "50"));
        assertThat(taxLines(2)).containsExactly(row("0", "0", "X"));

        // higher with no array at all: every old child row goes
        pushOrder(400, "{\"order_id\": 1, \"customer_id\": 101}");
        bobbin.loadNow();
        assertThat(pg("SELECT customer_id, _sdc_sequence FROM import_api.orders WHERE order_id = 1")).containsExactly(row("101", "400"));
        assertThat(lineItems(1)).isEmpty();
        assertThat(taxLines(1)).isEmpty();
        assertThat(lineItems(2)).hasSize(1);
        assertThat(bobbin.pendingBatches()).isZero();
    }

    private void pushOrder(long sequence, String data) {
        bobbin.accept(BatchBody.table("orders", ORDERS_SCHEMA).keyNames("order_id").upsert(sequence, data));
    }

    private static String item(long productId, double price, String taxTitle) {
        return "{\"product_id\": " + productId + ", \"price\": " + price + ", \"quantity\": 1,"
                + " \"tax_lines\": [{\"price\": " + price + ", \"rate\": 0.1, \"title\": \"" + taxTitle + "\"}]}";
    }

    private List<List<String>> lineItems(long orderId) {
        return pg("SELECT _sdc_level_0_id, product_id, _sdc_sequence FROM import_api.orders__line_items"
                + " WHERE _sdc_source_key_order_id = " + orderId + " ORDER BY _sdc_level_0_id");
    }

    private List<List<String>> taxLines(long orderId) {
        return pg("SELECT _sdc_level_0_id, _sdc_level_1_id, title FROM import_api.orders__line_items__tax_lines"
                + " WHERE _sdc_source_key_order_id = " + orderId + " ORDER BY _sdc_level_0_id, _sdc_level_1_id");
    }

    // ---- type splits ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void anIntegerColumnThatReceivesAStringSplitsIntoBiAndSt(boolean loadedSeparately) {
        bobbin.switchToPostgres(database);
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\", \"age\": 15}"));
        if (loadedSeparately) {
            bobbin.loadNow();
            assertThat(columns("customers")).contains(column("age", "bigint", "YES"));
        }
        bobbin.accept(BatchBody.table("customers", """
                {"properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "age": {"type": "string"}}}""")
                .keyNames("id").upsert(2, "{\"id\": 2, \"name\": \"Jake\", \"age\": \"twenty-eight\"}"));
        bobbin.loadNow();

        List<List<String>> data = List.of(column("id", "bigint", "NO"), column("name", "text", "YES"), column("age__bi", "bigint", "YES"));
        List<List<String>> expected = new ArrayList<>(data);
        if (loadedSeparately) {
            expected.addAll(SDC_COLUMNS);
            expected.add(column("age__st", "text", "YES")); // a new column is appended at the end
        } else {
            expected.add(column("age__st", "text", "YES"));
            expected.addAll(SDC_COLUMNS);
        }
        assertThat(columns("customers")).containsExactlyElementsOf(expected);
        assertThat(pg("SELECT id, name, age__bi, age__st FROM import_api.customers ORDER BY id"))
                .containsExactly(row("1", "Finn", "15", null), row("2", "Jake", null, "twenty-eight"));

        // later values of either type find their column
        bobbin.accept(BatchBody.customers().upsert(3, "{\"id\": 3, \"age\": 7}"));
        bobbin.loadNow();
        assertThat(pg("SELECT id, age__bi, age__st FROM import_api.customers WHERE id = 3")).containsExactly(row("3", "7", null));
        assertThat(columns("customers")).hasSize(expected.size());
    }

    // ---- keyless tables ------------------------------------------------------------------------------

    @Test
    void aTableWithoutKeyNamesIsAppendedWithGeneratedKeysThatLinkItsSubtable() {
        bobbin.switchToPostgres(database);
        BatchBody events = BatchBody.table("events", """
                {"properties": {"kind": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}""")
                .upsert(1, "{\"kind\": \"click\", \"tags\": [\"a\", \"b\"]}")
                .upsert(1, "{\"kind\": \"view\", \"tags\": []}");
        bobbin.accept(events);
        bobbin.loadNow();
        bobbin.accept(events);
        bobbin.loadNow();

        assertThat(tables()).containsExactly("events", "events__tags");
        assertThat(columns("events")).containsExactlyElementsOf(withSdc(
                column("kind", "text", "YES"),
                column("__sdc_primary_key", "text", "YES")));
        assertThat(primaryKey("events")).as("loading.md §4: no primary key without key names").isEmpty();
        assertThat(columns("events__tags")).containsExactlyElementsOf(withSdc(
                column("_sdc_source_key___sdc_primary_key", "text", "NO"),
                column("_sdc_level_0_id", "bigint", "NO"),
                column("value", "text", "YES")));
        assertThat(pg("SELECT kind, count(*), count(DISTINCT __sdc_primary_key) FROM import_api.events GROUP BY kind ORDER BY kind"))
                .containsExactly(row("click", "2", "2"), row("view", "2", "2"));
        assertThat(pg("SELECT count(*) FROM import_api.events"
                + " WHERE __sdc_primary_key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'")).containsExactly(row("0"));
        assertThat(pg("SELECT e.kind, t._sdc_level_0_id, t.value FROM import_api.events__tags t"
                + " JOIN import_api.events e ON e.__sdc_primary_key = t._sdc_source_key___sdc_primary_key"
                + " ORDER BY 1, 2, 3"))
                .containsExactly(row("click", "0", "a"), row("click", "0", "a"), row("click", "1", "b"), row("click", "1", "b"));
        assertThat(pg("SELECT count(DISTINCT _sdc_source_key___sdc_primary_key) FROM import_api.events__tags")).containsExactly(row("2"));
    }

    // ---- table versions -----------------------------------------------------------------------------

    @Test
    void activateVersionDeletesOlderVersionRowsFromTheTableAndItsSubtables() {
        bobbin.switchToPostgres(database);
        String schema = """
                {"properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                "variants": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}""";
        bobbin.accept(BatchBody.table("products", schema).keyNames("id").set("table_version", JsonText.parse("1"))
                .upsert(1, "{\"id\": 1, \"name\": \"one\", \"variants\": [{\"sku\": \"1a\"}, {\"sku\": \"1b\"}]}")
                .upsert(1, "{\"id\": 2, \"name\": \"two\", \"variants\": [{\"sku\": \"2a\"}]}"));
        bobbin.accept(BatchBody.table("products", schema).keyNames("id").set("table_version", JsonText.parse("1"))
                .message("{\"action\": \"activate_version\", \"sequence\": 1}"));
        bobbin.loadNow();
        assertThat(pg("SELECT id, _sdc_table_version FROM import_api.products ORDER BY id")).containsExactly(row("1", "1"), row("2", "1"));

        bobbin.accept(BatchBody.table("products", schema).keyNames("id").set("table_version", JsonText.parse("2"))
                .upsert(2, "{\"id\": 2, \"name\": \"two v2\", \"variants\": [{\"sku\": \"2a\"}, {\"sku\": \"2b\"}]}")
                .upsert(2, "{\"id\": 3, \"name\": \"three\", \"variants\": [{\"sku\": \"3a\"}]}"));
        bobbin.loadNow();
        assertThat(pg("SELECT id, _sdc_table_version FROM import_api.products ORDER BY id"))
                .as("rows of the old version stay until the new one is activated")
                .containsExactly(row("1", "1"), row("2", "2"), row("3", "2"));
        assertThat(pg("SELECT count(*) FROM import_api.products__variants WHERE _sdc_table_version = 1")).containsExactly(row("2"));

        bobbin.accept(BatchBody.table("products", schema).keyNames("id").set("table_version", JsonText.parse("2"))
                .message("{\"action\": \"activate_version\", \"sequence\": 3}"));
        bobbin.loadNow();

        assertThat(pg("SELECT id, name, _sdc_table_version FROM import_api.products ORDER BY id"))
                .containsExactly(row("2", "two v2", "2"), row("3", "three", "2"));
        assertThat(pg("SELECT _sdc_source_key_id, _sdc_level_0_id, sku, _sdc_table_version FROM import_api.products__variants ORDER BY 1, 2"))
                .containsExactly(row("2", "0", "2a", "2"), row("2", "1", "2b", "2"), row("3", "0", "3a", "2"));
        assertThat(bobbin.pendingBatches()).isZero();
    }

    // ---- rejects ------------------------------------------------------------------------------------

    @Test
    void aColumnNameOverFiftyNineCharactersGoesToSdcRejectedWhileTheRestLoads() {
        bobbin.switchToPostgres(database);
        String tooLong = "c".repeat(60);
        String longest = "d".repeat(59);

        bobbin.accept(BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"name\": {\"type\": \"string\"},"
                        + " \"" + tooLong + "\": {\"type\": \"string\"}, \"" + longest + "\": {\"type\": \"string\"}}}")
                .keyNames("id")
                .upsert(1, "{\"id\": 1, \"name\": \"Finn\", \"" + tooLong + "\": \"lost\", \"" + longest + "\": \"kept\"}"));
        bobbin.loadNow();

        assertThat(tables()).containsExactly("_sdc_rejected", "customers");
        assertThat(columns("customers")).containsExactlyElementsOf(withSdc(
                column("id", "bigint", "NO"),
                column("name", "text", "YES"),
                column(longest, "text", "YES")));
        assertThat(pg("SELECT id, name, \"" + longest + "\" FROM import_api.customers")).containsExactly(row("1", "Finn", "kept"));
        assertThat(columns("_sdc_rejected")).containsExactly(
                column("_sdc_rejected_at", TIMESTAMPTZ, "YES"),
                column("table_name", "text", "YES"),
                column("reason", "text", "YES"),
                column("record", "text", "YES"));
        List<List<String>> rejected = pg("SELECT table_name, reason, record, _sdc_rejected_at <= now() FROM import_api._sdc_rejected");
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).get(0)).isEqualTo("customers");
        assertThat(rejected.get(0).get(1)).contains(tooLong).contains("59");
        assertThat(JsonText.parse(rejected.get(0).get(2)).get(tooLong).asText()).isEqualTo("lost");
        assertThat(rejected.get(0).get(3)).isEqualTo("t");
    }

    @Test
    void aKeyOfAnotherTypeThanItsKeyColumnIsRejectedAndLaterLoadsGoOn() {
        bobbin.switchToPostgres(database);
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
        bobbin.loadNow();

        bobbin.accept(BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"}}}")
                .keyNames("id").upsert(2, "{\"id\": \"2\", \"name\": \"string key\"}"));
        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\": 1, \"name\": \"Finn again\"}"));
        bobbin.loadNow();

        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(pg("SELECT id, name, _sdc_sequence FROM import_api.customers")).containsExactly(row("1", "Finn again", "2"));
        assertThat(pg("SELECT table_name, reason, record FROM import_api._sdc_rejected")).containsExactly(row("customers",
                "key property id has type text but the key column has type bigint", "{\"id\":\"2\",\"name\":\"string key\"}"));
        assertThat(columns("customers")).extracting(c -> c.get(0)).doesNotContain("id__st", "id__bi");
    }

    @Test
    void dateTimesOutsideTheRangeBothWarehousesHoldAreRejectedWhileTheRestLoads() {
        bobbin.switchToPostgres(database);
        String schema = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"t\": {\"type\": \"string\", \"format\": \"date-time\"}}}";

        bobbin.accept(BatchBody.table("times", schema).keyNames("id")
                .upsert(1, "{\"id\": 1, \"t\": \"-4713-11-24T00:00:00Z\"}")             // PostgreSQL's first instant (4714 BC)
                .upsert(1, "{\"id\": 2, \"t\": \"-4713-11-23T23:59:59.999999Z\"}")
                .upsert(1, "{\"id\": 3, \"t\": \"+294247-01-10T04:00:54.775806Z\"}")    // Long.MAX_VALUE - 1 microseconds
                .upsert(1, "{\"id\": 4, \"t\": \"+294247-01-10T04:00:54.775807Z\"}")
                .upsert(1, "{\"id\": 5, \"t\": \"+300000-01-01T00:00:00Z\"}")
                .upsert(1, "{\"id\": 6, \"t\": \"2024-02-29T12:00:00.1234567Z\"}"));      // nanoseconds: kept to the microsecond
        bobbin.loadNow();

        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(pg("SELECT id, (extract(epoch FROM t) * 1000000)::numeric(30,0) FROM import_api.times ORDER BY id"))
                .containsExactly(row("1", "-210866803200000000"), row("3", String.valueOf(Long.MAX_VALUE - 1)), row("6", "1709208000123456"));
        assertThat(pg("SELECT reason, record::json->>'id' FROM import_api._sdc_rejected ORDER BY 2")).containsExactly(
                row("timestamp out of range for PostgreSQL on t", "2"),
                row("timestamp out of range for PostgreSQL on t", "4"),
                row("timestamp out of range for PostgreSQL on t", "5"));
    }

    @Test
    void textHoldingUPlus0000IsRejectedWhileTheRestLoads() {
        bobbin.switchToPostgres(database);
        String schema = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"s\": {\"type\": \"string\"},"
                + " \"t\": {\"type\": \"string\", \"format\": \"date-time\"}}}";

        bobbin.accept(BatchBody.table("texts", schema).keyNames("id")
                .upsert(1, "{\"id\": 1, \"s\": \"fine\"}")
                .upsert(1, "{\"id\": 2, \"s\": \"a\\u0000b\"}")
                .upsert(1, "{\"id\": 3, \"list\": [\"x\", \"\\u0000\"]}")
                .upsert(1, "{\"id\": 4, \"t\": \"2020\\u0000\"}")
                .upsert(1, "{\"id\": 5, \"\\u0000\": 1}"));
        bobbin.accept(BatchBody.table("\u0000", "{\"properties\": {}}").upsert(1, "{\"a\": 1}"));
        bobbin.loadNow();

        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(pg("SELECT id, s FROM import_api.texts")).containsExactly(row("1", "fine"));
        assertThat(pg("SELECT table_name, reason, substring(record FROM '^\\{\"id\":(\\d+)') FROM import_api._sdc_rejected ORDER BY 3, 2")).containsExactly(
                row("texts", "field s holds the character U+0000, which PostgreSQL text cannot store", "2"),
                row("texts", "field value holds the character U+0000, which PostgreSQL text cannot store", "3"),
                row("texts", "field t holds the character U+0000, which PostgreSQL text cannot store", "4"),
                row("texts", "field name '\\u0000' has no letters or digits", "5"),
                row("\\u0000", "table name '\\u0000' has no letters or digits", null));
        assertThat(pg("SELECT record FROM import_api._sdc_rejected WHERE reason LIKE 'field s %'"))
                .containsExactly(row("{\"id\":2,\"s\":\"a\\u0000b\"}"));
    }

    @Test
    void aTimeExtractedOutsideTheRangeIsRefusedAtTheDoor() {
        bobbin.switchToPostgres(database);

        HttpReply reply = bobbin.postBatch(BatchBody.customers().message(
                "{\"action\": \"upsert\", \"sequence\": 1, \"time_extracted\": \"+300000-01-01T00:00:00Z\", \"data\": {\"id\": 1}}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).contains("time_extracted").contains("is not a valid date-time");
        assertThat(bobbin.pendingBatches()).isZero();
    }

    // ---- an account without a destination ---------------------------------------------------------

    @Test
    void batchesAcceptedWithoutADestinationWaitAndLoadOnceThePostgresDestinationExists() {
        bobbin.deleteDestination();

        HttpReply first = bobbin.postBatch(QUICK_START);
        HttpReply second = bobbin.postBatch(BatchBody.table("pets", "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"kind\": {\"type\": \"string\"}}}")
                .keyNames("id").upsert(5, "{\"id\": 1, \"kind\": \"dog\"}"));
        for (HttpReply reply : List.of(first, second)) {
            assertAccepted(reply);
        }
        assertThat(bobbin.loadNow()).isZero();
        assertThat(bobbin.loadNow()).isZero();
        assertThat(bobbin.pendingBatches()).isEqualTo(2);
        assertThat(bobbin.tables("import_api")).as("nothing goes to the deleted duckdb destination").isEmpty();

        bobbin.createPostgresDestination(database);
        assertThat(bobbin.loadNow()).isEqualTo(2);

        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(tables()).containsExactly("customers", "pets");
        assertThat(pg("SELECT id, name, age, has_magic, _sdc_sequence FROM import_api.customers"))
                .containsExactly(row("1", "Finn", "15", "f", "1565880017"));
        assertThat(pg("SELECT id, kind FROM import_api.pets")).containsExactly(row("1", "dog"));
        assertThat(bobbin.tables("import_api")).isEmpty();
    }

    @Test
    void afterAPutToAnotherDatabaseLoadsGoThere() {
        long id = bobbin.switchToPostgres(database).get("id").asLong();
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
        bobbin.loadNow();
        PostgresConnection other = TestPostgres.newDatabase();

        HttpReply put = bobbin.connectPut("/v4/destinations/" + id, "{\"properties\":" + RunningBobbin.postgresProperties(other) + "}");
        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\": 2, \"name\": \"Jake\"}"));
        bobbin.loadNow();

        assertThat(put.status()).isEqualTo(200);
        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(pg("SELECT id, name FROM import_api.customers")).containsExactly(row("1", "Finn"));
        assertThat(pgAt(other, "SELECT id, name FROM import_api.customers")).containsExactly(row("2", "Jake"));
    }

    /** DECISIONS I1: accepted means durable; 201, or 202 while loading is backlogged. */
    private static void assertAccepted(HttpReply reply) {
        assertThat(reply.status()).as(reply.toString()).isIn(201, 202);
        assertThat(reply.json()).isEqualTo(JsonText.parse(reply.status() == 201
                ? "{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}"
                : "{\"status\":\"Accepted\",\"message\":\"The batch is queued to be processed.\"}"));
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static List<String> column(String name, String type, String nullable) {
        return List.of(name, type, nullable);
    }

    @SafeVarargs
    private static List<List<String>> withSdc(List<String>... data) {
        List<List<String>> all = new ArrayList<>(Arrays.asList(data));
        all.addAll(SDC_COLUMNS);
        return all;
    }

    private static List<String> row(String... values) {
        return Arrays.asList(values);
    }

    /** Tables of schema {@code import_api}, sorted. */
    private List<String> tables() {
        return pg("SELECT table_name FROM information_schema.tables WHERE table_schema = 'import_api' ORDER BY table_name")
                .stream().map(r -> r.get(0)).toList();
    }

    /** Name, {@code information_schema} data type and nullability of each column, in table order. */
    private List<List<String>> columns(String table) {
        return pg("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                + " WHERE table_schema = 'import_api' AND table_name = ? ORDER BY ordinal_position", table);
    }

    /** The primary-key constraint's name followed by its columns in key order; empty without one. */
    private List<String> primaryKey(String table) {
        List<List<String>> rows = pg("""
                SELECT tc.constraint_name, kcu.column_name
                FROM information_schema.table_constraints tc
                JOIN information_schema.key_column_usage kcu
                  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
                 AND kcu.table_name = tc.table_name
                WHERE tc.table_schema = 'import_api' AND tc.table_name = ? AND tc.constraint_type = 'PRIMARY KEY'
                ORDER BY kcu.ordinal_position""", table);
        List<String> out = new ArrayList<>();
        if (!rows.isEmpty()) {
            out.add(rows.get(0).get(0));
            rows.forEach(r -> out.add(r.get(1)));
        }
        return out;
    }

    /** Runs a query on the test database; every value as PostgreSQL's text, NULL as null. */
    private List<List<String>> pg(String sql, String... parameters) {
        return pgAt(database, sql, parameters);
    }

    private static List<List<String>> pgAt(PostgresConnection where, String sql, String... parameters) {
        try (Connection c = TestPostgres.connect(where); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int width = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(width);
                    for (int i = 1; i <= width; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }
}
