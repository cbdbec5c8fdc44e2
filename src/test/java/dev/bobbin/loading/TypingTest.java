package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.BOOLEAN;
import static dev.bobbin.destination.ColumnType.DECIMAL;
import static dev.bobbin.destination.ColumnType.DOUBLE;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.destination.ColumnType.TIMESTAMPTZ;
import static dev.bobbin.loading.LoadFixture.SDC;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.dataColumnNames;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.micros;
import static dev.bobbin.loading.LoadFixture.rowsOf;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.tableNames;
import static dev.bobbin.loading.LoadFixture.typeOf;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JSON Schema (batch) or JSON value (push) → column type and stored value (loading.md §9, DECISIONS L3, L8).
 * Values are in the {@link dev.bobbin.destination.TableRows} representation.
 */
class TypingTest {

    static Stream<Arguments> batchSchemaTypes() {
        return Stream.of(
                Arguments.of("integer", "{\"type\":\"integer\"}", "42", BIGINT, 42L),
                Arguments.of("nullable integer", "{\"type\":[\"null\",\"integer\"]}", "42", BIGINT, 42L),
                Arguments.of("number", "{\"type\":\"number\"}", "3.14", DOUBLE, 3.14),
                Arguments.of("number holding an integral value", "{\"type\":\"number\"}", "10", DOUBLE, 10.0),
                Arguments.of("nullable number", "{\"type\":[\"null\",\"number\"]}", "5.61", DOUBLE, 5.61),
                Arguments.of("number with multipleOf", "{\"type\":\"number\",\"multipleOf\":0.01}", "19.99", DECIMAL, new BigDecimal("19.99")),
                Arguments.of("integral number with multipleOf", "{\"type\":\"number\",\"multipleOf\":1}", "20", DECIMAL, new BigDecimal("20")),
                Arguments.of("number with format singer.decimal", "{\"type\":\"number\",\"format\":\"singer.decimal\"}",
                        "12345678901234567890.123456789", DECIMAL, new BigDecimal("12345678901234567890.123456789")),
                Arguments.of("boolean", "{\"type\":\"boolean\"}", "true", BOOLEAN, true),
                Arguments.of("nullable boolean", "{\"type\":[\"null\",\"boolean\"]}", "false", BOOLEAN, false),
                Arguments.of("string", "{\"type\":\"string\"}", "\"Finn\"", TEXT, "Finn"),
                Arguments.of("string that looks like a date", "{\"type\":\"string\"}", "\"2019-02-02T00:38:33+00:00\"", TEXT,
                        "2019-02-02T00:38:33+00:00"),
                Arguments.of("date-time +0000", "{\"type\":\"string\",\"format\":\"date-time\"}", "\"2020-01-13T21:25:03+0000\"",
                        TIMESTAMPTZ, micros("2020-01-13T21:25:03Z")),
                Arguments.of("date-time Z", "{\"type\":\"string\",\"format\":\"date-time\"}", "\"2018-04-30T17:00:00Z\"",
                        TIMESTAMPTZ, micros("2018-04-30T17:00:00Z")),
                Arguments.of("date-time +00:00", "{\"type\":\"string\",\"format\":\"date-time\"}", "\"2019-02-02T00:38:33+00:00\"",
                        TIMESTAMPTZ, micros("2019-02-02T00:38:33Z")),
                Arguments.of("date-time with another offset, stored in UTC", "{\"type\":\"string\",\"format\":\"date-time\"}",
                        "\"2019-02-01T19:38:33.250-05:00\"", TIMESTAMPTZ, micros("2019-02-02T00:38:33.250Z")),
                Arguments.of("nullable date-time", "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}",
                        "\"2018-04-30T17:00:00Z\"", TIMESTAMPTZ, micros("2018-04-30T17:00:00Z")),
                Arguments.of("date", "{\"type\":\"string\",\"format\":\"date\"}", "\"2020-01-13\"",
                        TIMESTAMPTZ, micros("2020-01-13T00:00:00Z")),
                Arguments.of("integer beyond 64 bits", "{\"type\":\"integer\"}", "9223372036854775808", DECIMAL,
                        new BigDecimal("9223372036854775808")),
                Arguments.of("integer below 64 bits", "{\"type\":\"integer\"}", "-9223372036854775809", DECIMAL,
                        new BigDecimal("-9223372036854775809")),
                Arguments.of("largest bigint", "{\"type\":\"integer\"}", "9223372036854775807", BIGINT, Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchSchemaTypes")
    void batchSchemaTypes(String description, String fieldSchema, String value, ColumnType type, Object stored) {
        PreparedLoad load = load("things", List.of("id"),
                batch("b1", "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"v\":" + fieldSchema + "}}")
                        .upsert(1, "{\"id\":1,\"v\":" + value + "}"));

        TablePlan things = table(load, "things");
        assertThat(typeOf(things, "v")).isEqualTo(type);
        assertThat(values(things, "v")).containsExactly(tuple(stored));
        assertThat(load.rejects()).isEmpty();
    }

    static Stream<Arguments> pushValueTypes() {
        return Stream.of(
                Arguments.of("integer", "1", BIGINT, 1L),
                Arguments.of("non-integer number", "3.14", DOUBLE, 3.14),
                Arguments.of("number written with a fraction", "16.0", DOUBLE, 16.0),
                Arguments.of("string", "\"1.00\"", TEXT, "1.00"),
                Arguments.of("ISO date-time string stays a string", "\"2019-08-13T21:25:03+0000\"", TEXT, "2019-08-13T21:25:03+0000"),
                Arguments.of("boolean", "true", BOOLEAN, true),
                Arguments.of("integer beyond 64 bits", "18446744073709551616", DECIMAL, new BigDecimal("18446744073709551616")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pushValueTypes")
    void pushTypesEachValueByItsJsonType(String description, String value, ColumnType type, Object stored) {
        PreparedLoad load = load("things", List.of("id"), batch("push").upsert(1, "{\"id\":1,\"v\":" + value + "}"));

        TablePlan things = table(load, "things");
        assertThat(typeOf(things, "v")).isEqualTo(type);
        assertThat(values(things, "v")).containsExactly(tuple(stored));
    }

    @Test
    void pushExampleRecord() {
        // import-api.md §7.2
        PreparedLoad load = load("orders", List.of("id"), batch("push").upsert(1, """
                {"id":1,"cost":3.14,"tax":"1.00","modified_at":"2019-08-13T21:25:03+0000"}
                """));

        TablePlan orders = table(load, "orders");
        assertThat(orders.rows().columns()).containsExactlyElementsOf(
                withSdc(col("id", BIGINT), col("cost", DOUBLE), col("tax", TEXT), col("modified_at", TEXT)));
        assertThat(values(orders, "id", "cost", "tax", "modified_at"))
                .containsExactly(tuple(1L, 3.14, "1.00", "2019-08-13T21:25:03+0000"));
    }

    @Test
    void batchSchemaAppliesInsideObjectsAndArrayItems() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1", """
                {"type":"object","properties":{
                  "id":{"type":"integer"},
                  "address":{"type":"object","properties":{"moved_at":{"type":"string","format":"date-time"}}},
                  "visits":{"type":"array","items":{"type":"object","properties":{
                     "at":{"type":"string","format":"date-time"},
                     "amount":{"type":"number","multipleOf":0.01}}}}}}
                """).upsert(1, """
                {"id":1,"address":{"moved_at":"2018-04-30T17:00:00Z"},"visits":[{"at":"2020-01-13T21:25:03+0000","amount":9.99}]}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(typeOf(customers, "address__moved_at")).isEqualTo(TIMESTAMPTZ);
        assertThat(values(customers, "address__moved_at")).containsExactly(tuple(micros("2018-04-30T17:00:00Z")));
        TablePlan visits = table(load, "customers__visits");
        assertThat(typeOf(visits, "at")).isEqualTo(TIMESTAMPTZ);
        assertThat(typeOf(visits, "amount")).isEqualTo(DECIMAL);
        assertThat(values(visits, "at", "amount")).containsExactly(tuple(micros("2020-01-13T21:25:03Z"), new BigDecimal("9.99")));
    }

    @Test
    void nullableIntegerColumn_nullsLoadIntoIt() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1", """
                {"type":"object","properties":{"id":{"type":"integer"},"age":{"type":["null","integer"]}}}
                """)
                .upsert(1, """
                        {"id":1,"age":15}
                        """)
                .upsert(2, """
                        {"id":2,"age":null}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(typeOf(customers, "age")).isEqualTo(BIGINT);
        assertThat(values(customers, "id", "age")).containsExactly(tuple(1L, 15L), tuple(2L, null));
    }

    @Test
    void nullValuesCreateNoColumn() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsert(1, """
                        {"id":1,"name":"Finn","nickname":null}
                        """)
                .upsert(2, """
                        {"id":2,"name":null,"nickname":null}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(dataColumnNames(customers)).containsExactly("id", "name");
        assertThat(values(customers, "id", "name")).containsExactly(tuple(1L, "Finn"), tuple(2L, null));
    }

    @Test
    void aTableWithOnlyTheKeyAndNullsIsStillCreated_withTheKeyAndSdcColumns() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"name":null,"address":{"city":null}}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().create()).isTrue();
        assertThat(customers.change().addColumns()).containsExactlyElementsOf(withSdc(col("id", BIGINT)));
        assertThat(customers.change().keyColumns()).containsExactly("id");
        assertThat(values(customers, "id")).containsExactly(tuple(1L));
    }

    @Test
    void aKeylessTableOfOnlyNullsIsStillCreated_withTheGeneratedKeyAndSdcColumns() {
        PreparedLoad load = load("pings", List.of(), batch("b1").upsert(1, """
                {"note":null}
                """));

        TablePlan pings = table(load, "pings");
        assertThat(pings.change().create()).isTrue();
        assertThat(pings.rows().columns()).contains(col("__sdc_primary_key", TEXT)).containsAll(SDC);
        assertThat(dataColumnNames(pings)).containsExactly("__sdc_primary_key");
        assertThat(rowsOf(load, "pings")).hasSize(1);
    }

    @Test
    void aDateTimeThatDoesNotParseRejectsTheRecord() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1", """
                {"type":"object","properties":{"id":{"type":"integer"},"updated_at":{"type":"string","format":"date-time"}}}
                """)
                .upsert(1, """
                        {"id":1,"updated_at":"yesterday"}
                        """)
                .upsert(2, """
                        {"id":2,"updated_at":"2019-02-02T00:38:33+00:00"}
                        """));

        assertThat(values(table(load, "customers"), "id", "updated_at")).containsExactly(tuple(2L, micros("2019-02-02T00:38:33Z")));
        assertThat(load.rejects()).singleElement().satisfies(r -> {
            assertThat(r.tableName()).isEqualTo("customers");
            assertThat(r.reason()).contains("updated_at").contains("yesterday");
            assertThat(r.record()).isEqualTo("{\"id\":1,\"updated_at\":\"yesterday\"}");
        });
    }

    @Test
    void seedExample_pushedUpdatedAtStaysAString() {
        // loading.md §3: updated_at was pushed as a plain string via /push, so it stayed a string
        PreparedLoad load = load("customers", List.of("id"), batch("push").upsert(100, """
                {"id":1,"name":"Finn","updated_at":"2019-02-02T00:38:33+00:00"}
                """));

        assertThat(tableNames(load)).containsExactly("customers");
        assertThat(typeOf(table(load, "customers"), "updated_at")).isEqualTo(TEXT);
    }
}
