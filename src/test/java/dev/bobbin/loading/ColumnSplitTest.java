package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.BOOLEAN;
import static dev.bobbin.destination.ColumnType.DOUBLE;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.loading.LoadFixture.SDC;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.columnNames;
import static dev.bobbin.loading.LoadFixture.dataColumnNames;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.rejects;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.typeOf;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.TableChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One type per column; a field that arrives with another type splits (loading.md §10, Reading A as
 * settled by DECISIONS L1: the original column is renamed {@code <name>__<suffix of its type>}).
 * Key columns never split (L11).
 */
class ColumnSplitTest {

    /** loading.md §10.3 / mixed-data-types.yml, first job: age is an integer, has_magic a boolean. */
    private static final LoadFixture.Batch CUSTOMERS_JOB_1 = batch("job-1")
            .upsert(1, """
                    {"id":1,"name":"Finn","age":15,"has_magic":false}
                    """)
            .upsert(2, """
                    {"id":2,"name":"Jake","age":7,"has_magic":true}
                    """);

    /** Second job: age 16.0 is a double, has_magic "yes" a string; BMO's values keep the first types. */
    private static final LoadFixture.Batch CUSTOMERS_JOB_2 = batch("job-2")
            .upsert(3, """
                    {"id":3,"name":"Bubblegum","age":16.0,"has_magic":"yes"}
                    """)
            .upsert(4, """
                    {"id":4,"name":"BMO","age":11,"has_magic":false}
                    """);

