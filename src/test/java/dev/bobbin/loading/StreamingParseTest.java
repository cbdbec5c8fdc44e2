package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Records are flattened straight from the payload's bytes, without a JSON tree; that must give exactly
 * what flattening the tree of the same text gives (cells, subtables, dropped values, rejections), and
 * the envelope must be read as before whatever the order of its fields.
 */
class StreamingParseTest {
    private static final String[] NAMES = {"id", "name", "age", "Name", "a b", "1st", "x", "nested", "list", "_sdc_x", "foo__st", "when",
            "amount", "ratio", "this_is_a_rather_long_field_name_that_keeps_going_and_going_on"};
    private static final String[] DECIMALS = {"1.50", "0.000", "1E+2", "100.0", "-3.25e-3", "12345678901234567890.10", "1e400", "-0.0", "2.5"};
    private static final String[] STRINGS = {"plain", "tab\\there", "zoë", "2024-02-29T12:00:00.5Z", "2024-02-30T00:00:00Z", "", "back\\\\slash",
            "\\u00e9t\\u00e9"};
    /** Schemas of the random records (null: none); also those of {@code FlattenBench}'s mixed shape. */
    static final String[] SCHEMAS = {
            null,
            "{}",
            """
            {"properties": {"id": {"type": "integer"}, "age": {"type": ["integer", "null"]}, "amount": {"type": "number", "multipleOf": 0.01},
             "ratio": {"type": "number"}, "when": {"type": "string", "format": "date-time"}, "x": {"type": "number", "format": "singer.decimal"},
             "nested": {"properties": {"when": {"type": "string", "format": "date"}, "id": {"type": "number"}}},
             "list": {"items": {"properties": {"amount": {"type": "number", "multipleOf": 1}}}}}}"""};

