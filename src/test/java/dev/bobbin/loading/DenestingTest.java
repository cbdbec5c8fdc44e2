package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.DOUBLE;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.loading.LoadFixture.SDC;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.childDeleteTables;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.dataColumnNames;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.rows;
import static dev.bobbin.loading.LoadFixture.rowsOf;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.tableNames;
import static dev.bobbin.loading.LoadFixture.typeOf;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.versionedTableNames;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bobbin.destination.TableChange;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Objects flatten into {@code parent__child} columns; arrays become subtables (loading.md §7, DECISIONS L5, L6, L7). */
class DenestingTest {

    /** loading.md §7.3 worked example, with the second line item the spec adds. */
    private static final String ORDER_1234 = """
            {"order_id":"1234","created_at":"2015-01-01 00:00:00","customer_id":"100",
             "line_items":[
               {"product_id":"5008798","price":"5.99","quantity":"1",
                "tax_lines":[{"price":"5.99","rate":"0.06","title":"State Tax"}]},
               {"product_id":"3445689","price":"10.99","quantity":"1",
                "tax_lines":[{"price":"10.99","rate":"0.06","title":"State Tax"}]}]}
            """;

    @Test
    void ordersLineItemsTaxLines_tableNames() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, ORDER_1234));

        assertThat(tableNames(load)).containsExactly("orders", "orders__line_items", "orders__line_items__tax_lines");
        // 1 order + 2 line items + 2 tax lines = 5 rows (loading.md §7.3)
        assertThat(load.tables().stream().mapToInt(t -> t.rows().rows().size()).sum()).isEqualTo(5);
    }

    @Test
    void ordersLineItemsTaxLines_topLevelTableKeepsOnlyScalars() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, ORDER_1234));

        TablePlan orders = table(load, "orders");
        assertThat(dataColumnNames(orders)).containsExactly("order_id", "created_at", "customer_id");
        assertThat(orders.change().keyColumns()).containsExactly("order_id");
        assertThat(orders.change().subtableOf()).isEmpty();
        assertThat(values(orders, "order_id", "created_at", "customer_id"))
                .containsExactly(tuple("1234", "2015-01-01 00:00:00", "100"));
    }

    @Test
    void ordersLineItemsTaxLines_lineItems() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, ORDER_1234));

        TablePlan lineItems = table(load, "orders__line_items");
        assertThat(dataColumnNames(lineItems))
                .containsExactly("_sdc_source_key_order_id", "_sdc_level_0_id", "product_id", "price", "quantity");
        assertThat(typeOf(lineItems, "_sdc_source_key_order_id")).isEqualTo(TEXT); // same type as orders.order_id
        assertThat(typeOf(lineItems, "_sdc_level_0_id")).isEqualTo(BIGINT);
        assertThat(values(lineItems, "_sdc_source_key_order_id", "_sdc_level_0_id", "product_id", "price", "quantity"))
                .containsExactly(
                        tuple("1234", 0L, "5008798", "5.99", "1"),
                        tuple("1234", 1L, "3445689", "10.99", "1"));
    }

    @Test
    void ordersLineItemsTaxLines_taxLinesCarryTheTopLevelKeyAndOneLevelPerArray() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, ORDER_1234));

        TablePlan taxLines = table(load, "orders__line_items__tax_lines");
        assertThat(dataColumnNames(taxLines)).containsExactly(
                "_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id", "price", "rate", "title");
        // L5: _sdc_level_1_id restarts at 0 for each line item
        assertThat(values(taxLines, "_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id", "price", "rate", "title"))
                .containsExactly(
                        tuple("1234", 0L, 0L, "5.99", "0.06", "State Tax"),
                        tuple("1234", 1L, 0L, "10.99", "0.06", "State Tax"));
    }

    @Test
    void levelIdsRestartAtZeroForEveryParent() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, """
                {"order_id":1,"line_items":[
                   {"sku":"a","tax_lines":[{"title":"t00"},{"title":"t01"}]},
                   {"sku":"b","tax_lines":[{"title":"t10"},{"title":"t11"},{"title":"t12"}]}]}
                """).upsert(2, """
                {"order_id":2,"line_items":[{"sku":"c","tax_lines":[{"title":"t00"}]}]}
                """));

        assertThat(values(table(load, "orders__line_items"), "_sdc_source_key_order_id", "_sdc_level_0_id", "sku"))
                .containsExactly(tuple(1L, 0L, "a"), tuple(1L, 1L, "b"), tuple(2L, 0L, "c"));
        assertThat(values(table(load, "orders__line_items__tax_lines"),
                "_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id", "title"))
                .containsExactly(
                        tuple(1L, 0L, 0L, "t00"), tuple(1L, 0L, 1L, "t01"),
                        tuple(1L, 1L, 0L, "t10"), tuple(1L, 1L, 1L, "t11"), tuple(1L, 1L, 2L, "t12"),
                        tuple(2L, 0L, 0L, "t00"));
    }

    @Test
    void subtablePrimaryKeyIsSourceKeysPlusLevelIds_andSubtableOfIsTheTopLevelTable() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, ORDER_1234));

        TableChange lineItems = table(load, "orders__line_items").change();
        assertThat(lineItems.create()).isTrue();
        assertThat(lineItems.keyColumns()).containsExactly("_sdc_source_key_order_id", "_sdc_level_0_id");
        assertThat(lineItems.subtableOf()).contains("orders");

        TableChange taxLines = table(load, "orders__line_items__tax_lines").change();
        assertThat(taxLines.create()).isTrue();
        assertThat(taxLines.keyColumns()).containsExactly("_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id");
        assertThat(taxLines.subtableOf()).contains("orders");
    }

    @Test
    void subtablesOfACompositeKeyGetOneSourceKeyColumnPerKey_sendGridEventsCategory() {
        PreparedLoad load = load("events", List.of("event", "email", "timestamp"), batch("b1").upsert(1, """
                {"event":"open","email":"finn@example.com","timestamp":1574807356,"category":["promo","weekly"]}
                """));

        TablePlan category = table(load, "events__category");
        assertThat(dataColumnNames(category)).containsExactly(
                "_sdc_source_key_event", "_sdc_source_key_email", "_sdc_source_key_timestamp", "_sdc_level_0_id", "value");
        assertThat(category.change().keyColumns()).containsExactly(
                "_sdc_source_key_event", "_sdc_source_key_email", "_sdc_source_key_timestamp", "_sdc_level_0_id");
        assertThat(values(category, "_sdc_source_key_event", "_sdc_source_key_email", "_sdc_source_key_timestamp", "_sdc_level_0_id", "value"))
                .containsExactly(
                        tuple("open", "finn@example.com", 1574807356L, 0L, "promo"),
                        tuple("open", "finn@example.com", 1574807356L, 1L, "weekly"));
    }

    @Test
    void peopleBestFriends() {
        PreparedLoad load = load("people", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"name":"Finn","type":"human","best_friends":[
                   {"id":2,"name":"Jake","type":"dog"},
                   {"id":3,"name":"Bubblegum","type":"princess"},
                   {"id":4,"name":"BMO","type":"robot"}]}
                """));

        assertThat(tableNames(load)).containsExactly("people", "people__best_friends");
        assertThat(values(table(load, "people"), "id", "name", "type")).containsExactly(tuple(1L, "Finn", "human"));
        TablePlan friends = table(load, "people__best_friends");
        assertThat(dataColumnNames(friends)).containsExactly("_sdc_source_key_id", "_sdc_level_0_id", "id", "name", "type");
        assertThat(typeOf(friends, "_sdc_source_key_id")).isEqualTo(BIGINT); // same type as people.id
        assertThat(values(friends, "_sdc_source_key_id", "_sdc_level_0_id", "id", "name", "type"))
                .containsExactly(
                        tuple(1L, 0L, 2L, "Jake", "dog"),
                        tuple(1L, 1L, 3L, "Bubblegum", "princess"),
                        tuple(1L, 2L, 4L, "BMO", "robot"));
    }

    @Test
    void scalarArrayElementsGoToAValueColumn() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"tags":["a","b"]}
                """));

        TablePlan tags = table(load, "customers__tags");
        assertThat(dataColumnNames(tags)).containsExactly("_sdc_source_key_id", "_sdc_level_0_id", "value");
        assertThat(typeOf(tags, "value")).isEqualTo(TEXT);
        assertThat(values(tags, "_sdc_source_key_id", "_sdc_level_0_id", "value"))
                .containsExactly(tuple(1L, 0L, "a"), tuple(1L, 1L, "b"));
        assertThat(dataColumnNames(table(load, "customers"))).containsExactly("id");
    }

    @Test
    void scalarArrayWithMixedElementTypes_newSubtable_splitsValueIntoTypedColumns() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"friend_ids":[7,"eight",9]}
                """));

        TablePlan friendIds = table(load, "customers__friend_ids");
        // L1: value (first type bigint) is renamed value__bi; the string goes to value__st; folded into the CREATE
        assertThat(friendIds.change().create()).isTrue();
        assertThat(friendIds.change().renames()).isEmpty();
        assertThat(dataColumnNames(friendIds)).containsExactly("_sdc_source_key_id", "_sdc_level_0_id", "value__bi", "value__st");
        assertThat(typeOf(friendIds, "value__bi")).isEqualTo(BIGINT);
        assertThat(typeOf(friendIds, "value__st")).isEqualTo(TEXT);
        assertThat(values(friendIds, "_sdc_level_0_id", "value__bi", "value__st"))
                .containsExactly(tuple(0L, 7L, null), tuple(1L, null, "eight"), tuple(2L, 9L, null));
    }

    @Test
    void scalarArrayWithMixedElementTypes_existingSubtable_renamesValueToItsFirstSuffix() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT)), List.of("id"), "customers__friend_ids")
                .table("customers__friend_ids",
                        withSdc(col("_sdc_source_key_id", BIGINT), col("_sdc_level_0_id", BIGINT), col("value", BIGINT)),
                        List.of("_sdc_source_key_id", "_sdc_level_0_id"))
                .stored(List.of(1L), 10);

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b2").upsert(11, """
                {"id":1,"friend_ids":["eight"]}
                """));

        TablePlan friendIds = table(load, "customers__friend_ids");
        assertThat(friendIds.change().create()).isFalse();
        assertThat(friendIds.change().renames()).containsExactly(new TableChange.Rename("value", "value__bi"));
        assertThat(friendIds.change().addColumns()).containsExactly(col("value__st", TEXT));
        assertThat(values(friendIds, "_sdc_source_key_id", "_sdc_level_0_id", "value__bi", "value__st"))
                .containsExactly(tuple(1L, 0L, null, "eight"));
    }

    @Test
    void arrayInsideAnObjectIsNamedByItsFlattenedPath() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"profile":{"name":"Finn","tags":["hero","human"]}}
                """));

        assertThat(tableNames(load)).containsExactly("customers", "customers__profile__tags");
        assertThat(dataColumnNames(table(load, "customers"))).containsExactly("id", "profile__name");
        assertThat(values(table(load, "customers__profile__tags"), "_sdc_source_key_id", "_sdc_level_0_id", "value"))
                .containsExactly(tuple(1L, 0L, "hero"), tuple(1L, 1L, "human"));
    }

    @Test
    void emptyArrayOnANewTable_noSubtableRows() {
        PreparedLoad load = load("orders", List.of("order_id"), batch("b1").upsert(1, """
                {"order_id":"1234","line_items":[]}
                """));

        assertThat(rowsOf(load, "orders__line_items")).isEmpty();
        assertThat(load.childDeletes()).isEmpty();
        assertThat(values(table(load, "orders"), "order_id")).containsExactly(tuple("1234"));
    }

    @Test
    void emptyArrayReplacingAStoredRow_noChildRowsButTheSubtableIsClearedForThatParent() {
        var warehouse = ordersWithLineItemsStored();

        PreparedLoad load = warehouse.load("orders", List.of("order_id"), batch("b2").upsert(200, """
                {"order_id":"1234","line_items":[]}
                """));

        assertThat(rowsOf(load, "orders__line_items")).isEmpty();
        assertThat(childDeleteTables(load)).containsExactlyInAnyOrder("orders__line_items", "orders__line_items__tax_lines");
        for (PreparedLoad.ChildDelete delete : load.childDeletes()) {
            assertThat(delete.sourceKeyColumns()).containsExactly(col("_sdc_source_key_order_id", TEXT));
            assertThat(delete.parentKeys()).containsExactly(List.of("1234"));
        }
        assertThat(versionedTableNames(load)).contains("orders__line_items");
    }

    @Test
    void objectsFlattenIntoDoubleUnderscoreColumns_productAttributes() {
        PreparedLoad load = load("products", List.of("product_id"), batch("b1").upsert(1, """
                {"product_id":"5008798","name":"Awesome Dino Shirt","price":"5.99",
                 "attributes":{"color":"blue","size":"large","type":"clothing","ounces":"5"}}
                """));

        assertThat(tableNames(load)).containsExactly("products");
        TablePlan products = table(load, "products");
        assertThat(dataColumnNames(products)).containsExactly(
                "product_id", "name", "price", "attributes__color", "attributes__size", "attributes__type", "attributes__ounces");
        assertThat(values(products, "attributes__color", "attributes__size", "attributes__type", "attributes__ounces"))
                .containsExactly(tuple("blue", "large", "clothing", "5"));
    }

    @Test
    void objectsInsideObjectsFlattenRecursively_addressGeoLat() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"address":{"city":"Ooo","geo":{"lat":41.5,"lng":-81.7}}}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", "address__city", "address__geo__lat", "address__geo__lng");
        assertThat(typeOf(customers, "address__geo__lat")).isEqualTo(DOUBLE);
        assertThat(values(customers, "address__city", "address__geo__lat", "address__geo__lng"))
                .containsExactly(tuple("Ooo", 41.5, -81.7));
    }

    @Test
    void objectsInsideArrayElementsFlattenIntoSubtableColumns() {
        PreparedLoad load = load("deals", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"items":[{"value":{"amount":5,"currency":"USD"},"date_lost":"2020-01-01"}]}
                """));

        assertThat(dataColumnNames(table(load, "deals__items"))).containsExactly(
                "_sdc_source_key_id", "_sdc_level_0_id", "value__amount", "value__currency", "date_lost");
    }

    @Test
    void keylessTable_subtablesLinkThroughTheGeneratedPrimaryKey() {
        PreparedLoad load = load("events", List.of(), batch("b1")
                .upsert(1, """
                        {"name":"signup","tags":["x","y"]}
                        """)
                .upsert(2, """
                        {"name":"login","tags":["z"]}
                        """));

        TablePlan events = table(load, "events");
        assertThat(events.change().keyColumns()).isEmpty();
        List<String> generated = new ArrayList<>();
        for (var row : rows(events)) {
            String key = (String) row.get("__sdc_primary_key");
            assertThat(UUID.fromString(key).toString()).isEqualTo(key);
            generated.add(key);
        }
        assertThat(generated).doesNotHaveDuplicates().hasSize(2);

        TablePlan tags = table(load, "events__tags");
        assertThat(dataColumnNames(tags)).containsExactly("_sdc_source_key___sdc_primary_key", "_sdc_level_0_id", "value");
        assertThat(typeOf(tags, "_sdc_source_key___sdc_primary_key")).isEqualTo(TEXT);
        assertThat(tags.change().keyColumns()).containsExactly("_sdc_source_key___sdc_primary_key", "_sdc_level_0_id");
        assertThat(tags.change().subtableOf()).contains("events");
        assertThat(values(tags, "_sdc_source_key___sdc_primary_key", "_sdc_level_0_id", "value"))
                .containsExactly(
                        tuple(generated.get(0), 0L, "x"),
                        tuple(generated.get(0), 1L, "y"),
                        tuple(generated.get(1), 0L, "z"));
    }

    @Test
    void subtablesGetTheSdcColumnsToo() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(42, """
                {"id":1,"tags":["a"]}
                """));

        TablePlan tags = table(load, "customers__tags");
        assertThat(tags.rows().columns()).containsAll(SDC);
        assertThat(values(tags, "_sdc_sequence", "_sdc_table_version")).containsExactly(tuple(42L, 0L));
    }

    @Test
    void anExistingSubtableIsNotRecreatedAndKeepsItsParent() {
        var warehouse = ordersWithLineItemsStored();

        PreparedLoad load = warehouse.load("orders", List.of("order_id"), batch("b2").upsert(300, """
                {"order_id":"5678","line_items":[{"product_id":"1","price":"1.00","quantity":"2"}]}
                """));

        TableChange change = table(load, "orders__line_items").change();
        assertThat(change.create()).isFalse();
        assertThat(change.isEmpty()).isTrue();
        assertThat(change.subtableOf()).isEmpty();
        assertThat(values(table(load, "orders__line_items"), "_sdc_source_key_order_id", "_sdc_level_0_id", "product_id"))
                .containsExactly(tuple("5678", 0L, "1"));
    }

    /** orders with both subtables of the §7.3 example, order 1234 stored at sequence 100. */
    private static LoadFixture.Warehouse ordersWithLineItemsStored() {
        return emptyWarehouse()
                .table("orders", withSdc(col("order_id", TEXT), col("created_at", TEXT), col("customer_id", TEXT)),
                        List.of("order_id"), "orders__line_items", "orders__line_items__tax_lines")
                .table("orders__line_items", withSdc(col("_sdc_source_key_order_id", TEXT), col("_sdc_level_0_id", BIGINT),
                                col("product_id", TEXT), col("price", TEXT), col("quantity", TEXT)),
                        List.of("_sdc_source_key_order_id", "_sdc_level_0_id"))
                .table("orders__line_items__tax_lines", withSdc(col("_sdc_source_key_order_id", TEXT), col("_sdc_level_0_id", BIGINT),
                                col("_sdc_level_1_id", BIGINT), col("price", TEXT), col("rate", TEXT), col("title", TEXT)),
                        List.of("_sdc_source_key_order_id", "_sdc_level_0_id", "_sdc_level_1_id"))
                .stored(List.of("1234"), 100);
    }
}