    @Test
    void mixedTypes_job1_createsOneColumnPerFieldWithItsFirstType() {
        PreparedLoad load = load("customers", List.of("id"), CUSTOMERS_JOB_1);

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().create()).isTrue();
        assertThat(customers.change().addColumns()).containsExactlyElementsOf(
                withSdc(col("id", BIGINT), col("name", TEXT), col("age", BIGINT), col("has_magic", BOOLEAN)));
        assertThat(values(customers, "id", "name", "age", "has_magic"))
                .containsExactly(tuple(1L, "Finn", 15L, false), tuple(2L, "Jake", 7L, true));
    }

    @Test
    void mixedTypes_job2_renamesTheOriginalColumnsAndAddsOnePerNewType() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT), col("name", TEXT), col("age", BIGINT), col("has_magic", BOOLEAN)),
                        List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), CUSTOMERS_JOB_2);

        TablePlan customers = table(load, "customers");
        TableChange change = customers.change();
        assertThat(change.create()).isFalse();
        assertThat(change.renames()).containsExactly(
                new TableChange.Rename("age", "age__bi"),
                new TableChange.Rename("has_magic", "has_magic__bo"));
        assertThat(change.addColumns()).containsExactly(col("age__do", DOUBLE), col("has_magic__st", TEXT));
        assertThat(dataColumnNames(customers)).containsExactly("id", "name", "age__bi", "has_magic__bo", "age__do", "has_magic__st");
        assertThat(values(customers, "id", "name", "age__bi", "age__do", "has_magic__bo", "has_magic__st"))
                .containsExactly(
                        tuple(3L, "Bubblegum", null, 16.0, null, "yes"),
                        tuple(4L, "BMO", 11L, null, false, null));
    }

    @Test
    void mixedTypes_bothJobsInOneLoadUnit_givesTheSameTable() {
        PreparedLoad load = load("customers", List.of("id"), CUSTOMERS_JOB_1, CUSTOMERS_JOB_2);

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().create()).isTrue();
        assertThat(customers.change().renames()).isEmpty(); // folded into the CREATE
        assertThat(typeOf(customers, "age__bi")).isEqualTo(BIGINT);
        assertThat(typeOf(customers, "age__do")).isEqualTo(DOUBLE);
        assertThat(typeOf(customers, "has_magic__bo")).isEqualTo(BOOLEAN);
        assertThat(typeOf(customers, "has_magic__st")).isEqualTo(TEXT);
        assertThat(dataColumnNames(customers)).doesNotContain("age", "has_magic");
        assertThat(values(customers, "id", "age__bi", "age__do", "has_magic__bo", "has_magic__st"))
                .containsExactly(
                        tuple(1L, 15L, null, false, null),
                        tuple(2L, 7L, null, true, null),
                        tuple(3L, null, 16.0, null, "yes"),
                        tuple(4L, 11L, null, false, null));
    }

    @Test
    void pushCost_underTheRenameRule() {
        // import-api.md §7.2: cost 3.14, 10, 5.61. Reading B would give cost + cost__it; L1 + L3 give:
        PreparedLoad load = load("products", List.of("id"), batch("push-1")
                .upsert(1, """
                        {"id":1,"cost":3.14}
                        """)
                .upsert(2, """
                        {"id":2,"cost":10}
                        """)
                .upsert(3, """
                        {"id":3,"cost":5.61}
                        """));

        TablePlan products = table(load, "products");
        assertThat(products.change().create()).isTrue();
        assertThat(products.change().renames()).isEmpty();
        assertThat(products.change().addColumns()).containsExactlyElementsOf(
                withSdc(col("id", BIGINT), col("cost__do", DOUBLE), col("cost__bi", BIGINT)));
        assertThat(values(products, "id", "cost__do", "cost__bi"))
                .containsExactly(tuple(1L, 3.14, null), tuple(2L, null, 10L), tuple(3L, 5.61, null));
    }

    @Test
    void pushCost_acrossLoads_laterValuesGoToTheMatchingSuffixedColumn() {
        var warehouse = emptyWarehouse()
                .table("products", withSdc(col("id", BIGINT), col("cost", DOUBLE)), List.of("id"));

        PreparedLoad load = warehouse.load("products", List.of("id"), batch("push-2")
                .upsert(2, """
                        {"id":2,"cost":10}
                        """)
                .upsert(3, """
                        {"id":3,"cost":5.61}
                        """));

        TablePlan products = table(load, "products");
        assertThat(products.change().renames()).containsExactly(new TableChange.Rename("cost", "cost__do"));
        assertThat(products.change().addColumns()).containsExactly(col("cost__bi", BIGINT));
        assertThat(values(products, "id", "cost__do", "cost__bi"))
                .containsExactly(tuple(2L, null, 10L), tuple(3L, 5.61, null));
    }

    @Test
    void splittingInsideOneLoadUnitOnANewTable_renamesAreFoldedIntoTheCreate() {
        PreparedLoad load = load("orders", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1,"order_confirmed":true,"note":"first"}
                        """)
                .upsert(2, """
                        {"id":2,"order_confirmed":"yes"}
                        """));

        TablePlan orders = table(load, "orders");
        TableChange change = orders.change();
        assertThat(change.create()).isTrue();
        assertThat(change.renames()).isEmpty();
        List<Column> expected = new ArrayList<>(List.of(col("id", BIGINT), col("order_confirmed__bo", BOOLEAN), col("note", TEXT),
                col("order_confirmed__st", TEXT)));
        expected.addAll(SDC);
        assertThat(change.addColumns()).containsExactlyElementsOf(expected);
        assertThat(orders.rows().columns()).containsExactlyElementsOf(expected);
        assertThat(values(orders, "id", "order_confirmed__bo", "order_confirmed__st", "note"))
                .containsExactly(tuple(1L, true, null, "first"), tuple(2L, null, "yes", null));
    }

    @Test
    void splittingInsideOneLoadUnitOnAnExistingTable_theColumnAddedInThisUnitIsAddedUnderItsSuffixedName() {
        var warehouse = emptyWarehouse().table("orders", withSdc(col("id", BIGINT)), List.of("id"));

        PreparedLoad load = warehouse.load("orders", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1,"total":12}
                        """)
                .upsert(2, """
                        {"id":2,"total":"twelve"}
                        """));

        TablePlan orders = table(load, "orders");
        assertThat(orders.change().renames()).isEmpty(); // total never existed in the warehouse
        assertThat(orders.change().addColumns()).containsExactly(col("total__bi", BIGINT), col("total__st", TEXT));
        assertThat(values(orders, "id", "total__bi", "total__st")).containsExactly(tuple(1L, 12L, null), tuple(2L, null, "twelve"));
    }

    @Test
    void aThirdTypeAddsAThirdSuffixedColumn() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT), col("age__bi", BIGINT), col("age__do", DOUBLE)), List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b3").upsert(5, """
                {"id":5,"age":"unknown"}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().renames()).isEmpty();
        assertThat(customers.change().addColumns()).containsExactly(col("age__st", TEXT));
        assertThat(values(customers, "id", "age__bi", "age__do", "age__st")).containsExactly(tuple(5L, null, null, "unknown"));
    }

    @Test
    void aThirdTypeInOneLoadUnit() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1,"age":15}
                        """)
                .upsert(2, """
                        {"id":2,"age":16.5}
                        """)
                .upsert(3, """
                        {"id":3,"age":"old"}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", "age__bi", "age__do", "age__st");
        assertThat(values(customers, "age__bi", "age__do", "age__st"))
                .containsExactly(tuple(15L, null, null), tuple(null, 16.5, null), tuple(null, null, "old"));
    }

    @Test
    void valuesOfTheFirstTypeKeepGoingToTheRenamedColumn() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT), col("age__bi", BIGINT), col("age__do", DOUBLE)), List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b4").upsert(6, """
                {"id":6,"age":40}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().isEmpty()).isTrue();
        assertThat(columnNames(customers)).doesNotContain("age");
        assertThat(values(customers, "age__bi", "age__do")).containsExactly(tuple(40L, null));
    }

    @Test
    void keyColumnsNeverSplit_aKeyOfAnotherTypeIsRejected() {
        var warehouse = emptyWarehouse().table("customers", withSdc(col("id", BIGINT), col("name", TEXT)), List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":"abc","name":"Finn"}
                        """)
                .upsert(2, """
                        {"id":2,"name":"Jake"}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().isEmpty()).isTrue();
        assertThat(columnNames(customers)).doesNotContain("id__st", "id__bi");
        assertThat(values(customers, "id", "name")).containsExactly(tuple(2L, "Jake"));
        assertThat(load.rejects()).singleElement().satisfies(r -> {
            assertThat(r.tableName()).isEqualTo("customers");
            assertThat(r.reason()).contains("id").contains("key");
            assertThat(r.record()).isEqualTo("{\"id\":\"abc\",\"name\":\"Finn\"}");
        });
    }

    @Test
    void keyColumnsNeverSplit_evenWhenTheTableIsCreatedInTheSameLoadUnit() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1,"name":"Finn"}
                        """)
                .upsert(2, """
                        {"id":"two","name":"Jake"}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", "name");
        assertThat(typeOf(customers, "id")).isEqualTo(BIGINT);
        assertThat(values(customers, "id", "name")).containsExactly(tuple(1L, "Finn"));
        assertThat(rejects(load)).hasSize(1);
        assertThat(load.rejects().get(0).record()).isEqualTo("{\"id\":\"two\",\"name\":\"Jake\"}");
    }
}
