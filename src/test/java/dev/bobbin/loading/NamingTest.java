package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.dataColumnNames;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.rejectReasons;
import static dev.bobbin.loading.LoadFixture.rejects;
import static dev.bobbin.loading.LoadFixture.rowsOf;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.tableNames;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Table and column names (loading.md §8, §11, §12.1 as settled by DECISIONS L4): object-names.yml
 * cleaning, length limits, collisions and reserved prefixes and suffixes.
 */
class NamingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            customer#id     | customerid
            !CuStoMeRId     | CuStoMeRId
            !customerid     | customerid
            customer!id     | customerid
            CUSTOMER! ID    | CUSTOMER ID
            customer id     | customer id
            CUSTOMER ID     | CUSTOMER ID
            4customerid     | customerid
            123customerid   | customerid
            _customerid     | _customerid
            _987CUSTOMERID  | _987CUSTOMERID
            CuStOmErId      | CuStOmErId
            customerID      | customerID
            """)
    void columnNamesAreCleanedLikeObjectNamesYml(String sent, String column) {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, record("id", 1, sent, "x")));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", column);
        assertThat(values(customers, column)).containsExactly(tuple("x"));
        assertThat(load.rejects()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            customer#orders  | customerorders
            4Customer Orders | Customer Orders
            _orders          | _orders
            """)
    void tableNamesAreCleanedTheSameWay(String sent, String table) {
        PreparedLoad load = load(sent, List.of("id"), batch("b1").upsert(1, """
                {"id":1}
                """));

        assertThat(tableNames(load)).containsExactly(table);
    }

    @Test
    void keyNamesAreCleanedLikeTheFieldsTheyName() {
        PreparedLoad load = load("customers", List.of("Customer#Id"), batch("b1").upsert(1, """
                {"Customer#Id":7,"name":"Finn"}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().keyColumns()).containsExactly("CustomerId");
        assertThat(values(customers, "CustomerId", "name")).containsExactly(tuple(7L, "Finn"));
    }

    @Test
    void tableNameOf63CharactersLoads() {
        String name = "t".repeat(63);

        PreparedLoad load = load(name, List.of("id"), batch("b1").upsert(1, """
                {"id":1}
                """));

        assertThat(tableNames(load)).containsExactly(name);
        assertThat(load.rejects()).isEmpty();
    }

    @Test
    void tableNameOver63Characters_everyRecordOfTheTableIsRejected() {
        String name = "t".repeat(64);

        PreparedLoad load = load(name, List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1}
                        """)
                .upsert(2, """
                        {"id":2}
                        """));

        assertThat(load.tables()).isEmpty();
        assertThat(load.rejects()).hasSize(2).allSatisfy(r -> {
            assertThat(r.tableName()).isEqualTo(name);
            assertThat(r.reason()).startsWith("Table name " + name).contains("63");
        });
        assertThat(load.rejects()).extracting(r -> r.record()).containsExactly("{\"id\":1}", "{\"id\":2}");
    }

    @Test
    void subtableNameOver63Characters_theRecordIsRejected() {
        String table = "t".repeat(50);
        String field = "f".repeat(12); // t…t__f…f = 64 characters

        PreparedLoad load = load(table, List.of("id"), batch("b1")
                .upsert(1, "{\"id\":1,\"" + field + "\":[1,2]}")
                .upsert(2, "{\"id\":2}"));

        assertThat(values(table(load, table), "id")).containsExactly(tuple(2L));
        assertThat(load.rejects()).singleElement().satisfies(r -> {
            assertThat(r.tableName()).isEqualTo(table);
            assertThat(r.reason()).contains(table + "__" + field).contains("63");
        });
    }

    @Test
    void columnNameOf59CharactersLoads() {
        String column = "c".repeat(59);

        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, record("id", 1, column, "x")));

        assertThat(dataColumnNames(table(load, "customers"))).containsExactly("id", column);
        assertThat(load.rejects()).isEmpty();
    }

    @Test
    void columnNameOver59Characters_thatValueIsRejected_theRestOfTheRecordLoads() {
        String column = "c".repeat(60);
        String data = "{\"id\":1,\"name\":\"Finn\",\"" + column + "\":\"too long\"}";

        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, data));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", "name");
        assertThat(values(customers, "id", "name")).containsExactly(tuple(1L, "Finn"));
        assertThat(load.rejects()).singleElement().satisfies(r -> {
            assertThat(r.tableName()).isEqualTo("customers");
            assertThat(r.reason()).startsWith("Column name " + column).contains("59");
            assertThat(r.record()).isEqualTo(data);
        });
    }

    @Test
    void flattenedColumnNameOver59Characters_isDroppedTheSameWay() {
        String inner = "p".repeat(52); // address__ + 52 = 61 characters

        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1,
                "{\"id\":1,\"address\":{\"city\":\"Ooo\",\"" + inner + "\":1}}"));

        assertThat(dataColumnNames(table(load, "customers"))).containsExactly("id", "address__city");
        assertThat(rejectReasons(load)).singleElement().asString().startsWith("Column name address__" + inner);
    }

    @Test
    void fieldCollision_idAndID() {
        PreparedLoad load = load("customers", List.of(), batch("b1")
                .upsert(1, """
                        {"id":1,"ID":"Paul"}
                        """)
                .upsert(2, """
                        {"id":2}
                        """));

        assertThat(rejects(load)).containsExactly(tuple("customers", "Field collision on id", "{\"id\":1,\"ID\":\"Paul\"}"));
        assertThat(values(table(load, "customers"), "id")).containsExactly(tuple(2L));
    }

    @Test
    void fieldCollision_twoNamesThatCleanToTheSameName() {
        PreparedLoad load = load("customers", List.of(), batch("b1").upsert(1, """
                {"customerid":1,"customer!id":2}
                """));

        assertThat(rejectReasons(load)).containsExactly("Field collision on customerid");
        assertThat(rowsOf(load, "customers")).isEmpty();
    }

    @Test
    void fieldCollision_insideAFlattenedObject() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"address":{"city":"Ooo","City":"Ooo"}}
                """));

        assertThat(rejectReasons(load)).containsExactly("Field collision on address__city");
    }

    @Test
    void aNameThatDiffersOnlyInCaseFromAnExistingColumnIsACollision() {
        var warehouse = emptyWarehouse().table("customers", withSdc(col("id", BIGINT), col("name", TEXT)), List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b2")
                .upsert(1, """
                        {"id":1,"Name":"Finn"}
                        """)
                .upsert(2, """
                        {"id":2,"name":"Jake"}
                        """));

        assertThat(rejects(load)).containsExactly(tuple("customers", "Field collision on name", "{\"id\":1,\"Name\":\"Finn\"}"));
        TablePlan customers = table(load, "customers");
        assertThat(customers.change().isEmpty()).isTrue();
        assertThat(values(customers, "id", "name")).containsExactly(tuple(2L, "Jake"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"_sdc_extracted", "_sdcname", "_SDC_name", "_rjm_field", "_RJMfield", "!_sdc_hidden"})
    void reservedPrefixesAreRejected(String field) {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, record("id", 1, field, "x")));

        assertThat(rowsOf(load, "customers")).isEmpty();
        assertThat(load.rejects()).singleElement().satisfies(r -> {
            assertThat(r.tableName()).isEqualTo("customers");
            assertThat(r.reason().toLowerCase()).containsAnyOf("_sdc", "_rjm");
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"foo__bi", "foo__bo", "foo__de", "foo__do", "foo__it", "foo__st", "foo__ti", "foo__fl", "FOO__ST"})
    void reservedDatatypeSuffixesAreRejected(String field) {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, record("id", 1, field, "x")));

        assertThat(rowsOf(load, "customers")).isEmpty();
        assertThat(rejects(load)).containsExactly(tuple("customers",
                "column names from client should not include reserved datatype suffix on " + field,
                record("id", 1, field, "x")));
    }

    @Test
    void aFlattenedColumnEndingInAReservedSuffixIsRejected() {
        // {"foo":{"st":…}} would make column foo__st, which L1 reserves for foo's string values
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"foo":{"st":"x"}}
                """));

        assertThat(rowsOf(load, "customers")).isEmpty();
        assertThat(rejectReasons(load)).containsExactly("column names from client should not include reserved datatype suffix on foo__st");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"_sdc_customers", "_SDCcustomers", "_rjm_customers"})
    void reservedPrefixesOnTableNamesRejectEveryRecord(String table) {
        PreparedLoad load = load(table, List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1}
                        """)
                .upsert(2, """
                        {"id":2}
                        """));

        assertThat(load.tables()).isEmpty();
        assertThat(load.rejects()).hasSize(2).allSatisfy(r -> assertThat(r.tableName()).isEqualTo(table));
    }

    @Test
    void reservedWordsAreOrdinaryNames_identifiersAreAlwaysQuoted() {
        PreparedLoad load = load("order", List.of("select"), batch("b1").upsert(1, """
                {"select":1,"from":"x","table":true}
                """));

        TablePlan order = table(load, "order");
        assertThat(dataColumnNames(order)).containsExactly("select", "from", "table");
        assertThat(load.rejects()).isEmpty();
    }

    /** {@code {"<k1>":v1,"<k2>":"v2"}} with field names that need no JSON escaping. */
    private static String record(String k1, long v1, String k2, String v2) {
        return "{\"" + k1 + "\":" + v1 + ",\"" + k2 + "\":\"" + v2 + "\"}";
    }
}
