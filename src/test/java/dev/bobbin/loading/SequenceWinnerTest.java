package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.DOUBLE;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.childDeleteTables;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.rows;
import static dev.bobbin.loading.LoadFixture.rowsOf;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which record wins (loading.md §5, DECISIONS L2, L6, L12): per key, a record replaces another only
 * with a strictly greater sequence, inside one load unit and against the stored row; ties keep the
 * record accepted first; the winner replaces the whole row and its subtables.
 */
class SequenceWinnerTest {

    @Test
    void oneRequest_theGreaterSequenceWinsWhateverTheOrder() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(1574807445000L, """
                        {"id":2,"name":"Jake"}
                        """)
                .upsert(1574807395000L, """
                        {"id":2,"name":"Jake (older)"}
                        """));

        assertThat(values(table(load, "customers"), "id", "name", "_sdc_sequence"))
                .containsExactly(tuple(2L, "Jake", 1574807445000L));
        assertThat(load.rejects()).isEmpty();
    }

    @Test
    void batchExample_dataPoints1And2Continue_3IsDropped() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(1574807356000L, """
                        {"id":1,"name":"Finn"}
                        """)
                .upsert(1574807445000L, """
                        {"id":2,"name":"Jake"}
                        """)
                .upsert(1574807395000L, """
                        {"id":2,"name":"Jake, earlier"}
                        """));

        assertThat(values(table(load, "customers"), "id", "name", "_sdc_sequence"))
                .containsExactly(tuple(1L, "Finn", 1574807356000L), tuple(2L, "Jake", 1574807445000L));
    }

    @Test
    void fourRequests_inOneLoadUnit_finalId10IsCanceled() {
        PreparedLoad load = load("orders", List.of("id"),
                batch("r1").upsert(100, """
                        {"id":10,"status":"pending"}
                        """),
                batch("r2").upsert(101, """
                        {"id":10,"status":"canceled"}
                        """),
                batch("r3").upsert(99, """
                        {"id":10,"status":"new"}
                        """),
                batch("r4").upsert(90, """
                        {"id":22,"status":"new"}
                        """));

        assertThat(values(table(load, "orders"), "id", "status", "_sdc_sequence"))
                .containsExactly(tuple(10L, "canceled", 101L), tuple(22L, "new", 90L));
    }

    @Test
    void fourRequests_eachItsOwnLoad_againstTheStoredRow() {
        var warehouse = emptyWarehouse().table("orders", withSdc(col("id", BIGINT), col("status", TEXT)), List.of("id"));

        PreparedLoad first = warehouse.load("orders", List.of("id"), batch("r1").upsert(100, """
                {"id":10,"status":"pending"}
                """));
        assertThat(values(table(first, "orders"), "id", "status")).containsExactly(tuple(10L, "pending"));

        warehouse.stored(List.of(10L), 100);
        PreparedLoad second = warehouse.load("orders", List.of("id"), batch("r2").upsert(101, """
                {"id":10,"status":"canceled"}
                """));
        assertThat(values(table(second, "orders"), "id", "status")).containsExactly(tuple(10L, "canceled"));

        warehouse.stored(List.of(10L), 101);
        PreparedLoad third = warehouse.load("orders", List.of("id"), batch("r3").upsert(99, """
                {"id":10,"status":"new"}
                """));
        assertThat(rowsOf(third, "orders")).isEmpty(); // lower than 2: dropped
        assertThat(third.rejects()).isEmpty();

        PreparedLoad fourth = warehouse.load("orders", List.of("id"), batch("r4").upsert(90, """
                {"id":22,"status":"new"}
                """));
        assertThat(values(table(fourth, "orders"), "id", "status")).containsExactly(tuple(22L, "new")); // different key
    }

    @Test
    void tiesInsideOneRequest_keepTheFirst() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(500, """
                        {"id":1,"name":"first"}
                        """)
                .upsert(500, """
                        {"id":1,"name":"second"}
                        """));

        assertThat(values(table(load, "customers"), "id", "name")).containsExactly(tuple(1L, "first"));
    }

    @Test
    void tiesAcrossRequests_keepTheOneAcceptedFirst() {
        PreparedLoad load = load("customers", List.of("id"),
                batch("accepted-first").upsert(500, """
                        {"id":1,"name":"first"}
                        """),
                batch("accepted-second").upsert(500, """
                        {"id":1,"name":"second"}
                        """));

        assertThat(values(table(load, "customers"), "id", "name")).containsExactly(tuple(1L, "first"));
    }

    @Test
    void tiesWithTheStoredRow_keepTheStoredRow() {
        var warehouse = ordersWithLineItems().stored(List.of("1234"), 500);

        PreparedLoad load = warehouse.load("orders", List.of("order_id"), batch("b2").upsert(500, """
                {"order_id":"1234","line_items":[{"product_id":"x"}]}
                """));

        assertThat(rowsOf(load, "orders")).isEmpty();
        assertThat(rowsOf(load, "orders__line_items")).isEmpty();
        assertThat(load.childDeletes()).isEmpty();
    }

    @Test
    void winnersNotAboveTheStoredSequence_produceNoRowsAndNoChildDeletes() {
        var warehouse = ordersWithLineItems()
                .stored(List.of("1234"), 500)
                .stored(List.of("5678"), 300);

        PreparedLoad load = warehouse.load("orders", List.of("order_id"), batch("b2")
                .upsert(499, """
                        {"order_id":"1234","customer_id":"late","line_items":[{"product_id":"old"}]}
                        """)
                .upsert(300, """
                        {"order_id":"5678","customer_id":"same","line_items":[{"product_id":"old"}]}
                        """)
                .upsert(10, """
                        {"order_id":"9999","customer_id":"new","line_items":[{"product_id":"fresh"}]}
                        """));

        assertThat(values(table(load, "orders"), "order_id", "customer_id")).containsExactly(tuple("9999", "new"));
        assertThat(values(table(load, "orders__line_items"), "_sdc_source_key_order_id", "product_id"))
                .containsExactly(tuple("9999", "fresh"));
        assertThat(load.childDeletes()).isEmpty(); // 9999 was never stored: nothing to clear
    }

    @Test
    void winnersThatBeatTheStoredRow_deleteTheirRowsInEveryExistingSubtable() {
        var warehouse = ordersWithLineItems()
                .stored(List.of("1234"), 100)
                .stored(List.of("5678"), 900);

        PreparedLoad load = warehouse.load("orders", List.of("order_id"), batch("b2")
                .upsert(200, """
                        {"order_id":"1234","customer_id":"100","line_items":[{"product_id":"5008798"}]}
                        """)
                .upsert(800, """
                        {"order_id":"5678","customer_id":"loses"}
                        """)
                .upsert(50, """
                        {"order_id":"9999","customer_id":"new"}
                        """));

        // L6: both subtables of orders, including the one this record has no array for
        assertThat(childDeleteTables(load)).containsExactlyInAnyOrder("orders__line_items", "orders__line_items__tax_lines");
        for (PreparedLoad.ChildDelete delete : load.childDeletes()) {
            assertThat(delete.subtable().schema()).isEqualTo(LoadFixture.SCHEMA);
            assertThat(delete.sourceKeyColumns()).containsExactly(col("_sdc_source_key_order_id", TEXT));
            assertThat(delete.parentKeys()).containsExactly(List.of("1234"));
        }
        assertThat(values(table(load, "orders__line_items"), "_sdc_source_key_order_id", "_sdc_level_0_id", "product_id"))
                .containsExactly(tuple("1234", 0L, "5008798"));
    }

    @Test
    void childDeletesUseTheSourceKeyColumnsOfACompositeKey() {
        var warehouse = emptyWarehouse()
                .table("events", withSdc(col("event", TEXT), col("email", TEXT)), List.of("event", "email"), "events__category")
                .table("events__category", withSdc(col("_sdc_source_key_event", TEXT), col("_sdc_source_key_email", TEXT),
                        col("_sdc_level_0_id", BIGINT), col("value", TEXT)),
                        List.of("_sdc_source_key_event", "_sdc_source_key_email", "_sdc_level_0_id"))
                .stored(List.of("open", "finn@example.com"), 1);

        PreparedLoad load = warehouse.load("events", List.of("event", "email"), batch("b2").upsert(2, """
                {"event":"open","email":"finn@example.com"}
                """));

        assertThat(load.childDeletes()).singleElement().satisfies(d -> {
            assertThat(d.subtable().table()).isEqualTo("events__category");
            assertThat(d.sourceKeyColumns()).containsExactly(col("_sdc_source_key_event", TEXT), col("_sdc_source_key_email", TEXT));
            assertThat(d.parentKeys()).containsExactly(List.of("open", "finn@example.com"));
        });
    }

    @Test
    void aWinnerReplacesTheWholeRow_columnsItLacksBecomeNull() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT), col("name", TEXT), col("email", TEXT),
                        col("age__bi", BIGINT), col("age__do", DOUBLE)), List.of("id"))
                .stored(List.of(1L), 100);

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b2").upsert(200, """
                {"id":1,"name":"Finn","age":16}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.rows().keyColumns()).containsExactly("id");
        Map<String, Object> row = rows(customers).get(0);
        assertThat(row).containsEntry("id", 1L).containsEntry("name", "Finn").containsEntry("age__bi", 16L)
                .containsEntry("email", null).containsEntry("age__do", null)
                .containsEntry("_sdc_sequence", 200L);
    }

    @Test
    void insideOneLoadUnit_theWinnerTakesNothingFromTheRecordItBeat() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(2, """
                        {"id":1,"name":"Finn"}
                        """)
                .upsert(1, """
                        {"id":1,"name":"Finn, older","email":"finn@example.com"}
                        """));

        List<Map<String, Object>> rows = rows(table(load, "customers"));
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("name", "Finn").containsEntry("_sdc_sequence", 2L);
            assertThat(r.get("email")).isNull();
        });
    }

    @Test
    void keylessTables_appendEveryRecord() {
        PreparedLoad load = load("events", List.of(), batch("b1")
                .upsert(5, """
                        {"name":"a"}
                        """)
                .upsert(5, """
                        {"name":"a"}
                        """)
                .upsert(1, """
                        {"name":"a"}
                        """));

        TablePlan events = table(load, "events");
        assertThat(events.rows().keyColumns()).isEmpty();
        assertThat(values(events, "name", "_sdc_sequence")).containsExactly(tuple("a", 5L), tuple("a", 5L), tuple("a", 1L));
    }

    /** orders with both subtables of the loading.md §7.3 example. */
    private static LoadFixture.Warehouse ordersWithLineItems() {
        return emptyWarehouse()
                .table("orders", withSdc(col("order_id", TEXT), col("customer_id", TEXT)),
                        List.of("order_id"), "orders__line_items", "orders__line_items__tax_lines")
                .table("orders__line_items", withSdc(col("_sdc_source_key_order_id", TEXT), col("_sdc_level_0_id", BIGINT),
                                col("product_id", TEXT)),
                        List.of("_sdc_source_key_order_id", "_sdc_level_0_id"))
                .table("orders__line_items__tax_lines", withSdc(col("_sdc_source_key_order_id", TEXT), col("_sdc_level_0_id", BIGINT),
                                col("_sdc_level_1_id", BIGINT), col("title", TEXT)),
                        List.of("_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id"));
    }
}
