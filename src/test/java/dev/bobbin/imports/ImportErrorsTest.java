package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch endpoint's documented answers (import-api.md §6.4, DECISIONS I3 to I6, I10): exact
 * status and body for each refused request, and for each one, proof that nothing reached the batch
 * log or the warehouse and that the server still answers.
 */
final class ImportErrorsTest {
    private static final int DEFAULT_MAX_BODY = 20 * 1024 * 1024;

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @AfterEach
    void stop() {
        if (bobbin != null) {
            bobbin.close();
        }
    }

    private void start() {
        start(Map.of());
    }

    private void start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(RunningBobbin.MANUAL_LOADING);
        all.putAll(env);
        bobbin = RunningBobbin.withImportSource(dataDir, all);
    }

    // ---- authentication ---------------------------------------------------------------------------

    @Test
    void missingAuthorizationIs401NotAuthorized() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "Content-Type", "application/json");
        assertRefused(reply, 401, "{\"message\":\"Not Authorized\"}");
    }

    @Test
    void anUnknownTokenIs401NotAuthorized() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(),
                "Authorization", "Bearer at_" + "x".repeat(43), "Content-Type", "application/json");
        assertRefused(reply, 401, "{\"message\":\"Not Authorized\"}");
    }

    @Test
    void theConnectTokenIsNotAnImportToken() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(),
                "Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json");
        assertRefused(reply, 401, "{\"message\":\"Not Authorized\"}");
    }

    @Test
    void anotherSchemeIs401NotAuthorized() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(),
                "Authorization", "Basic " + bobbin.importToken(), "Content-Type", "application/json");
        assertRefused(reply, 401, "{\"message\":\"Not Authorized\"}");
    }

    @Test
    void theSchemeIsCaseInsensitiveAndTheColonFormIsAccepted() {
        start();
        for (String header : List.of("bearer " + bobbin.importToken(), "BEARER " + bobbin.importToken(),
                "Bearer: " + bobbin.importToken())) {
            HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "authorization", header, "content-type", "application/json");
            assertThat(reply.status()).as(header).isEqualTo(201);
        }
        assertThat(bobbin.pendingBatches()).isEqualTo(3);
    }

    // ---- content type and size --------------------------------------------------------------------

    @Test
    void textPlainIs415InPlainText() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "Authorization", "Bearer " + bobbin.importToken(),
                "Content-Type", "text/plain");
        assert415(reply);
    }

    @Test
    void noContentTypeIs415InPlainText() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "Authorization", "Bearer " + bobbin.importToken());
        assert415(reply);
    }

    @Test
    void transitIs415OnTheBatchEndpoint() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "Authorization", "Bearer " + bobbin.importToken(),
                "Content-Type", "application/transit+json");
        assert415(reply);
    }

    @Test
    void jsonWithACharsetParameterIsAccepted() {
        start();
        HttpReply reply = bobbin.post("/v2/import/batch", validBody(), "Authorization", "Bearer " + bobbin.importToken(),
                "Content-Type", "application/json; charset=utf-8");
        assertThat(reply.status()).isEqualTo(201);
    }

    @Test
    void aBodyOneByteOverTheDefault20MiBIs413() {
        start();
        byte[] body = new byte[DEFAULT_MAX_BODY + 1];
        Arrays.fill(body, (byte) ' ');

        HttpReply reply = bobbin.post("/v2/import/batch", HttpRequest.BodyPublishers.ofByteArray(body),
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json");

        assertRefused(reply, 413, "{\"status\":\"ERROR\",\"message\":\"Request rejected: request size (20971521s bytes) exceeds the maximum\"}");
    }

    @Test
    void aChunkedBodyOneByteOverTheDefault20MiBIs413WithItsSize() {
        start();
        byte[] body = new byte[DEFAULT_MAX_BODY + 1];
        Arrays.fill(body, (byte) ' ');

        HttpReply reply = bobbin.post("/v2/import/batch", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json");

        assertRefused(reply, 413, "{\"status\":\"ERROR\",\"message\":\"Request rejected: request size (20971521s bytes) exceeds the maximum\"}");
    }

    @Test
    void aBodyExactlyAtTheLimitIsAcceptedAndOneByteMoreIsNot() {
        start(Map.of("BOBBIN_MAX_BODY_BYTES", "1000"));
        String valid = validBody();
        String atLimit = valid + " ".repeat(1000 - valid.getBytes(StandardCharsets.UTF_8).length);
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(1000);

        HttpReply over = bobbin.postBatch(atLimit + " ");
        assertRefused(over, 413, "{\"status\":\"ERROR\",\"message\":\"Request rejected: request size (1001s bytes) exceeds the maximum\"}");

        assertThat(bobbin.postBatch(atLimit).status()).isEqualTo(201);
        assertThat(bobbin.pendingBatches()).isEqualTo(1);
    }

    // ---- body validation --------------------------------------------------------------------------

    @Test
    void malformedJsonIs400WithTheParserMessage() {
        start();
        assertMalformedJson(bobbin.postBatch("{\"table_name\": \"customers\", "));
        assertMalformedJson(bobbin.postBatch(validBody() + "}"));
        assertMalformedJson(bobbin.postBatch("{\"table_name\": \"a\", \"table_name\": \"b\"}"));
    }

    @Test
    void anEmptyBodyIs400MalformedJson() {
        start();
        assertMalformedJson(bobbin.postBatch(""));
    }

    @Test
    void aMissingTableNameIs400RequiredKey() {
        start();
        HttpReply reply = bobbin.postBatch("""
                {"schema": {"properties": {"id": {"type": "integer"}}},
                 "messages": [{"action": "upsert", "sequence": 1, "data": {"id": 1}}]}""");
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#: required key [table_name] not found\"}");
    }

    @Test
    void anUnknownTopLevelKeyIs400ExtraneousKey() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().upsert(1, "{\"id\":1}").set("foo", JsonText.parse("1")));
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#: extraneous key [foo] is not permitted\"}");
    }

    @Test
    void aSchemaThatIsAnArrayIs400() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.table("customers", "[]").upsert(1, "{\"id\":1}"));
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#/schema: expected type: JSONObject, found: JSONArray\"}");
    }

    @Test
    void aRecordThatDoesNotConformIs400WithItsIndex() {
        start();
        HttpReply first = bobbin.postBatch(BatchBody.customers().upsert(1, "{\"id\":1,\"age\":\"fifteen\"}"));
        assertRefused(first, 400, "{\"error\":\"Record 0 did not conform to schema: #/age: expected: Integer, found: String\"}");

        HttpReply third = bobbin.postBatch(BatchBody.customers()
                .upsert(1, "{\"id\":1,\"age\":15}")
                .upsert(2, "{\"id\":2,\"age\":6}")
                .upsert(3, "{\"id\":3,\"age\":\"fifteen\"}"));
        assertRefused(third, 400, "{\"error\":\"Record 2 did not conform to schema: #/age: expected: Integer, found: String\"}");
    }

    @Test
    void aRecordWithoutItsKeyIs400MissingKeyProperty() {
        start();
        HttpReply missing = bobbin.postBatch(BatchBody.customers().upsert(1, "{\"id\":1}").upsert(2, "{\"name\":\"Jake\"}"));
        assertRefused(missing, 400, "{\"error\":\"Record is missing key property id\"}");

        // a null key the schema allows is still a missing key
        HttpReply nullKey = bobbin.postBatch(BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": [\"null\", \"integer\"]}}}")
                .keyNames("id").upsert(1, "{\"id\":null}"));
        assertRefused(nullKey, 400, "{\"error\":\"Record is missing key property id\"}");
    }

    @Test
    void anUpsertWithoutDataIs400() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().message("{\"action\":\"upsert\",\"sequence\":1}"));
        assertRefused(reply, 400, errorBody("Request failed validation:#/messages/0: #: 0 subschemas matched instead of one"
                + " #/messages/0/action: \"upsert\" is not a valid enum value"
                + " #/messages/0: required key [data] not found"));
    }

    @Test
    void anUnknownActionIs400() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().message("{\"action\":\"delete\",\"sequence\":1,\"data\":{\"id\":1}}"));
        assertRefused(reply, 400, errorBody("Request failed validation:#/messages/0: #: 0 subschemas matched instead of one"
                + " #/messages/0: extraneous key [data] is not permitted"
                + " #/messages/0/action: \"delete\" is not a valid enum value"));
    }

    @Test
    void anUnknownSchemaTypeIs400InvalidJsonSchema() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": \"foo\"}}}")
                .upsert(1, "{\"id\":1}"));
        assertRefused(reply, 400, "{\"error\":\"Invalid JSON schema: unknown type: [foo]\"}");
    }

    @Test
    void aSequenceAboveTheMaximumIs400() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().upsert(new BigInteger("9223372036854775808"), "{\"id\":1}"));
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#: sequence can not be above 9223372036854775807\"}");
    }

    @Test
    void aMessageWithoutSequenceIs400WithTheDocumentedOneOfText() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().message("{\"action\":\"upsert\",\"data\":{\"id\":1}}"));
        // import-api.md §6.4 "Required argument missing from a Message object", <ARGUMENT_NAME> = sequence
        assertRefused(reply, 400, errorBody("Request failed validation:#/messages/0: #: 0 subschemas matched instead of one"
                + " #/messages/0: 2 schema violations found"
                + " #/messages/0: required key [sequence] not found"
                + " #/messages/0: extraneous key [data] is not permitted"
                + " #/messages/0: required key [sequence] not found"));
    }

    @Test
    void aMessageWithoutActionIs400WithTheDocumentedOneOfText() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().message("{\"sequence\":1,\"data\":{\"id\":1}}"));
        assertRefused(reply, 400, errorBody("Request failed validation:#/messages/0: #: 0 subschemas matched instead of one"
                + " #/messages/0: 2 schema violations found"
                + " #/messages/0: required key [action] not found"
                + " #/messages/0: extraneous key [data] is not permitted"
                + " #/messages/0: required key [action] not found"));
    }

    @Test
    void moreThan20000MessagesIs400() {
        start();
        BatchBody body = BatchBody.customers();
        for (int i = 0; i < 20_001; i++) {
            body.upsert(i, "{\"id\":" + i + "}");
        }
        HttpReply reply = bobbin.postBatch(body);
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#/messages: expected maximum item count: 20000, found: 20001\"}");
    }

    @Test
    void exactly20000MessagesAreAccepted() {
        start();
        BatchBody body = BatchBody.customers();
        for (int i = 0; i < 20_000; i++) {
            body.upsert(i, "{\"id\":" + i + "}");
        }
        assertThat(bobbin.postBatch(body).status()).isEqualTo(201);
        assertThat(bobbin.pendingBatches()).isEqualTo(1);
    }

    @Test
    void noMessagesIs400() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers());
        assertRefused(reply, 400, "{\"error\":\"Request failed validation:#/messages: expected minimum item count: 1, found: 0\"}");
    }

    @Test
    void otherKeyNamesForAnExistingTableIs400AndTheFirstOnesStay() {
        start();
        String schema = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"a\": {\"type\": \"integer\"}}}";
        bobbin.accept(BatchBody.table("customers", schema).keyNames("id").upsert(1, "{\"id\":1,\"a\":1}"));

        HttpReply reply = bobbin.postBatch(BatchBody.table("customers", schema).keyNames("a").upsert(2, "{\"id\":2,\"a\":2}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(
                "{\"error\":\"key_names [a] do not match the key_names [id] of table customers\"}"));
        assertThat(bobbin.pendingBatches()).isEqualTo(1);
        bobbin.loadNow();
        assertThat(bobbin.rows("SELECT id, a FROM import_api.customers")).containsExactly(List.of("1", "1"));
        assertThat(bobbin.statusOk()).isTrue();
        HttpReply sameKeys = bobbin.postBatch(BatchBody.table("customers", schema).keyNames("id").upsert(3, "{\"id\":3,\"a\":3}"));
        assertThat(sameKeys.status()).isEqualTo(201);
    }

    @Test
    void droppingTheKeyNamesOfAKeyedTableIs400() {
        start();
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1}"));

        HttpReply reply = bobbin.postBatch(BatchBody.table("customers", BatchBody.CUSTOMERS_SCHEMA).upsert(2, "{\"id\":2}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json()).isEqualTo(JsonText.parse(
                "{\"error\":\"key_names [] do not match the key_names [id] of table customers\"}"));
        assertThat(bobbin.pendingBatches()).isEqualTo(1);
    }

    // ---- fields real clients send (DECISIONS I3) ----------------------------------------------------

    @Test
    void anActivateVersionMessageWithoutDataIsAccepted() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers().message("{\"action\":\"activate_version\",\"sequence\":1565880017}"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json()).isEqualTo(JsonText.parse("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}"));
        assertThat(bobbin.pendingBatches()).isEqualTo(1);
    }

    @Test
    void tableVersionBookmarkNamesAndTimeExtractedAreAcceptedAndLoaded() {
        start();
        HttpReply reply = bobbin.postBatch(BatchBody.customers()
                .set("table_version", JsonText.parse("3"))
                .set("bookmark_names", JsonText.parse("[\"modified_at\"]"))
                .message("{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"name\":\"Finn\"},"
                        + "\"time_extracted\":\"2020-01-13T21:25:03Z\"}"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(bobbin.loadNow()).isEqualTo(1);
        assertThat(bobbin.rows("SELECT id, name, _sdc_table_version, epoch_us(_sdc_extracted_at) FROM import_api.customers"))
                .containsExactly(List.of("1", "Finn", "3", "1578950703000000"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static String validBody() {
        return BatchBody.customers().upsert(1565880017, "{\"id\":1,\"name\":\"Finn\",\"age\":15,\"has_magic\":false}").json();
    }

    private void assertRefused(HttpReply reply, int status, String expectedJson) {
        assertRefused(reply, status, JsonText.parse(expectedJson));
    }

    /** {@code {"error": text}}, for texts too long to write as JSON literals. */
    private static JsonNode errorBody(String text) {
        return Json.MAPPER.createObjectNode().put("error", text);
    }

    private void assertRefused(HttpReply reply, int status, JsonNode expected) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.mediaType()).as("Content-Type").isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(expected);
        assertNothingAccepted(reply);
    }

    private void assertMalformedJson(HttpReply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json().size()).isEqualTo(1);
        assertThat(reply.json().get("error").asText()).startsWith("Request failed validation: malformed JSON: ")
                .hasSizeGreaterThan("Request failed validation: malformed JSON: ".length());
        assertNothingAccepted(reply);
    }

    private void assert415(HttpReply reply) {
        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.mediaType()).isEqualTo("text/plain");
        assertThat(reply.body()).isEqualTo("Content-Type must be application/json");
        assertNothingAccepted(reply);
    }

    /** The refused request left nothing in the log or the warehouse, and the server still answers. */
    private void assertNothingAccepted(HttpReply reply) {
        assertThat(bobbin.pendingBatches()).as("batches in the log after " + reply).isZero();
        assertThat(bobbin.loadNow()).isZero();
        assertThat(bobbin.tables("import_api")).as("tables after " + reply).isEmpty();
        assertThat(bobbin.statusOk()).as("status endpoint after " + reply).isTrue();
    }
}
