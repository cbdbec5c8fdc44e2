package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Tokens;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.json.Json;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RawHttp;
import dev.bobbin.testing.RunningBobbin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data-driven corpus of hostile and broken requests against one running node, over real HTTP
 * (and raw sockets for the bytes {@link java.net.http.HttpClient} will not send), across
 * {@code /v2/import/batch}, {@code /push} and {@code /validate} (import-api.md §3 to §11,
 * DECISIONS I1 to I11).
 *
 * <p>Every case states its status and its exact body (or, where the body carries a parser message,
 * the documented shape and the message's exact prefix). For every case the runner also checks that
 * the answer's {@code Content-Type} is {@code application/json} unless the docs give the answer as
 * plain text (batch 415, push and validate 405), that {@code GET /v2/import/status} still answers
 * 200 right after, and that a refused request put nothing in the batch log. The few requests the API
 * accepts on purpose (odd table and field names, numbers no column type holds: they are the
 * loader's business, loading.md §8, §9.3, §11) are loaded at once and their documented outcome is
 * checked in the warehouse.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class HostileRequestCorpusTest {
    private static final String BATCH = "/v2/import/batch";
    private static final String PUSH = "/v2/import/push";
    private static final String VALIDATE = "/v2/import/validate";
    private static final List<String> ENDPOINTS = List.of(BATCH, PUSH, VALIDATE);
    private static final List<String> PUSH_ENDPOINTS = List.of(PUSH, VALIDATE);
    private static final int MIB = 1024 * 1024;
    /**
     * A small inflated-body limit, so that the gzip bomb costs little; it cannot be below the 20 MiB
     * body limit ({@link ImportLimits}).
     */
    private static final long INFLATED_LIMIT = 21L * MIB;
    private static final String ACCEPTED = "{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}";
    private static final String VALID = "{\"status\":\"OK\",\"message\":\"Batch is valid!\"}";
    private static final String NOT_AUTHORIZED = "{\"message\":\"Not Authorized\"}";
    private static final String NOT_ACTIVE = "{\"error\":\"Forbidden\",\"errors\":{\"error\":\"Connection is not active.\"}}";
    private static final String CLIENT_ID_MISSING = "{\"status\":\"ERROR\",\"error\":\"Not Authenticated.\",\"errors\":null}";
    private static final String CLIENT_MISMATCH = "{\"status\":\"ERROR\",\"error\":\"Forbidden\","
            + "\"errors\":{\"error\":\"Access token is not associated with this client.\"}}";
    private static final String BATCH_415 = "Content-Type must be application/json";
    private static final String MALFORMED_BATCH = "Request failed validation: malformed JSON: ";
    private static final String MESSAGE_0 = "#/messages/0";
    private static final String DECIMAL_OUT_OF_RANGE = "field big holds a decimal out of range (at most 29 digits before the point and 9 after)";
    /** A value of each JSON kind, by the name everit gives the kind in its messages. */
    private static final Map<String, String> KINDS = kinds();

    @TempDir
    static Path dataDir;
    private RunningBobbin bobbin;
    private long clientId;
    private String token;
    private Src secondSource;
    private String pausedToken;
    private String deletedToken;
    private String revokedToken;
    private long otherClientId;
    private String otherAccountToken;
    private final List<Case> cases = new ArrayList<>();
    private byte[] gzipBomb;

    private record Src(long id, String token) {
    }

    @BeforeAll
    void startTheSharedNode() {
        Map<String, String> env = new HashMap<>(RunningBobbin.MANUAL_LOADING);
        env.put("BOBBIN_MAX_INFLATED_BYTES", Long.toString(INFLATED_LIMIT));
        bobbin = RunningBobbin.withImportSource(dataDir, env);
        token = bobbin.importToken();
        clientId = bobbin.connectGet("/v4/sources/" + bobbin.sourceId()).json().get("stitch_client_id").asLong();

        secondSource = newSource(bobbin.connectToken(), "Second Source");
        pausedToken = newSource(bobbin.connectToken(), "Paused Source").token();
        long pausedId = bobbin.connectGet("/v4/sources").json().findValues("id").stream()
                .map(JsonNode::asLong).max(Long::compare).orElseThrow();
        assertThat(bobbin.connectPut("/v4/sources/" + pausedId, "{\"paused_at\":\"2020-01-01T00:00:00Z\"}").status()).isEqualTo(200);
        Src deleted = newSource(bobbin.connectToken(), "Deleted Source");
        deletedToken = deleted.token();
        assertThat(bobbin.connectDelete("/v4/sources/" + deleted.id()).status()).isEqualTo(200);

        HttpReply issued = bobbin.connectPost("/v4/sources/" + bobbin.sourceId() + "/tokens", null);
        assertThat(issued.status()).isEqualTo(200);
        revokedToken = issued.json().get("access_token").asText();
        assertThat(bobbin.connectDelete("/v4/sources/" + bobbin.sourceId() + "/tokens/" + issued.json().get("id").asLong()).status())
                .isEqualTo(200);

        Account other = bobbin.node().catalog().createAccount("Other Account");
        otherClientId = other.clientId();
        String otherConnectToken = Tokens.newConnectToken();
        bobbin.node().catalog().addConnectToken(otherClientId, otherConnectToken);
        otherAccountToken = newSource(otherConnectToken, "Other Account Source").token();
        assertThat(otherClientId).isNotEqualTo(clientId);
    }

    private Src newSource(String connectToken, String displayName) {
        HttpReply source = bobbin.post("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"" + displayName + "\"}",
                "Authorization", "Bearer " + connectToken, "Content-Type", "application/json");
        assertThat(source.status()).as(source.toString()).isEqualTo(200);
        long id = source.json().get("id").asLong();
        HttpReply issued = bobbin.post("/v4/sources/" + id + "/tokens", (String) null, "Authorization", "Bearer " + connectToken);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(200);
        return new Src(id, issued.json().get("access_token").asText());
    }

    @AfterAll
    void stopTheSharedNode() {
        if (bobbin != null) {
            bobbin.close();
        }
    }

    @Test
    void theDefaultLimitsAreThoseOfDecisionsI4AndI9() {
        assertThat(ImportLimits.DEFAULTS.maxBodyBytes()).isEqualTo(20L * MIB);
        assertThat(ImportLimits.DEFAULTS.maxInflatedBytes()).isEqualTo(200L * MIB);
        assertThat(ImportLimits.DEFAULTS.maxMessages()).isEqualTo(20_000);
        assertThat(ImportLimits.DEFAULTS.maxDataPoints()).isEqualTo(10_000);
        assertThat(ImportLimits.DEFAULTS.maxKeyLength()).isEqualTo(1024);
        assertThat(bobbin.node().config().limits().maxInflatedBytes()).as("this node's configured limit").isEqualTo(INFLATED_LIMIT);
    }

    @TestFactory
    Stream<DynamicTest> corpus() {
        cases.clear();
        malformedBodies();
        wrongShapes();
        batchFieldTypes();
        batchMessageFieldTypes();
        batchRules();
        pushFieldTypes();
        pushRules();
        clientIds();
        limits();
        compression();
        authentication();
        sources();
        contentTypes();
        methodsAndPaths();
        framing();
        namesAndValuesForTheLoader();

        assertThat(cases).hasSizeGreaterThanOrEqualTo(100);
        Set<String> names = new HashSet<>();
        cases.forEach(c -> assertThat(names.add(c.name)).as("unique case name " + c.name).isTrue());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name, () -> run(c)));
    }

    // ---- the corpus ---------------------------------------------------------------------------------

    /** Truncated and invalid JSON, invalid UTF-8, NaN and Infinity, duplicate keys, 100,000-deep nesting, empty bodies. */
    private void malformedBodies() {
        for (String path : ENDPOINTS) {
            String valid = path.equals(BATCH) ? validBatch() : validPush();
            malformed(path, "an empty body", "", null, "the body is empty", "No content to map due to end-of-input");
            malformed(path, "a whitespace body", " \r\n\t  ", null, "the body is empty", "No content to map due to end-of-input");
            malformed(path, "a body truncated mid-string", valid.substring(0, valid.indexOf("Finn") + 2), "Unexpected end-of-input", null, null);
            malformed(path, "a body truncated after a comma", valid.substring(0, valid.indexOf(',') + 1), "Unexpected end-of-input", null, null);
            malformed(path, "a stray closing brace after the body", valid + "}", "Unexpected close marker '}'", null, null);
            malformed(path, "a second value after the body", valid + " " + valid, "Trailing token", null, null);
            malformed(path, "single-quoted strings", valid.replace('"', '\''), "Unexpected character (''' (code 39))", null, null);
            malformed(path, "a trailing comma", valid.replace("\"Finn\"}", "\"Finn\",}"),
                    "Unexpected character ('}' (code 125)): was expecting double-quote to start field name", null, null);
            malformed(path, "a comment", "/* hi */" + valid, "Unexpected character ('/' (code 47))", null, null);
            malformed(path, "NaN as the sequence", valid.replace("\"sequence\":1", "\"sequence\":NaN"), "Non-standard token 'NaN'", null, null);
            malformed(path, "Infinity as a value", valid.replace("\"id\":1", "\"id\":Infinity"), "Non-standard token 'Infinity'", null, null);
            malformed(path, "-Infinity as a value", valid.replace("\"id\":1", "\"id\":-Infinity"), "Non-standard token '-Infinity'", null, null);
            malformed(path, "a duplicate key in the envelope", valid.replace("\"table_name\":\"corpus\"",
                    "\"table_name\":\"corpus\",\"table_name\":\"other\""), "Duplicate field 'table_name'", null, null);
            malformed(path, "a duplicate key in data", valid.replace("\"id\":1", "\"id\":1,\"id\":2"), "Duplicate field 'id'", null, null);
            malformed(path, "100,000-deep nested arrays", "[".repeat(100_000) + "]".repeat(100_000),
                    "Document nesting depth (1001) exceeds the maximum allowed (1000", null, null);
            malformed(path, "100,000-deep nested objects in data", valid.replace("\"name\":\"Finn\"",
                            "\"name\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)),
                    "Document nesting depth (1001) exceeds the maximum allowed (1000", null, null);
            malformed(path, "an integer of 5,000 digits", valid.replace("\"id\":1", "\"id\":" + "9".repeat(5_000)),
                    "Number value length (5000) exceeds the maximum allowed (1000", null, null);
            // Jackson throws NumberFormatException (not a parse error) for it: once a 500
            malformed(path, "a decimal whose exponent no BigDecimal holds", valid.replace("\"id\":1", "\"id\":1e-2147483648"),
                    "Value \"1e-2147483648\" can not be deserialized as `java.math.BigDecimal`", null, null);
            int at = utf8(valid.substring(0, valid.indexOf("Finn"))).length;
            malformedBytes(path, "a lone 0xFF byte", insertAt(valid, "Finn", 0xFF), "Invalid UTF-8 at byte offset " + at + " (0xff)");
            malformedBytes(path, "a truncated two-byte UTF-8 sequence", insertAt(valid, "Finn", 0xC3), "Invalid UTF-8 at byte offset " + at + " (0xc3)");
            malformedBytes(path, "a stray continuation byte", insertAt(valid, "Finn", 0x80), "Invalid UTF-8 at byte offset " + at + " (0x80)");
            // C0 AF is an overlong '/': Jackson alone would accept it and load "/Finn"
            malformedBytes(path, "an overlong UTF-8 encoding", insertAt(valid, "Finn", 0xC0, 0xAF), "Invalid UTF-8 at byte offset " + at + " (0xc0)");
            malformedBytes(path, "a UTF-8 encoded surrogate", insertAt(valid, "Finn", 0xED, 0xA0, 0x80), "Invalid UTF-8 at byte offset " + at + " (0xed)");
            malformedBytes(path, "a code point above U+10FFFF", insertAt(valid, "Finn", 0xF4, 0x90, 0x80, 0x80),
                    "Invalid UTF-8 at byte offset " + at + " (0xf4)");
            malformedBytes(path, "Latin-1 instead of UTF-8", valid.replace("Finn", "Fünn").getBytes(StandardCharsets.ISO_8859_1),
                    "Invalid UTF-8 at byte offset " + (at + 1) + " (0xfc)");
            malformedBytes(path, "a body cut inside a UTF-8 character", concat(utf8(valid.substring(0, valid.indexOf("Finn"))),
                    new byte[] {(byte) 0xE2, (byte) 0x82}), "Invalid UTF-8 at byte offset " + at + " (0xe2)");
        }
    }

    /** A JSON array where an object is expected, and the reverse. */
    private void wrongShapes() {
        batchError("a JSON array instead of the batch object", "[" + validBatch() + "]",
                "Request failed validation:#: expected type: JSONObject, found: JSONArray");
        batchError("an empty JSON array instead of the batch object", "[]", "Request failed validation:#: expected type: JSONObject, found: JSONArray");
        batchError("a JSON string instead of the batch object", "\"batch\"", "Request failed validation:#: expected type: JSONObject, found: String");
        batchError("a JSON number instead of the batch object", "42", "Request failed validation:#: expected type: JSONObject, found: Integer");
        batchError("JSON null instead of the batch object", "null", "Request failed validation:#: expected type: JSONObject, found: Null");
        batchError("JSON true instead of the batch object", "true", "Request failed validation:#: expected type: JSONObject, found: Boolean");
        String arrayExpected = "{\"status\":\"ERROR\",\"message\":\"An array of records is expected\"}";
        for (String path : PUSH_ENDPOINTS) {
            json(post(name(path, "a record object instead of an array"), path, pushRecord().toString()), 400, arrayExpected);
            json(post(name(path, "a batch body"), path, validBatch()), 400, arrayExpected);
            json(post(name(path, "JSON null"), path, "null"), 400, arrayExpected);
            json(post(name(path, "a JSON string"), path, "\"records\""), 400, arrayExpected);
            json(post(name(path, "an empty array"), path, "[]"), 400,
                    "{\"status\":\"ERROR\",\"message\":\"A batch must contain between 1 and 20000 records; this one has 0\"}");
            // a record that is not an object carries no client_id (import-api.md §7.4 "client_id missing")
            json(post(name(path, "an array of arrays"), path, "[[" + clientId + ",\"corpus\"]]"), 401, CLIENT_ID_MISSING);
            json(post(name(path, "an array of numbers"), path, "[1,2,3]"), 401, CLIENT_ID_MISSING);
        }
        batchError("messages holding an array instead of a message", envelope("messages", "[[]]"),
                "Request failed validation:#/messages/0: expected type: JSONObject, found: JSONArray");
        batchError("messages holding a number instead of a message", envelope("messages", "[1]"),
                "Request failed validation:#/messages/0: expected type: JSONObject, found: Integer");
        batchError("messages holding null instead of a message", envelope("messages", "[null]"),
                "Request failed validation:#/messages/0: expected type: JSONObject, found: Null");
    }

    /** Batch: every wrong JSON type for every top-level field (import-api.md §6.4 "wrong type", DECISIONS I3). */
    private void batchFieldTypes() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("table_name", "String");
        fields.put("schema", "JSONObject");
        fields.put("messages", "JSONArray");
        fields.put("key_names", "JSONArray");
        fields.put("table_version", "Integer");
        fields.put("bookmark_names", "JSONArray");
        fields.forEach((field, expected) -> KINDS.forEach((kind, value) -> {
            if (!kind.equals(expected)) {
                batchError("batch " + field + " as " + kind, envelope(field, value),
                        "Request failed validation:#/" + field + ": expected type: " + expected + ", found: " + kind);
            }
        }));
        batchError("batch key_names holding a number", envelope("key_names", "[\"id\",1]"),
                "Request failed validation:#/key_names/1: expected type: String, found: Integer");
        batchError("batch bookmark_names holding null", envelope("bookmark_names", "[null]"),
                "Request failed validation:#/bookmark_names/0: expected type: String, found: Null");
        batchError("batch table_version below zero", envelope("table_version", "-1"),
                "Request failed validation:#/table_version: -1 is not a table version (0 to 9223372036854775807)");
        batchError("batch table_version above the 64-bit maximum", envelope("table_version", "9223372036854775808"),
                "Request failed validation:#/table_version: 9223372036854775808 is not a table version (0 to 9223372036854775807)");
        batchError("batch table_version of 400 digits", envelope("table_version", "1" + "0".repeat(399)),
                "Request failed validation:#/table_version: 1" + "0".repeat(399) + " is not a table version (0 to 9223372036854775807)");
        batchError("batch table_name empty", envelope("table_name", "\"\""), "Request failed validation:#/table_name: expected minLength: 1, actual: 0");
    }

    /**
     * Batch: every wrong type for every message field. A message is one of two shapes (upsert with
     * data, activate_version without), so a broken message lists both shapes' violations, as the
     * documented "0 subschemas matched" text does (import-api.md §6.4).
     */
    private void batchMessageFieldTypes() {
        String oneOf = "Request failed validation:" + MESSAGE_0 + ": #: 0 subschemas matched instead of one ";
        String extraData = MESSAGE_0 + ": extraneous key [data] is not permitted";
        KINDS.forEach((kind, value) -> {
            String shown = kind.equals("String") ? "\"delete\"" : value;
            batchError("batch message action as " + kind, envelope(messageWith("action", shown)),
                    oneOf + extraData + " " + MESSAGE_0 + "/action: " + shown + " is not a valid enum value");
            if (!kind.equals("Integer")) {
                String wrong = MESSAGE_0 + "/sequence: expected type: Integer, found: " + kind;
                batchError("batch message sequence as " + kind, envelope(messageWith("sequence", value)),
                        oneOf + MESSAGE_0 + ": 2 schema violations found " + wrong + " " + extraData + " " + wrong);
            }
            if (!kind.equals("JSONObject")) {
                batchError("batch message data as " + kind, envelope(messageWith("data", value)),
                        oneOf + extraData + " " + MESSAGE_0 + "/data: expected type: JSONObject, found: " + kind);
            }
            String time = kind.equals("String") ? "\"yesterday\"" : value;
            batchError("batch message time_extracted as " + kind, envelope(messageWith("time_extracted", time)),
                    oneOf + MESSAGE_0 + ": 2 schema violations found " + extraData + " " + MESSAGE_0
                            + ": extraneous key [time_extracted] is not permitted " + MESSAGE_0 + "/time_extracted: " + time + " is not a valid date-time");
        });
        batchError("batch message sequence below zero", envelope(messageWith("sequence", "-1")),
                oneOf + MESSAGE_0 + ": 2 schema violations found " + MESSAGE_0 + "/sequence: -1 is not greater or equal to 0 " + extraData
                        + " " + MESSAGE_0 + "/sequence: -1 is not greater or equal to 0");
        batchError("batch message sequence one above the 64-bit maximum", envelope(messageWith("sequence", "9223372036854775808")),
                "Request failed validation:#: sequence can not be above 9223372036854775807");
        batchError("batch message sequence of 1,000 digits", envelope(messageWith("sequence", "9".repeat(1000))),
                "Request failed validation:#: sequence can not be above 9223372036854775807");
        batchError("batch message sequence 1e400", envelope(messageWith("sequence", "1e400")),
                oneOf + MESSAGE_0 + ": 2 schema violations found " + MESSAGE_0 + "/sequence: expected type: Integer, found: Number "
                        + extraData + " " + MESSAGE_0 + "/sequence: expected type: Integer, found: Number");
        batchError("batch message without sequence", envelope(messageWith("sequence", null)),
                oneOf + MESSAGE_0 + ": 2 schema violations found " + MESSAGE_0 + ": required key [sequence] not found " + extraData
                        + " " + MESSAGE_0 + ": required key [sequence] not found");
        batchError("batch message without action", envelope(messageWith("action", null)),
                oneOf + MESSAGE_0 + ": 2 schema violations found " + MESSAGE_0 + ": required key [action] not found " + extraData
                        + " " + MESSAGE_0 + ": required key [action] not found");
        batchError("batch message without data", envelope(messageWith("data", null)),
                oneOf + MESSAGE_0 + "/action: \"upsert\" is not a valid enum value " + MESSAGE_0 + ": required key [data] not found");
        batchError("batch message with an unknown key", envelope(messageWith("delete", "true")),
                oneOf + MESSAGE_0 + ": 2 schema violations found " + extraData + " " + MESSAGE_0 + ": extraneous key [delete] is not permitted "
                        + MESSAGE_0 + ": extraneous key [delete] is not permitted");
    }

    /** Batch: the documented envelope, schema, record and key rules (import-api.md §6.1, §6.4). */
    private void batchRules() {
        for (String field : List.of("table_name", "schema", "messages")) {
            batchError("batch without " + field, envelope(field, null), "Request failed validation:#: required key [" + field + "] not found");
        }
        batchError("batch with an unknown top-level key", envelope("client_id", "1"),
                "Request failed validation:#: extraneous key [client_id] is not permitted");
        batchError("batch with a schema of unknown type", envelope("schema", "{\"properties\":{\"id\":{\"type\":\"bigint\"}}}"),
                "Invalid JSON schema: unknown type: [bigint]");
        batchError("batch with a record that does not conform", envelope(messageWith("data", "{\"id\":\"one\"}")),
                "Record 0 did not conform to schema: #/id: expected: Integer, found: String");
        batchError("batch with a record missing its key", envelope(messageWith("data", "{\"name\":\"Finn\"}")),
                "Record is missing key property id");
        batchError("batch with a null key", envelope("schema", "{\"properties\":{\"id\":{\"type\":[\"null\",\"integer\"]}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":null}}]"), "Record is missing key property id");
        // import-api.md §6.1 key_names rule 4: a key must be in the schema and in every record, or this error
        batchError("batch with a key the schema does not declare", envelope("key_names", "[\"sku\"]"), "Record is missing key property sku");
        batchError("batch with duplicate key names", envelope("key_names", "[\"id\",\"id\"]"),
                "Request failed validation:#/key_names: array items are not unique");
        batchError("batch with a 1,025-character string key", envelope("schema", "{\"properties\":{\"id\":{\"type\":\"string\"}}}",
                        "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":\"" + "k".repeat(1025) + "\"}}]"),
                "Record 0 has a key property id longer than 1024 characters");
        batchError("batch with an object as key value", envelope("schema", "{\"properties\":{\"id\":{\"type\":\"object\"}}}",
                        "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":{\"a\":1}}}]"),
                "Record 0 has a key property id that is an object or array; keys must be scalar values");
        batchError("batch with no messages", envelope("messages", "[]"),
                "Request failed validation:#/messages: expected minimum item count: 1, found: 0");
    }

    /** Push: every wrong type for every record field (import-api.md §7.4 "wrong type", "blank"; DECISIONS I3). */
    private void pushFieldTypes() {
        KINDS.forEach((kind, value) -> {
            if (kind.equals("Null")) {
                reason("push table_name as Null", pushWith("table_name", value), "table_name", "can't be blank");
                reason("push sequence as Null", pushWith("sequence", value), "sequence", "can't be blank");
                reason("push action as Null", pushWith("action", value), "action", "can't be blank");
                reason("push key_names as Null", pushWith("key_names", value), "key_names", "can't be blank");
                reason("push data as Null", pushWith("data", value), "data", "can't be blank");
                return;
            }
            if (!kind.equals("String")) {
                reason("push table_name as " + kind, pushWith("table_name", value), "table_name", "should be a string");
                reason("push namespace as " + kind, pushWith("namespace", value), "namespace", "should be a string");
            }
            if (!kind.equals("Integer")) {
                reason("push sequence as " + kind, pushWith("sequence", value), "sequence", "should be an integer", "should be a number");
                reason("push table_version as " + kind, pushWith("table_version", value), "table_version",
                        "should be an integer between 0 and 9223372036854775807");
            }
            reason("push action as " + kind, pushWith("action", kind.equals("String") ? "\"delete\"" : value), "action", "should be upsert or switch_view");
            if (!kind.equals("JSONArray")) {
                reason("push key_names as " + kind, pushWith("key_names", value), "key_names", "should be an array");
            }
            if (!kind.equals("JSONObject")) {
                reason("push data as " + kind, pushWith("data", value), "data", "data must be an object");
            }
        });
    }

    /** Push: missing fields, keys and the other documented 422s (import-api.md §7.4). */
    private void pushRules() {
        for (String field : List.of("table_name", "sequence", "action", "key_names", "data")) {
            reason("push without " + field, pushWith(field, null), field, "can't be blank");
        }
        reason("push table_name empty", pushWith("table_name", "\"\""), "table_name", "can't be blank");
        reason("push table_name of spaces", pushWith("table_name", "\"   \""), "table_name", "can't be blank");
        reason("push sequence below zero", pushWith("sequence", "-1"), "sequence", "should be between 0 and 9223372036854775807");
        reason("push sequence one above the 64-bit maximum", pushWith("sequence", "9223372036854775808"), "sequence",
                "should be between 0 and 9223372036854775807");
        reason("push sequence of 1,000 digits", pushWith("sequence", "9".repeat(1000)), "sequence", "should be between 0 and 9223372036854775807");
        reason("push sequence 1e400", pushWith("sequence", "1e400"), "sequence", "should be an integer", "should be a number");
        reason("push table_version below zero", pushWith("table_version", "-1"), "table_version",
                "should be an integer between 0 and 9223372036854775807");
        reason("push switch_view without table_version", pushWith("action", "\"switch_view\""), "table_version", "can't be blank");
        json(post("push key_properties instead of key_names", PUSH, pushWithout("key_names", "key_properties", "[\"id\"]")), 422,
                unprocessable("{\"key_names\":[\"can't be blank\"],\"key_properties\":[\"unknown key\"]}"));
        reason("push with an unknown key", pushWith("schema", "{}"), "schema", "unknown key");
        reason("push data without its key", pushWith("data", "{\"name\":\"Finn\"}"), "data", "data must include keys");
        reason("push data with a null key", pushWith("data", "{\"id\":null}"), "data", "keys cannot not be null in data");
        reason("push data with a 1,025-character key", pushWith("data", "{\"id\":\"" + "k".repeat(1025) + "\"}"), "data",
                "String keys cannot be longer than 1024 characters");
        reason("push data with an array key", pushWith("data", "{\"id\":[1]}"), "data", "keys must be scalar values, not objects or arrays");
        json(post("push key_names holding a number", PUSH, pushWith("key_names", "[1]")), 422,
                unprocessable("{\"key_names\":[\"should be an array of strings\"],\"data\":[\"data must include keys\"]}"));
        json(post("push one table with two key_names sets", PUSH, "[" + pushRecord() + "," + pushRecord().put("sequence", 2)
                        .set("key_names", JsonText.parse("[\"name\"]")) + "]"), 400,
                "{\"error\":\"key_names [name] do not match the key_names [id] of table corpus\"}");
        for (String field : List.of("table_name", "data", "sequence")) {
            reason("validate " + field + " wrong", VALIDATE, pushWith(field, "true"), field,
                    field.equals("data") ? List.of("data must be an object") : field.equals("sequence")
                            ? List.of("should be an integer", "should be a number") : List.of("should be a string"));
        }
    }

    /** client_id: missing → 401, another account → 403, several → 422, wrong type → 422 (DECISIONS I7, import-api.md §7.4). */
    private void clientIds() {
        for (String path : PUSH_ENDPOINTS) {
            json(post(name(path, "client_id missing"), path, pushWith("client_id", null)), 401, CLIENT_ID_MISSING);
            json(post(name(path, "client_id null"), path, pushWith("client_id", "null")), 401, CLIENT_ID_MISSING);
            json(post(name(path, "client_id missing from the second record"), path,
                    "[" + pushRecord() + "," + pushRecord().put("sequence", 2).without("client_id") + "]"), 401, CLIENT_ID_MISSING);
            json(post(name(path, "another account's client_id"), path, pushWith("client_id", Long.toString(otherClientId))), 403, CLIENT_MISMATCH);
            json(post(name(path, "an unknown client_id"), path, pushWith("client_id", "1")), 403, CLIENT_MISMATCH);
            json(post(name(path, "this client_id with another account's token"), path, validPush()).auth("Bearer " + otherAccountToken),
                    403, CLIENT_MISMATCH);
            json(post(name(path, "two client_ids"), path, "[" + pushRecord() + "," + pushRecord().put("sequence", 2).put("client_id", otherClientId) + "]"),
                    422, "{\"status\":\"ERROR\",\"error\":\"Request cannot be processed; see errors.\",\"errors\":[{\"reason\":"
                            + "\"The batch contains data points for multiple clients. Only client_id " + clientId + " is allowed\"}]}");
            for (String kind : List.of("String", "Number", "Boolean", "JSONArray", "JSONObject")) {
                String value = kind.equals("String") ? "\"" + clientId + "\"" : kind.equals("Number") ? clientId + ".0" : KINDS.get(kind);
                // replaced as text: a parsed 7723.0 would be written back as 7723
                reason(name(path, "client_id as " + kind), path, validPush().replace("\"client_id\":" + clientId, "\"client_id\":" + value),
                        "client_id", List.of("should be an integer"));
            }
            reason(name(path, "this client_id as a string in the second record"), path,
                    "[" + pushRecord() + "," + pushRecord().put("sequence", 2).put("client_id", Long.toString(clientId)) + "]",
                    "client_id", List.of("should be an integer"));
        }
    }

    /** 25 MiB bodies, 20,001 messages, more than 10,000 data points (DECISIONS I4, import-api.md §6.2, §10). */
    private void limits() {
        String tooLarge = "{\"status\":\"ERROR\",\"message\":\"Request rejected: request size (26214400s bytes) exceeds the maximum\"}";
        for (String path : ENDPOINTS) {
            json(postBytes(name(path, "a 25 MiB body"), path, () -> spaces(25 * MIB)), 413, tooLarge);
            json(postBytes(name(path, "a 25 MiB chunked body"), path, () -> spaces(25 * MIB)).chunked(), 413, tooLarge);
        }
        batchError("batch with 20,001 messages", envelope("messages", messages(20_001)),
                "Request failed validation:#/messages: expected maximum item count: 20000, found: 20001");
        batchError("batch with 10,001 data points", envelope("schema", "{\"properties\":{}}", "key_names", "[]",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":" + wideObject(10_001) + "}]"), "Record 0 has more than 10000 data points");
        batchError("batch with 10,001 data points in a nested array", envelope(messageWith("data",
                "{\"id\":1,\"list\":" + numbers(10_000) + "}")), "Record 0 has more than 10000 data points");
        for (String path : PUSH_ENDPOINTS) {
            json(post(name(path, "20,001 records"), path, pushRecords(20_001)), 400,
                    "{\"status\":\"ERROR\",\"message\":\"A batch must contain between 1 and 20000 records; this one has 20001\"}");
            reason(name(path, "10,001 data points"), path, pushWith("data", wideObject(10_001).replaceFirst("\"f0\"", "\"id\"")), "data",
                    List.of("data must not contain more than 10000 data points"));
        }
    }

    /** gzip bombs and broken gzip (DECISIONS I9). */
    private void compression() {
        String bomb = "{\"status\":\"ERROR\",\"message\":\"Request rejected: the gzip body inflates past the maximum of " + INFLATED_LIMIT + " bytes\"}";
        for (String path : ENDPOINTS) {
            byte[] valid = utf8(path.equals(BATCH) ? validBatch() : validPush());
            json(postBytes(name(path, "a gzip bomb"), path, this::gzipBomb).gzip(), 413, bomb);
            json(postBytes(name(path, "plain JSON labelled gzip"), path, () -> valid).gzip(), 400,
                    "{\"status\":\"ERROR\",\"message\":\"Malformed gzip body: Not in GZIP format\"}");
            json(postBytes(name(path, "truncated gzip"), path, () -> Arrays.copyOf(gzip(valid), gzip(valid).length - 12)).gzip(), 400,
                    "{\"status\":\"ERROR\",\"message\":\"Malformed gzip body: Unexpected end of ZLIB input stream\"}");
            json(postBytes(name(path, "gzip with a corrupt checksum"), path, () -> {
                byte[] g = gzip(valid);
                g[g.length - 8] ^= 0x55;
                return g;
            }).gzip(), 400, "{\"status\":\"ERROR\",\"message\":\"Malformed gzip body: Corrupt GZIP trailer\"}");
            json(postBytes(name(path, "gzip with corrupt deflate data"), path, () -> {
                byte[] g = gzip(valid);
                for (int i = 10; i < 16; i++) {
                    g[i] = (byte) 0xFF;
                }
                return g;
            }).gzip(), 400, "{\"status\":\"ERROR\",\"message\":\"Malformed gzip body: invalid block type\"}");
            json(postBytes(name(path, "an unknown Content-Encoding"), path, () -> valid).header("Content-Encoding", "br"), 415,
                    "{\"status\":\"ERROR\",\"message\":\"Unsupported Content-Encoding br. Please send gzip or no encoding\"}");
            Case gzippedGarbage = postBytes(name(path, "gzip of malformed JSON"), path, () -> gzip(utf8("{\"table_name\":"))).gzip();
            expectMalformed(gzippedGarbage, path, "Unexpected end-of-input", null, null);
        }
    }

    /** One byte more than the inflated limit, as gzip: about 21 KiB on the wire. Built once. */
    private byte[] gzipBomb() {
        if (gzipBomb == null) {
            gzipBomb = gzip(spaces((int) INFLATED_LIMIT + 1));
            assertThat(gzipBomb.length).as("compressed size of the bomb").isLessThan(64 * 1024);
        }
        return gzipBomb;
    }

    /** Missing, malformed, unknown, revoked tokens; paused and deleted sources (import-api.md §3, §6.4, §7.4; DECISIONS I6, C3, C7). */
    private void authentication() {
        for (String path : ENDPOINTS) {
            String body = path.equals(BATCH) ? validBatch() : validPush();
            json(post(name(path, "no Authorization header"), path, body).auth(null), 401, NOT_AUTHORIZED);
            json(post(name(path, "an empty Authorization header"), path, body).auth(""), 401, NOT_AUTHORIZED);
            json(post(name(path, "the scheme without a token"), path, body).auth("Bearer"), 401, NOT_AUTHORIZED);
            json(post(name(path, "the token without a scheme"), path, body).auth(token), 401, NOT_AUTHORIZED);
            json(post(name(path, "the Basic scheme"), path, body).auth("Basic " + token), 401, NOT_AUTHORIZED);
            json(post(name(path, "the Token scheme"), path, body).auth("Token " + token), 401, NOT_AUTHORIZED);
            json(post(name(path, "a token followed by junk"), path, body).auth("Bearer " + token + " junk"), 401, NOT_AUTHORIZED);
            json(post(name(path, "an unknown token"), path, body).auth("Bearer at_" + "A".repeat(43)), 401, NOT_AUTHORIZED);
            json(post(name(path, "a 4,000-character token"), path, body).auth("Bearer at_" + "A".repeat(4000)), 401, NOT_AUTHORIZED);
            json(post(name(path, "the Connect API token"), path, body).auth("Bearer " + bobbin.connectToken()), 401, NOT_AUTHORIZED);
            json(post(name(path, "a revoked token"), path, body).auth("Bearer " + revokedToken), 401, NOT_AUTHORIZED);
            json(post(name(path, "a paused source's token"), path, body).auth("Bearer " + pausedToken), 401, NOT_ACTIVE);
            json(post(name(path, "a deleted source's token"), path, body).auth("Bearer " + deletedToken), 401, NOT_ACTIVE);
        }
    }

    /** Another source's token writes to its own source only (import-api.md §3). */
    private void sources() {
        post("batch with another source's token loads into that source only", BATCH, envelope("table_name", "\"second_batch\""))
                .auth("Bearer " + secondSource.token())
                .accepted(1, () -> {
                    assertThat(bobbin.rows("SELECT id, name FROM second_source.second_batch")).containsExactly(List.of("1", "Finn"));
                    assertThat(bobbin.tables("import_api")).doesNotContain("second_batch");
                });
        post("push with another source's token loads into that source only", PUSH, pushWith("table_name", "\"second_push\""))
                .auth("Bearer " + secondSource.token())
                .accepted(1, () -> {
                    assertThat(bobbin.rows("SELECT id, name FROM second_source.second_push")).containsExactly(List.of("1", "Finn"));
                    assertThat(bobbin.tables("import_api")).doesNotContain("second_push");
                });
        post("push with another account's token and client_id loads into that account's source", PUSH,
                "[" + pushRecord().put("client_id", otherClientId).put("table_name", "other_push") + "]")
                .auth("Bearer " + otherAccountToken)
                .accepted(1, () -> {
                    assertThat(bobbin.rows(otherClientId, "SELECT id, name FROM other_account_source.other_push"))
                            .containsExactly(List.of("1", "Finn"));
                    assertThat(bobbin.tables("import_api")).doesNotContain("other_push");
                    assertThat(bobbin.tables("second_source")).doesNotContain("other_push");
                });
    }

    /** Content types (import-api.md §4, §9.1; batch 415 plain text, push and validate 415 JSON). */
    private void contentTypes() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("text/plain", "text/plain");
        types.put("text/plain; charset=utf-8", "text/plain");
        types.put("multipart/form-data; boundary=----corpus", "multipart/form-data");
        types.put("application/xml", "application/xml");
        types.put("application/x-www-form-urlencoded", "application/x-www-form-urlencoded");
        types.put("application/jsonx", "application/jsonx");
        types.put("application/json-patch+json", "application/json-patch+json");
        types.put("", "");
        types.put(null, "(none)");
        types.forEach((header, media) -> {
            String label = header == null ? "no Content-Type" : header.isEmpty() ? "an empty Content-Type" : "Content-Type " + header;
            text(post(name(BATCH, label), BATCH, validBatch()).contentType(header), 415, BATCH_415);
            for (String path : PUSH_ENDPOINTS) {
                json(post(name(path, label), path, validPush()).contentType(header), 415,
                        "{\"status\":\"ERROR\",\"message\":\"Unsupported content-type " + media
                                + ". Please send application/json or application/transit+json\"}");
            }
        });
        text(post(name(BATCH, "Transit"), BATCH, "[\"^ \",\"table_name\",\"corpus\"]").contentType("application/transit+json"), 415, BATCH_415);
        text(post(name(BATCH, "Transit with msgpack"), BATCH, validBatch()).contentType("application/transit+msgpack"), 415, BATCH_415);
        for (String path : PUSH_ENDPOINTS) {
            String transit = "application/transit+json";
            expectMalformed(post(name(path, "truncated Transit"), path, "[[\"^ \",\"client_id\"").contentType(transit), path,
                    "malformed Transit JSON: Unexpected end-of-input", null, null);
            expectMalformed(post(name(path, "Transit with an unknown tag"), path,
                    "[[\"^ \",\"client_id\",\"~q123\"]]").contentType(transit), path, null, null, "unsupported Transit tag ~q");
            expectMalformed(post(name(path, "Transit with a cache code never defined"), path,
                    "[[\"^ \",\"^5\",1]]").contentType(transit), path, null, null, "invalid cache reference ^5");
            expectMalformed(post(name(path, "Transit with a bad timestamp"), path,
                    "[[\"^ \",\"client_id\",\"~mnot-a-number\"]]").contentType(transit), path, null, null,
                    "invalid Transit timestamp (epoch milliseconds) ~mnot-a-number");
            json(post(name(path, "Transit map instead of an array"), path, "[\"^ \",\"client_id\"," + clientId + "]").contentType(transit), 400,
                    "{\"status\":\"ERROR\",\"message\":\"An array of records is expected\"}");
        }
    }

    /** Other methods (405, push plain text; DECISIONS I5) and unknown paths (404 JSON). */
    private void methodsAndPaths() {
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            for (String path : PUSH_ENDPOINTS) {
                text(request(name(path, method), method, path), 405, "Method not allowed.");
            }
            json(request(name(BATCH, method), method, BATCH), 405, "{\"message\":\"Method not allowed.\"}");
        }
        json(request("POST on the status endpoint", "POST", "/v2/import/status"), 405, "{\"message\":\"Method not allowed.\"}");
        for (String path : List.of("/v2/import/pushx", "/v2/import", "/v2/import/", "/v1/import/push", "/v2/import/push/extra",
                "/v2/import/batch/1", "/v3/import/batch", "/V2/IMPORT/PUSH")) {
            json(post("POST " + path, path, validPush()), 404,
                    "{\"error\":\"NotFound\",\"data\":{\"message\":\"no such endpoint: POST " + path + "\"}}");
        }
        json(request("GET with dot segments", "GET", "/v2/import/nothing/../../../etc/passwd"), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"no such endpoint: GET /v2/import/nothing/../../../etc/passwd\"}}");
        // encoded and doubled separators, dot segments and path parameters never reach an endpoint
        for (String path : List.of("/v2/import/push%2F", "/v2/import/%2e%2e/import/push", "/v2/import//push", "/v2/import/push;x=1")) {
            json(raw("POST " + path + " (raw)", null, "POST " + path + " HTTP/1.1", List.of("Host: x", "Connection: close", "Content-Length: 0"),
                    new byte[0], false), 404, "{\"error\":\"NotFound\",\"data\":{\"message\":\"no such endpoint: POST " + path + "\"}}");
        }
        json(raw("a bad percent-escape in the query", null, "POST /v2/import/push?x=%ZZ HTTP/1.1",
                List.of("Host: x", "Connection: close", "Content-Length: 0"), new byte[0], false), 401, NOT_AUTHORIZED);
        json(raw("a bad percent-escape in the path", null, "POST /v2/import/push%ZZ HTTP/1.1",
                List.of("Host: x", "Connection: close", "Content-Length: 0"), new byte[0], false), 400, "{\"status\":\"ERROR\",\"message\":\"Bad Request\"}");
        json(raw("a NUL byte in the path", null, "POST /v2/import/push%00 HTTP/1.1", List.of("Host: x", "Connection: close", "Content-Length: 0"),
                new byte[0], false), 400, "{\"status\":\"ERROR\",\"message\":\"Bad Request\"}");
    }

    /** Bytes HttpClient will not send: lying and malformed framing (raw sockets). */
    private void framing() {
        String valid = validBatch();
        json(raw("batch with a Content-Length larger than the body", BATCH, "Content-Length: " + (valid.length() + 100), utf8(valid), true), 400,
                "{\"error\":\"" + MALFORMED_BATCH + "Unexpected end of the request body (Early EOF)\"}");
        json(raw("push with a Content-Length larger than the body", PUSH, "Content-Length: " + (validPush().length() + 100), utf8(validPush()), true),
                400, "{\"status\":\"ERROR\",\"message\":\"Malformed json in the body!\","
                        + "\"error\":\"Unexpected end of the request body (Early EOF)\",\"input\":null}");
        expectMalformed(raw("batch with a Content-Length shorter than the body", BATCH, "Content-Length: " + (valid.length() - 10), utf8(valid), false),
                BATCH, "Unexpected end-of-input", null, null);
        expectMalformed(raw("push with a Content-Length shorter than the body", PUSH, "Content-Length: " + (validPush().length() - 10),
                utf8(validPush()), false), PUSH, "Unexpected end-of-input", null, null);
        json(raw("batch declaring 25 MiB and sending a few bytes", BATCH, "Content-Length: " + 25 * MIB, utf8(valid), true), 413,
                "{\"status\":\"ERROR\",\"message\":\"Request rejected: request size (26214400s bytes) exceeds the maximum\"}");
        json(raw("batch with a Latin-1 byte in the token", BATCH, "POST " + BATCH + " HTTP/1.1", List.of("Host: x", "Connection: close",
                "Authorization: Bearer at_\u00ff" + token.substring(3), "Content-Type: application/json", "Content-Length: " + utf8(valid).length),
                utf8(valid), false), 401, NOT_AUTHORIZED);
        json(raw("batch with a non-numeric Content-Length", BATCH, "Content-Length: abc", utf8(valid), false), 400,
                "{\"status\":\"ERROR\",\"message\":\"Invalid Content-Length Value\"}");
        json(raw("batch with a negative Content-Length", BATCH, "Content-Length: -1", utf8(valid), false), 400,
                "{\"status\":\"ERROR\",\"message\":\"Invalid Content-Length Value\"}");
        json(raw("batch with two different Content-Lengths", BATCH, "Content-Length: 2\r\nContent-Length: 3", utf8("{}"), false), 400,
                "{\"status\":\"ERROR\",\"message\":\"Multiple Content-Lengths\"}");
        json(raw("batch with Content-Length and chunked encoding", BATCH, "Content-Length: 5\r\nTransfer-Encoding: chunked",
                utf8("2\r\n{}\r\n0\r\n\r\n"), false), 400, "{\"status\":\"ERROR\",\"message\":\"Transfer-Encoding and Content-Length\"}");
        json(raw("batch with a broken chunk size", BATCH, "Transfer-Encoding: chunked", utf8("zz\r\n{}\r\n0\r\n\r\n"), false), 400,
                "{\"error\":\"" + MALFORMED_BATCH + "Unexpected end of the request body (Early EOF)\"}");
        json(raw("batch without a Host header", null, "POST /v2/import/batch HTTP/1.1", List.of("Connection: close", "Content-Length: 2"),
                utf8("{}"), false), 400, "{\"status\":\"ERROR\",\"message\":\"No Host\"}");
        json(raw("a garbage request line", null, "GARBAGE", List.of(), new byte[0], false), 400,
                "{\"status\":\"ERROR\",\"message\":\"No URI\"}");
        json(raw("a 100 KB header", BATCH, "X-Padding: " + "p".repeat(100_000), utf8(valid), false), 431,
                "{\"status\":\"ERROR\",\"message\":\"Request Header Fields Too Large\"}");
        json(raw("an HTTP/1.0 request with a bad version", null, "POST /v2/import/batch HTTP/9.9",
                List.of("Host: x", "Connection: close", "Content-Length: 2"), utf8("{}"), false), 505,
                "{\"status\":\"ERROR\",\"message\":\"Unknown Version\"}");
    }

    /**
     * Names and values the API accepts and the loader handles (import-api.md §6.1, §10; loading.md §8,
     * §9.3, §11; DECISIONS L4, L10): quotes, semicolons and control characters are cleaned out of
     * names; a 10,000-character table name rejects the table's records and a 10,000-character field
     * name rejects that value, each with a row in {@code _sdc_rejected}.
     */
    private void namesAndValuesForTheLoader() {
        post("batch table name with a double quote", BATCH, envelope("table_name", "\"tab\\\"quote\""))
                .accepted(1, () -> assertRows("import_api", "tabquote", List.of("1", "Finn")));
        post("batch table name with semicolons and SQL", BATCH, envelope("table_name", "\"semi;colon\\\"; DROP TABLE corpus;--\""))
                .accepted(1, () -> assertRows("import_api", "semicolon DROP TABLE corpus", List.of("1", "Finn")));
        post("batch table name with control characters", BATCH, envelope("table_name", "\"ctrl\\u0000\\u0001\\u001f\\u007f\\n\\ttable\""))
                .accepted(1, () -> assertRows("import_api", "ctrltable", List.of("1", "Finn")));
        String longTable = "t".repeat(10_000);
        post("batch table name of 10,000 characters", BATCH, envelope("table_name", "\"" + longTable + "\""))
                .accepted(1, () -> {
                    assertThat(bobbin.tables("import_api")).noneMatch(t -> t.startsWith("ttt"));
                    assertThat(bobbin.rows("SELECT reason, record FROM import_api._sdc_rejected WHERE table_name = '" + longTable + "'"))
                            .containsExactly(List.of("Table name " + "t".repeat(80) + "… is longer than 63 characters", "{\"id\":1,\"name\":\"Finn\"}"));
                });
        post("batch table name of punctuation only", BATCH, envelope("table_name", "\"\\\";--\""))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = chr(34) || chr(59) || '--'"))
                        .containsExactly(List.of("table name '\";--' has no letters or digits")));
        fieldName("quote", "na\\\"me", "name");
        fieldName("semicolons", "se;mi; DROP TABLE x;--", "semi DROP TABLE x");
        fieldName("control characters", "c\\u0000t\\u0007l\\u001b", "ctl");
        String longField = "f".repeat(10_000);
        post("batch field name of 10,000 characters", BATCH, envelope("table_name", "\"long_field\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"" + longField + "\":{\"type\":\"string\"}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"" + longField + "\":\"x\"}}]"))
                .accepted(1, () -> {
                    assertThat(bobbin.rows("SELECT * FROM import_api.long_field").get(0)).contains("1").doesNotContain("x");
                    assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'long_field'"))
                            .containsExactly(List.of("Column name " + "f".repeat(80) + "… is longer than 59 characters"));
                });
        post("push table and field names with quotes, semicolons and control characters", PUSH,
                "[" + pushRecord().put("table_name", "push\"quote;\u0001").set("data", JsonText.parse("{\"id\":1,\"a\\\"b;c\\u0002\":\"x\"}")) + "]")
                .accepted(1, () -> assertThat(bobbin.rows("SELECT id, abc FROM import_api.pushquote")).containsExactly(List.of("1", "x")));
        post("push table name of 10,000 characters", PUSH, pushWith("table_name", "\"" + "p".repeat(10_000) + "\""))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = '"
                        + "p".repeat(10_000) + "'")).containsExactly(List.of("Table name " + "p".repeat(80) + "… is longer than 63 characters")));
        post("batch string with a lone surrogate escape", BATCH, envelope("table_name", "\"lone_surrogate\"",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"name\":\"a\\ud800b\"}}]"))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT id, name FROM import_api.lone_surrogate")).containsExactly(List.of("1", "a?b")));
        post("batch string with a NUL character", BATCH, envelope("table_name", "\"nul_string\"",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"name\":\"a\\u0000b\"}}]"))
                .accepted(1, () -> {
                    assertThat(bobbin.tables("import_api")).doesNotContain("nul_string");
                    assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'nul_string'"))
                            .containsExactly(List.of("field name holds the character U+0000, which PostgreSQL text cannot store"));
                });
        post("batch number too large for double precision", BATCH, envelope("table_name", "\"huge_double\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"big\":{\"type\":\"number\"}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"big\":1e400}}]"))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason, record FROM import_api._sdc_rejected WHERE table_name = 'huge_double'"))
                        .containsExactly(List.of("field big holds a number too large for double precision", "{\"id\":1,\"big\":1E+400}")));
        post("push number too large for double precision", PUSH, "[" + pushRecord().put("table_name", "push_huge_double")
                .set("data", JsonText.parse("{\"id\":1,\"big\":-1e400}")) + "]")
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'push_huge_double'"))
                        .containsExactly(List.of("field big holds a number too large for double precision")));
        post("batch integer too large for bigint", BATCH, envelope("table_name", "\"huge_integer\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"big\":{\"type\":\"integer\"}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"big\":123456789012345678901234567890}}]"))
                .accepted(1, () -> {
                    assertThat(bobbin.tables("import_api")).doesNotContain("huge_integer");
                    assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'huge_integer'"))
                            .containsExactly(List.of(DECIMAL_OUT_OF_RANGE));
                });
        post("batch integer of 29 digits loads as a decimal", BATCH, envelope("table_name", "\"wide_integer\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"big\":{\"type\":\"integer\"}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"big\":-12345678901234567890123456789}}]"))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT id, CAST(big AS VARCHAR) FROM import_api.wide_integer"))
                        .containsExactly(List.of("1", "-12345678901234567890123456789.000000000")));
        post("batch decimal with 12 fractional digits", BATCH, envelope("table_name", "\"fine_decimal\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"d\":{\"type\":\"number\",\"multipleOf\":1e-12}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"d\":0.123456789012}}]"))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'fine_decimal'"))
                        .containsExactly(List.of(DECIMAL_OUT_OF_RANGE.replace("field big", "field d"))));
        post("push Transit decimal of 40 digits", PUSH, "[[\"^ \",\"client_id\"," + clientId + ",\"table_name\",\"transit_decimal\","
                + "\"sequence\",1,\"action\",\"upsert\",\"key_names\",[\"id\"],\"data\",[\"^ \",\"id\",1,\"big\",\"~f" + "9".repeat(40) + "\"]]]")
                .contentType("application/transit+json")
                .accepted(1, () -> assertThat(bobbin.rows("SELECT reason FROM import_api._sdc_rejected WHERE table_name = 'transit_decimal'"))
                        .containsExactly(List.of(DECIMAL_OUT_OF_RANGE)));
    }

    private void fieldName(String label, String rawJsonName, String column) {
        String table = "field_" + label.replace(' ', '_');
        post("batch field name with " + label, BATCH, envelope("table_name", "\"" + table + "\"",
                "schema", "{\"properties\":{\"id\":{\"type\":\"integer\"},\"" + rawJsonName + "\":{\"type\":\"string\"}}}",
                "messages", "[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"" + rawJsonName + "\":\"x\"}}]"))
                .accepted(1, () -> assertThat(bobbin.rows("SELECT id, \"" + column + "\" FROM import_api." + table)).containsExactly(List.of("1", "x")));
    }

    private void assertRows(String schema, String table, List<String> row) {
        assertThat(bobbin.tables(schema)).contains(table);
        assertThat(bobbin.rows("SELECT id, name FROM " + schema + ".\"" + table + "\"")).containsExactly(row);
    }

    // ---- building cases -------------------------------------------------------------------------------

    /** A POST of a UTF-8 body with this node's token and {@code application/json}. */
    private Case post(String name, String path, String body) {
        return postBytes(name, path, () -> utf8(body));
    }

    private Case postBytes(String name, String path, Supplier<byte[]> body) {
        Case c = new Case(name, "POST", path);
        c.body = body;
        return c.auth("Bearer " + token).contentType("application/json");
    }

    /** A request with no body and no headers. */
    private Case request(String name, String method, String path) {
        return new Case(name, method, path);
    }

    /** A raw POST to {@code path} with this node's token, {@code application/json}, {@code extraHeaders} and {@code body}. */
    private Case raw(String name, String path, String extraHeaders, byte[] body, boolean halfClose) {
        List<String> lines = new ArrayList<>(List.of("Host: 127.0.0.1", "Connection: close", "Authorization: Bearer " + token,
                "Content-Type: application/json"));
        lines.addAll(List.of(extraHeaders.split("\r\n")));
        return raw(name, path, "POST " + path + " HTTP/1.1", lines, body, halfClose);
    }

    private Case raw(String name, String path, String requestLine, List<String> headerLines, byte[] body, boolean halfClose) {
        Case c = new Case(name, "POST", path);
        c.raw = () -> RawHttp.request(requestLine, headerLines, body);
        c.halfClose = halfClose;
        return c;
    }

    private static String name(String path, String what) {
        return path.substring(path.lastIndexOf('/') + 1) + ": " + what;
    }

    private Case json(Case c, int status, String expectedJson) {
        JsonNode expected = JsonText.parse(expectedJson);
        c.status = status;
        c.mediaType = "application/json";
        c.expectedBody = reply -> assertThat(reply.json()).as("body").isEqualTo(expected);
        return c;
    }

    private Case text(Case c, int status, String expectedText) {
        c.status = status;
        c.mediaType = "text/plain";
        c.expectedBody = reply -> assertThat(reply.body()).as("body").isEqualTo(expectedText);
        return c;
    }

    /** A batch refused with {@code 400 {"error": text}}. */
    private void batchError(String name, String body, String error) {
        json(post(name, BATCH, body), 400, Json.write(Map.of("error", error)));
    }

    /** A push refused with the documented 422: one record, one field, its problems. */
    private void reason(String name, String body, String field, String... problems) {
        reason(name, PUSH, body, field, List.of(problems));
    }

    private void reason(String name, String path, String body, String field, List<String> problems) {
        Map<String, Object> reason = Map.of(field, problems);
        json(post(name, path, body), 422, unprocessable(Json.write(reason)));
    }

    private static String unprocessable(String reasonJson) {
        return "{\"status\":\"ERROR\",\"error\":\"Request cannot be processed; see errors.\",\"errors\":[{\"reason\":" + reasonJson + "}]}";
    }

    /**
     * A malformed body: with {@code parserPrefix} the parser's message must start with it (batch:
     * {@code {"error":"Request failed validation: malformed JSON: <message>"}}, push and validate:
     * {@code {"status":"ERROR","message":"Malformed json in the body!","error":"<message>","input":null}});
     * otherwise the message is exactly {@code batchMessage} or {@code pushMessage}.
     */
    private void malformed(String path, String what, String body, String parserPrefix, String batchMessage, String pushMessage) {
        expectMalformed(post(name(path, what), path, body), path, parserPrefix, batchMessage, pushMessage);
    }

    private void malformedBytes(String path, String what, byte[] body, String parserPrefix) {
        expectMalformed(postBytes(name(path, what), path, () -> body), path, parserPrefix, null, null);
    }

    private void expectMalformed(Case c, String path, String parserPrefix, String batchMessage, String pushMessage) {
        c.status = 400;
        c.mediaType = "application/json";
        c.expectedBody = reply -> {
            JsonNode body = reply.json();
            String message;
            if (path.equals(BATCH)) {
                assertThat(fieldNames(body)).as(reply.toString()).containsExactly("error");
                assertThat(body.get("error").asText()).startsWith(MALFORMED_BATCH);
                message = body.get("error").asText().substring(MALFORMED_BATCH.length());
            } else {
                assertThat(fieldNames(body)).as(reply.toString()).containsExactly("status", "message", "error", "input");
                assertThat(body.get("status").asText()).isEqualTo("ERROR");
                assertThat(body.get("message").asText()).isEqualTo("Malformed json in the body!");
                assertThat(body.get("input").isNull()).isTrue();
                assertThat(body.get("error").isTextual()).isTrue();
                message = body.get("error").asText();
            }
            String exact = path.equals(BATCH) ? batchMessage : pushMessage;
            if (exact != null) {
                assertThat(message).isEqualTo(exact);
            } else {
                assertThat(message).as("parser message").startsWith(parserPrefix);
            }
        };
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ---- bodies ---------------------------------------------------------------------------------------

    /** A valid batch: table corpus, keyed on id, one upsert. */
    private static ObjectNode batch() {
        return (ObjectNode) JsonText.parse("{\"table_name\":\"corpus\","
                + "\"schema\":{\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}},"
                + "\"messages\":[{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"name\":\"Finn\"}}],"
                + "\"key_names\":[\"id\"]}");
    }

    private static String validBatch() {
        return Json.write(batch());
    }

    /** The valid batch with top-level fields replaced by raw JSON values (null: removed), as name/value pairs. */
    private static String envelope(String... fieldsAndValues) {
        ObjectNode body = batch();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            if (fieldsAndValues[i + 1] == null) {
                body.remove(fieldsAndValues[i]);
            } else {
                body.set(fieldsAndValues[i], JsonText.parse(fieldsAndValues[i + 1]));
            }
        }
        return Json.write(body);
    }

    /** The valid batch whose only message is {@code message}. */
    private static String envelope(ObjectNode message) {
        ObjectNode body = batch();
        ArrayNode messages = body.putArray("messages");
        messages.add(message);
        return Json.write(body);
    }

    /** The valid upsert message with one field replaced by a raw JSON value (null: removed). */
    private static ObjectNode messageWith(String field, String value) {
        ObjectNode message = (ObjectNode) batch().get("messages").get(0);
        if (value == null) {
            message.remove(field);
        } else {
            message.set(field, JsonText.parse(value));
        }
        return message;
    }

    /** A valid push record for this node's account: table corpus, keyed on id. */
    private ObjectNode pushRecord() {
        return (ObjectNode) JsonText.parse("{\"client_id\":" + clientId + ",\"table_name\":\"corpus\",\"sequence\":1,"
                + "\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":1,\"name\":\"Finn\"}}");
    }

    private String validPush() {
        return "[" + Json.write(pushRecord()) + "]";
    }

    /** A one-record push body with one field replaced by a raw JSON value (null: removed). */
    private String pushWith(String field, String value) {
        ObjectNode record = pushRecord();
        if (value == null) {
            record.remove(field);
        } else {
            record.set(field, JsonText.parse(value));
        }
        return "[" + Json.write(record) + "]";
    }

    /** A one-record push body without {@code removed} and with {@code added} set to a raw JSON value. */
    private String pushWithout(String removed, String added, String value) {
        ObjectNode record = pushRecord();
        record.remove(removed);
        record.set(added, JsonText.parse(value));
        return "[" + Json.write(record) + "]";
    }

    private String pushRecords(int count) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",").append("{\"client_id\":").append(clientId)
                    .append(",\"table_name\":\"corpus\",\"sequence\":").append(i)
                    .append(",\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":").append(i).append("}}");
        }
        return out.append(']').toString();
    }

    private static String messages(int count) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",").append("{\"action\":\"upsert\",\"sequence\":").append(i)
                    .append(",\"data\":{\"id\":").append(i).append("}}");
        }
        return out.append(']').toString();
    }

    /** An object with {@code fields} integer fields f0, f1, ... */
    private static String wideObject(int fields) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < fields; i++) {
            out.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
        }
        return out.append('}').toString();
    }

    private static String numbers(int count) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ",").append(i);
        }
        return out.append(']').toString();
    }

    private static Map<String, String> kinds() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("String", "\"x\"");
        kinds.put("Integer", "1");
        kinds.put("Number", "1.5");
        kinds.put("Boolean", "true");
        kinds.put("Null", "null");
        kinds.put("JSONArray", "[]");
        kinds.put("JSONObject", "{}");
        return kinds;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The UTF-8 bytes of {@code text} with {@code bytes} inserted just before the first {@code before}. */
    private static byte[] insertAt(String text, String before, int... bytes) {
        byte[] inserted = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            inserted[i] = (byte) bytes[i];
        }
        int at = text.indexOf(before);
        return concat(utf8(text.substring(0, at)), inserted, utf8(text.substring(at)));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] spaces(int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) ' ');
        return bytes;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- running a case -------------------------------------------------------------------------------

    private void run(Case c) {
        try {
            check(c);
        } catch (AssertionError e) {
            throw new AssertionError(c.name + ": " + e.getMessage(), e);
        } finally {
            // a case that failed after something was accepted must not spill into the next one
            if (bobbin.pendingBatches() > 0) {
                bobbin.loadNow();
            }
        }
    }

    private void check(Case c) {
        long before = bobbin.pendingBatches();
        HttpReply reply = c.send();

        assertThat(reply.status()).as("status of " + reply).isEqualTo(c.status);
        assertThat(reply.mediaType()).as("Content-Type of " + reply).isEqualTo(c.mediaType);
        c.expectedBody.accept(reply);
        HttpReply health = bobbin.get("/v2/import/status");
        assertThat(health.status()).as("status endpoint right after").isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("OK");
        assertThat(bobbin.pendingBatches()).as("batches in the log after " + reply).isEqualTo(before + c.acceptedBatches);
        if (c.acceptedBatches > 0) {
            assertThat(bobbin.loadNow()).isEqualTo(c.acceptedBatches);
            c.afterLoad.run();
            assertThat(bobbin.pendingBatches()).isZero();
        }
    }

    private final class Case {
        final String name;
        final String method;
        final String path;
        final Map<String, String> headers = new LinkedHashMap<>();
        Supplier<byte[]> body;
        boolean chunked;
        Supplier<byte[]> raw;
        boolean halfClose;
        int status;
        String mediaType = "application/json";
        Consumer<HttpReply> expectedBody;
        int acceptedBatches;
        Runnable afterLoad = () -> {
        };

        Case(String name, String method, String path) {
            this.name = name;
            this.method = method;
            this.path = path;
            cases.add(this);
        }

        Case header(String header, String value) {
            if (value == null) {
                headers.remove(header);
            } else {
                headers.put(header, value);
            }
            return this;
        }

        Case auth(String value) {
            return header("Authorization", value);
        }

        Case contentType(String value) {
            return header("Content-Type", value);
        }

        Case gzip() {
            return header("Content-Encoding", "gzip");
        }

        Case chunked() {
            chunked = true;
            return this;
        }

        void accepted(int batches, Runnable check) {
            json(this, 201, ACCEPTED);
            acceptedBatches = batches;
            afterLoad = check;
        }

        HttpReply send() {
            if (raw != null) {
                return RawHttp.exchange(bobbin.node().port(), raw.get(), halfClose);
            }
            HttpRequest.BodyPublisher publisher;
            if (body == null) {
                publisher = HttpRequest.BodyPublishers.noBody();
            } else if (chunked) {
                byte[] bytes = body.get();
                publisher = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
            } else {
                publisher = HttpRequest.BodyPublishers.ofByteArray(body.get());
            }
            List<String> pairs = new ArrayList<>();
            headers.forEach((k, v) -> {
                pairs.add(k);
                pairs.add(v);
            });
            return bobbin.send(method, path, publisher, pairs.toArray(String[]::new));
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
