package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Records of one load are flattened with one {@link RecordFlattener.FieldNames}, which remembers each
 * field's name work, its schema and the order fields came in; whatever it remembers, a record must
 * flatten exactly as it does on its own (cells, subtables, dropped values, rejections). And a number
 * in a DOUBLE column is the double its decimal digits round to, as it always was.
 */
class SharedFieldNamesTest {

    /** The record, or its rejection, as a comparable value. */
    private static Object outcome(String json, JsonNode schema, RecordFlattener.FieldNames names) {
        try (JsonParser p = Json.MAPPER.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            p.nextToken();
            FlatRecord record = RecordFlattener.flatten(p, schema, names);
            return List.of(record, new ArrayList<>(record.children().keySet()));
        } catch (RecordFlattener.RejectedException e) {
            return "rejected: " + e.getMessage();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameSharedAndAlone(List<String> records, JsonNode schema) {
        RecordFlattener.FieldNames shared = new RecordFlattener.FieldNames();
        for (String json : records) {
            assertThat(outcome(json, schema, shared)).as(json).isEqualTo(outcome(json, schema, new RecordFlattener.FieldNames()));
        }
    }

    private static FlatRecord flat(String json, String schema) {
        Object outcome = outcome(json, schema == null ? null : LoadFixture.json(schema), new RecordFlattener.FieldNames());
        assertThat(outcome).as(json).isInstanceOf(List.class);
        return (FlatRecord) ((List<?>) outcome).get(0);
    }

    @Test
    void fieldsInAnotherOrderOrMissingFindTheirOwnColumnsAndTypes() {
        JsonNode schema = LoadFixture.json("""
                {"properties": {"a": {"type": "integer"}, "b": {"type": "string", "format": "date-time"}, "c": {"type": "number"},
                 "o": {"properties": {"a": {"type": "number", "multipleOf": 0.5}}}}}""");
        assertSameSharedAndAlone(List.of(
                "{\"a\":1,\"b\":\"2024-01-01T00:00:00Z\",\"c\":2.5,\"o\":{\"a\":1.5}}",
                "{\"c\":2.5,\"a\":1,\"b\":\"2024-01-01T00:00:00Z\",\"o\":{\"a\":1.5}}",
                "{\"a\":1,\"o\":{\"a\":2},\"c\":3}",
                "{\"o\":{\"a\":1.5},\"a\":1,\"b\":\"not a time\"}",
                "{\"a\":1,\"b\":\"2024-01-01T00:00:00Z\",\"c\":2.5,\"o\":{\"a\":1.5}}",
                "{\"a\":{\"a\":1}}",
                "{\"b\":1,\"a\":\"x\"}"), schema);
        FlatRecord reordered = flat("{\"c\":2.5,\"o\":{\"a\":1.5},\"a\":1}", schema.toString());
        assertThat(reordered.cells()).extracting(Cell::field, Cell::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c", ColumnType.DOUBLE), org.assertj.core.groups.Tuple.tuple("o__a", ColumnType.DECIMAL),
                org.assertj.core.groups.Tuple.tuple("a", ColumnType.BIGINT));
    }

    @Test
    void namesThatCleanAlikeCollideWhereverTheyCome() {
        assertSameSharedAndAlone(List.of(
                "{\"a b\":1,\"x!y\":2}",
                "{\"xy\":1,\"x!y\":2}",
                "{\"x!y\":2,\"XY\":1}",
                "{\"zoë\":1,\"zo\":2}",
                "{\"zo\":2}",
                "{\"\\u00e9t\\u00e9\":1,\"t\":3}",
                "{\"o\":{\"p\":1},\"o__p\":2}",
                "{\"o__p\":2,\"o\":{\"p\":1}}",
                "{\"_sdc_x\":1}",
                "{\"1st\":1,\"st\":2}",
                "{\"foo\":{\"st\":1}}",
                "{\"foo\":{\"st\":{\"x\":1}}}"), null);
        assertThat(outcome("{\"xy\":1,\"x!y\":2}", null, new RecordFlattener.FieldNames())).isEqualTo("rejected: Field collision on xy");
        assertThat(flat("{\"zoë\":1}", null).cells()).extracting(Cell::field).containsExactly("zo");
    }

    @Test
    void deepNestingAndArraysOfArraysKeepTheirSubtablesAndLevels() {
        String deep = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":[[1,[2,{\"f\":[{\"g\":true}]}]],{\"h\":null}]}}}}}";
        assertSameSharedAndAlone(List.of(deep, deep, "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":[{\"h\":1}]}}}}}", deep), null);
        FlatRecord record = flat(deep, null);
        assertThat(record.children().keySet()).containsExactly("a__b__c__d__e", "a__b__c__d__e__value", "a__b__c__d__e__value__value",
                "a__b__c__d__e__value__value__f");
        assertThat(record.children().get("a__b__c__d__e__value__value__f").get(0).levels()).containsExactly(0, 1, 1, 0);
    }

    @Test
    void equalSchemasOfOtherInstancesAndOtherSchemasTypeAsTheirOwn() {
        String record = "{\"n\":1,\"t\":\"2024-01-01\"}";
        RecordFlattener.FieldNames shared = new RecordFlattener.FieldNames();
        String asNumber = "{\"properties\": {\"n\": {\"type\": \"number\"}, \"t\": {\"type\": \"string\", \"format\": \"date\"}}}";
        String asDecimal = "{\"properties\": {\"n\": {\"type\": \"number\", \"multipleOf\": 1}, \"t\": {\"type\": \"string\"}}}";
        for (String schema : List.of(asNumber, asDecimal, asNumber, asDecimal)) {
            JsonNode own = LoadFixture.json(schema); // a push message brings its own instance
            assertThat(outcome(record, own, shared)).isEqualTo(outcome(record, own, new RecordFlattener.FieldNames()));
        }
        assertThat(outcome(record, null, shared)).isEqualTo(outcome(record, null, new RecordFlattener.FieldNames()));
        assertThat(flat(record, asDecimal).cells()).extracting(Cell::type).containsExactly(ColumnType.DECIMAL, ColumnType.TEXT);
    }

    @Test
    void moreFieldNamesThanAreKeptStillFlattenAlike() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            records.add("{\"f" + i + "\":" + i + ",\"same\":true,\"o" + (i % 3) + "\":{\"g" + i + "\":[1]}}");
        }
        assertSameSharedAndAlone(records, null);
    }

    @Test
    void numbersAtTheTypeBoundaries() {
        String number = "{\"properties\": {\"v\": {\"type\": \"number\"}}}";
        assertThat(flat("{\"v\":-0.0}", number).cells().get(0).value()).isEqualTo(0.0); // a BigDecimal has no −0
        assertThat(flat("{\"v\":-0}", number).cells().get(0).value()).isEqualTo(0.0);
        assertThat(flat("{\"v\":0e10}", number).cells().get(0).value()).isEqualTo(0.0);
        assertThat(flat("{\"v\":-1e-400}", number).cells().get(0).value()).isEqualTo(-0.0);
        assertThat(flat("{\"v\":4.9e-324}", number).cells().get(0).value()).isEqualTo(Double.MIN_VALUE);
        assertThat(flat("{\"v\":1.7976931348623157e308}", number).cells().get(0).value()).isEqualTo(Double.MAX_VALUE);
        assertThat(flat("{\"v\":9223372036854775807}", number).cells().get(0).value()).isEqualTo(9.223372036854775807E18);
        assertThat(flat("{\"v\":123456789012345678901234567890}", number).cells().get(0).value()).isEqualTo(1.2345678901234568E29);
        assertThat(outcome("{\"v\":1.7976931348623159e308}", LoadFixture.json(number), new RecordFlattener.FieldNames()))
                .isEqualTo("rejected: field v holds a number too large for double precision");
        assertThat(flat("{\"v\":9223372036854775807}", null).cells().get(0)).isEqualTo(new Cell("v", ColumnType.BIGINT, Long.MAX_VALUE));
        assertThat(flat("{\"v\":-9223372036854775808}", null).cells().get(0)).isEqualTo(new Cell("v", ColumnType.BIGINT, Long.MIN_VALUE));
        assertThat(flat("{\"v\":9223372036854775808}", null).cells().get(0))
                .isEqualTo(new Cell("v", ColumnType.DECIMAL, new BigDecimal("9223372036854775808")));
    }

    @Test
    void aDoubleIsWhatTheDecimalDigitsRoundTo() {
        SplittableRandom random = new SplittableRandom(20_261_126L);
        String number = "{\"properties\": {\"v\": {\"type\": \"number\"}}}";
        RecordFlattener.FieldNames shared = new RecordFlattener.FieldNames();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
            int length = random.nextInt(1, 25);
            for (int d = 0; d < length; d++) {
                digits.append((char) ('0' + (d == 0 && length > 1 ? random.nextInt(1, 10) : random.nextInt(10)))); // JSON: no leading zeros
            }
            String text = digits + "." + random.nextInt(1_000_000) + (random.nextBoolean() ? "e" + random.nextInt(-330, 310) : "");
            double expected = new BigDecimal(text).doubleValue();
            Object outcome = outcome("{\"v\":" + text + "}", LoadFixture.json(number), shared);
            if (Double.isInfinite(expected)) {
                assertThat(outcome).as(text).isEqualTo("rejected: field v holds a number too large for double precision");
            } else {
                FlatRecord record = (FlatRecord) ((List<?>) outcome).get(0);
                assertThat(Double.doubleToRawLongBits((Double) record.cells().get(0).value())).as(text)
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
    }
}