    private static String value(SplittableRandom r, int depth) {
        int kind = r.nextInt(depth < 3 ? 10 : 7);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> r.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(r.nextLong(-1_000, 1_000));
            case 3 -> switch (r.nextInt(3)) {
                case 0 -> Long.toString(r.nextLong());
                case 1 -> "9223372036854775808";
                default -> "-123456789012345678901234567890";
            };
            case 4 -> DECIMALS[r.nextInt(DECIMALS.length)];
            case 5, 6 -> "\"" + STRINGS[r.nextInt(STRINGS.length)] + "\"";
            case 7, 8 -> object(r, depth + 1);
            default -> {
                StringBuilder a = new StringBuilder("[");
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.append(i == 0 ? "" : ",").append(value(r, depth + 1));
                }
                yield a.append(']').toString();
            }
        };
    }

    /** A random record of {@link #NAMES} at {@code depth} of nesting (0: a record); also {@code FlattenBench}'s mixed shape. */
    static String object(SplittableRandom r, int depth) {
        StringBuilder o = new StringBuilder("{");
        List<String> used = new ArrayList<>();
        int n = r.nextInt(1, 6);
        for (int i = 0; i < n; i++) {
            String name = NAMES[r.nextInt(NAMES.length)];
            if (used.contains(name)) {
                continue; // duplicate keys are refused on intake
            }
            used.add(name);
            o.append(used.size() == 1 ? "" : ",").append('"').append(name).append("\":").append(value(r, depth));
        }
        return o.append('}').toString();
    }

    private static JsonNode tree(String json) {
        return json == null ? null : LoadFixture.json(json);
    }

    @FunctionalInterface
    private interface Flattening {
        FlatRecord run() throws RecordFlattener.RejectedException;
    }

    /** What flattening gives, as a comparable value: the record, or the rejection's message. */
    private static Object outcome(Flattening flattening) {
        try {
            FlatRecord record = flattening.run();
            return List.of(record, new ArrayList<>(record.children().keySet()));
        } catch (RecordFlattener.RejectedException e) {
            return "rejected: " + e.getMessage();
        }
    }

    @Test
    void flatteningTheTextGivesWhatFlatteningItsTreeGives() {
        SplittableRandom random = new SplittableRandom(20_241_126L);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            String json = object(random, 0);
            JsonNode schema = tree(SCHEMAS[random.nextInt(SCHEMAS.length)]);
            Object fromTree = outcome(() -> RecordFlattener.flatten(LoadFixture.json(json), schema));
            Object fromText = outcome(() -> {
                try (JsonParser p = Json.MAPPER.createParser(json.getBytes(StandardCharsets.UTF_8))) {
                    p.nextToken();
                    return RecordFlattener.flatten(p, schema, new RecordFlattener.FieldNames());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(fromText).as(json).isEqualTo(fromTree);
            if (fromTree instanceof String) {
                rejected++;
            }
        }
        assertThat(rejected).as("some records are rejected, most are not").isBetween(1_000, 19_000);
    }

    // ------------------------------------------------------------------ the envelope

    private static LoggedBatch logged(String payload, PayloadFormat format) {
        return new LoggedBatch(3, "log/3", 1, 2, "t", format, Instant.parse("2026-01-02T03:04:05.678901Z"),
                payload.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertReadAsTheTreeReadsIt(String payload) throws Exception {
        assertReadAsTheTreeReadsIt(payload, PayloadFormat.BATCH_JSON);
        assertReadAsTheTreeReadsIt(payload, PayloadFormat.PUSH_JSON);
    }

    /** The messages as the tree-based reading made them (the reference), compared field by field. */
    private static void assertReadAsTheTreeReadsIt(String payload, PayloadFormat format) throws Exception {
        BatchPayloads.Parsed parsed = BatchPayloads.parse(BatchPayload.of(logged(payload, format)));
        JsonNode root = Json.MAPPER.readTree(payload);
        List<String> keyNames = new ArrayList<>();
        root.path("key_names").forEach(k -> keyNames.add(k.asText()));
        assertThat(parsed.keyNames()).isEqualTo(keyNames);
        JsonNode list = root.get("messages");
        assertThat(parsed.messages()).hasSize(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            IncomingMessage read = parsed.messages().get(i);
            boolean activate = "activate_version".equals(m.path("action").asText());
            JsonNode schema = m.has("schema") ? m.get("schema") : root.get("schema");
            assertThat(read.kind()).isEqualTo(activate ? IncomingMessage.Kind.ACTIVATE_VERSION : IncomingMessage.Kind.UPSERT);
            assertThat(read.sequence()).isEqualTo(m.get("sequence").longValue());
            assertThat(read.tableVersion()).isEqualTo(m.has("table_version") ? m.get("table_version").asLong()
                    : root.path("table_version").asLong(0));
            assertThat(read.schema()).isEqualTo(schema);
            assertThat(read.extractedAtMicros()).isEqualTo(Optional.ofNullable(m.get("time_extracted"))
                    .flatMap(t -> Timestamps.parse(t.asText())).map(Timestamps::toMicros));
            assertThat(read.index()).isEqualTo(i);
            assertThat(read.batchKey()).isEqualTo("log/3");
            assertThat(read.receivedAtMicros()).isEqualTo(1_767_323_045_678_901L);
            if (activate) {
                assertThat(read.recordText()).isEmpty();
            } else {
                assertThat(read.recordText()).isEqualTo(m.get("data").toString());
                assertThat(outcome(() -> read.parsed() != null ? read.parsed().get() : RecordFlattener.flatten(read.data(), read.schema())))
                        .isEqualTo(outcome(() -> RecordFlattener.flatten(m.get("data"), schema)));
            }
        }
    }

    @Test
    void aBatchBodyIsReadAsBefore() throws Exception {
        assertReadAsTheTreeReadsIt("""
                {"table_name": "t", "schema": {"properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}}},
                 "key_names": ["id"], "table_version": 4, "messages": [
                  {"action": "upsert", "sequence": 10, "data": {"id": 1, "at": "2024-01-01T00:00:00Z", "n": {"a": [1, {"b": 2.50}]}}},
                  {"action": "upsert", "sequence": 11, "time_extracted": "2024-01-01 00:00:01.5+01:00", "data": {"id": 2, "at": "no"}},
                  {"sequence": 12, "action": "activate_version"},
                  {"data": {"id": 3, "_sdc_x": 1}, "sequence": 9223372036854775807, "action": "upsert"},
                  {"action": "upsert", "sequence": 13, "data": {"id": 4, "n": {"deep": {"_sdc_bad": [1, {"x": 2}], "x": [1, 2]}}, "after": {}}},
                  {"action": "upsert", "sequence": 14, "data": {"id": 5, "a": 1, "A": 2, "rest": [[1], {"b": null}]}},
                  {"action": "upsert", "sequence": 15, "data": {"id": 6}}]}""");
    }

    @Test
    void theEnvelopeMayComeInAnyOrder() throws Exception {
        assertReadAsTheTreeReadsIt("""
                {"messages": [{"action": "upsert", "sequence": 1, "data": {"id": 1, "amount": 1.50, "t": "\\t\\u00e9"}}],
                 "key_names": ["id"], "table_version": 7,
                 "schema": {"properties": {"id": {"type": "integer"}, "amount": {"type": "number", "multipleOf": 0.01}}},
                 "table_name": "t", "bookmark_names": ["x"]}""");
    }

    /** A message's own schema wins over the batch's, even when the batch's came first. */
    @Test
    void aMessagesOwnSchemaWinsOverTheBatchSchema() throws Exception {
        assertReadAsTheTreeReadsIt("""
                {"table_name": "t", "schema": {"properties": {"d": {"type": "number"}}}, "messages": [
                  {"action": "upsert", "sequence": 5, "data": {"d": 1.10}, "schema": {"properties": {"d": {"type": "number", "multipleOf": 0.1}}}},
                  {"action": "upsert", "sequence": 6, "data": {"d": 1.10}}]}""");
    }

    /** Push payloads: a message's own schema and version follow its data. */
    @Test
    void aPushMessagesOwnSchemaAppliesToItsData() throws Exception {
        assertReadAsTheTreeReadsIt("""
                {"table_name": "t", "key_names": [], "messages": [
                  {"action": "upsert", "sequence": 5, "table_version": 2, "data": {"at": "2024-01-01T00:00:00Z", "d": 1.10},
                   "schema": {"properties": {"at": {"type": "string", "format": "date-time"}, "d": {"type": "number", "format": "singer.decimal"}}}},
                  {"action": "upsert", "sequence": 6, "data": {"at": "2024-01-01T00:00:00Z", "d": 1.10}},
                  {"action": "activate_version", "sequence": 7, "table_version": 2}]}""");
    }
}
