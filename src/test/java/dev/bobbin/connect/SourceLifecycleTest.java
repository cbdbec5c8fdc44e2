package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The life of an Import API source after it is created (connect-api.md §5.3, DECISIONS C3, C7):
 * update, pause and unpause with {@code PUT /v4/sources/{id}}, delete, and what each does to the
 * source's Import API tokens and to its data.
 */
final class SourceLifecycleTest {
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final String INVALID_PUT_BODY = """
            {"error": "InvalidBody",
             "data": {"message": "PUT body many only include the keys: display_name, properties, and paused_at"}}""";
    private static final String NOT_ACTIVE = "{\"error\":\"Forbidden\",\"errors\":{\"error\":\"Connection is not active.\"}}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private long sourceId;
    private String source;
    private long clientId;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        sourceId = bobbin.sourceId();
        source = "/v4/sources/" + sourceId;
        clientId = bobbin.node().catalog().accounts().get(0).clientId();
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    // ---- update -----------------------------------------------------------------------------------

    @Test
    void aNewDisplayNameKeepsTheNameAndTheSchema() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\"}"));
        bobbin.loadNow();
        JsonNode before = bobbin.connectGet(source).json();

        HttpReply reply = bobbin.connectPut(source, "{\"display_name\":\"Renamed Source!\"}");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode updated = reply.json();
        assertThat(updated.get("display_name").asText()).isEqualTo("Renamed Source!");
        assertThat(updated.get("name").asText()).isEqualTo("import_api");
        assertThat(updated.get("id")).isEqualTo(before.get("id"));
        assertThat(updated.get("created_at")).isEqualTo(before.get("created_at"));
        assertThat(updated.get("updated_at").asText()).matches(TIMESTAMP);
        assertThat(bobbin.connectGet(source).json()).isEqualTo(updated);

        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\":2,\"name\":\"Jake\"}"));
        bobbin.loadNow();
        assertThat(bobbin.tables("import_api")).containsExactly("customers");
        assertThat(bobbin.value("SELECT count(*) FROM import_api.customers")).isEqualTo("2");
        assertThat(bobbin.tables("renamed_source")).isEmpty();
    }

    @Test
    void propertiesAreAStringMapThatIsStoredAndReturned() {
        HttpReply reply = bobbin.connectPut(source, "{\"properties\":{\"frequency_in_minutes\":\"60\",\"note\":\"nightly\"}}");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode expected = JsonText.parse("{\"frequency_in_minutes\":\"60\",\"note\":\"nightly\"}");
        assertThat(reply.json().get("properties")).isEqualTo(expected);
        assertThat(bobbin.connectGet(source).json().get("properties")).isEqualTo(expected);

        HttpReply rename = bobbin.connectPut(source, "{\"display_name\":\"Other\"}");
        assertThat(rename.json().get("properties")).as("a PUT without properties keeps them").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"name\":\"other\"}",
            "{\"type\":\"import_api\"}",
            "{\"schedule\":null}",
            "{\"display_name\":\"Fine\",\"color\":\"red\"}",
            "{\"paused_at\":null,\"deleted_at\":null}"})
    void aProhibitedKeyIs400InvalidBodyAndChangesNothing(String body) {
        JsonNode before = bobbin.connectGet(source).json();

        HttpReply reply = bobbin.connectPut(source, body);

        assertError(reply, 400, INVALID_PUT_BODY);
        assertThat(bobbin.connectGet(source).json()).isEqualTo(before);
    }

    @Test
    void anInvalidDisplayNameIs400InvalidDisplayNameAndChangesNothing() {
        JsonNode before = bobbin.connectGet(source).json();

        assertError(bobbin.connectPut(source, "{\"display_name\":\"\"}"), 400,
                "{\"error\":\"InvalidDisplayName\",\"data\":{\"message\":\"invalid display_name ()\"}}");
        assertError(bobbin.connectPut(source, "{\"display_name\":\"   \"}"), 400,
                "{\"error\":\"InvalidDisplayName\",\"data\":{\"message\":\"invalid display_name (   )\"}}");
        assertError(bobbin.connectPut(source, "{\"display_name\":42}"), 400,
                "{\"error\":\"InvalidDisplayName\",\"data\":{\"message\":\"invalid display_name (42)\"}}");

        assertThat(bobbin.connectGet(source).json()).isEqualTo(before);
    }

    // ---- pause and unpause ------------------------------------------------------------------------

    @ParameterizedTest(name = "paused_at {0}")
    @ValueSource(strings = {"past", "now", "future"})
    void anyPausedAtPausesAtOnceAndThePushesOfItsTokensAre401UntilUnpaused(String when) {
        String pausedAt = switch (when) {
            case "past" -> "2019-06-01T00:00:00Z";
            case "now" -> Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            default -> Instant.now().plus(3650, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        };

        HttpReply paused = bobbin.connectPut(source, "{\"paused_at\":\"" + pausedAt + "\"}");

        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("paused_at").asText()).isEqualTo(pausedAt);
        assertThat(paused.json().get("deleted_at").isNull()).isTrue();
        assertThat(bobbin.connectGet(source).json()).isEqualTo(paused.json());
        assertImportIs401NotActive(bobbin.importToken());
        assertThat(bobbin.pendingBatches()).as("nothing pushed to a paused source is stored").isZero();

        HttpReply unpaused = bobbin.connectPut(source, "{\"paused_at\":null}");

        assertThat(unpaused.status()).as(unpaused.toString()).isEqualTo(200);
        assertThat(unpaused.json().get("paused_at").isNull()).isTrue();
        assertThat(bobbin.connectGet(source).json().get("paused_at").isNull()).isTrue();
        assertImportWorks(bobbin.importToken(), 1);
        bobbin.loadNow();
        assertThat(bobbin.value("SELECT count(*) FROM import_api.customers")).isEqualTo("2");
    }

    @Test
    void pausingKeepsTheOtherFieldsAndATokenCreatedWhilePausedIsAlsoRefused() {
        JsonNode before = bobbin.connectGet(source).json();

        JsonNode paused = bobbin.connectPut(source, "{\"paused_at\":\"2019-06-01T00:00:00Z\"}").json();
        HttpReply token = bobbin.connectPost(source + "/tokens", null);

        for (String field : List.of("id", "name", "display_name", "type", "properties", "created_at", "stitch_client_id", "report_card")) {
            assertThat(paused.get(field)).as(field).isEqualTo(before.get(field));
        }
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        assertImportIs401NotActive(token.json().get("access_token").asText());
    }

    // ---- delete -----------------------------------------------------------------------------------

    @Test
    void aDeletedSourceIsStillReadableKeepsItsDataAndItsTokensStopWorking() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\"}"));
        bobbin.loadNow();

        HttpReply deleted = bobbin.connectDelete(source);

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.mediaType()).isEqualTo("application/json");
        JsonNode body = deleted.json();
        assertThat(body.get("id").asLong()).isEqualTo(sourceId);
        assertThat(body.get("deleted_at").asText()).matches(TIMESTAMP);
        assertThat(body.get("updated_at")).isEqualTo(body.get("deleted_at"));
        assertThat(body.get("report_card").get("current_step_type").asText()).isEqualTo("fully_configured");
        assertThat(bobbin.connectGet(source).json()).isEqualTo(body);
        assertThat(bobbin.connectGet("/v4/sources").json()).containsExactly(body);

        assertImportIs401NotActive(bobbin.importToken());
        bobbin.loadNow();
        assertThat(bobbin.tables("import_api")).contains("customers");
        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers")).containsExactly(List.of("1", "Finn"));
    }

    @Test
    void aNewSourceWithTheSameDisplayNameCanBeCreatedAfterADelete() {
        assertThat(bobbin.connectDelete(source).status()).isEqualTo(200);

        HttpReply again = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}");

        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        long newId = again.json().get("id").asLong();
        assertThat(newId).isNotEqualTo(sourceId);
        assertThat(again.json().get("name").asText()).isEqualTo("import_api");
        assertThat(again.json().get("deleted_at").isNull()).isTrue();
        JsonNode all = bobbin.connectGet("/v4/sources").json();
        assertThat(all).hasSize(2);
        assertThat(all.findValuesAsText("id")).containsExactlyInAnyOrder(String.valueOf(sourceId), String.valueOf(newId));

        String token = bobbin.connectPost("/v4/sources/" + newId + "/tokens", null).json().get("access_token").asText();
        assertImportWorks(token, 1);
        assertImportIs401NotActive(bobbin.importToken());
    }

    @Test
    void anUnknownOrDeletedSourceIs404ForPutDeleteAndNewTokens() {
        assertThat(bobbin.connectDelete(source).status()).isEqualTo(200);

        for (String id : List.of(String.valueOf(sourceId), "987654321", "abc")) {
            String notFound = "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (" + id + ")\"}}";
            assertError(bobbin.connectPut("/v4/sources/" + id, "{\"display_name\":\"Back\"}"), 404, notFound);
            assertError(bobbin.connectPut("/v4/sources/" + id, "{\"paused_at\":null}"), 404, notFound);
            assertError(bobbin.connectDelete("/v4/sources/" + id), 404, notFound);
            assertError(bobbin.connectPost("/v4/sources/" + id + "/tokens", null), 404, notFound);
        }
        assertThat(bobbin.connectGet(source).json().get("display_name").asText()).isEqualTo("Import API");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private String pushBody(long sequence) {
        return "[{\"client_id\":" + clientId + ",\"table_name\":\"customers\",\"sequence\":" + sequence
                + ",\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":" + (100 + sequence) + ",\"name\":\"Pushed\"}}]";
    }

    private HttpReply importPost(String path, String token, String body) {
        return bobbin.post(path, body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    private void assertImportIs401NotActive(String token) {
        String batch = BatchBody.customers().upsert(5, "{\"id\":5,\"name\":\"Paused\"}").json();
        assertError(importPost("/v2/import/batch", token, batch), 401, NOT_ACTIVE);
        assertError(importPost("/v2/import/push", token, pushBody(5)), 401, NOT_ACTIVE);
        assertError(importPost("/v2/import/validate", token, pushBody(5)), 401, NOT_ACTIVE);
    }

    /** Validate, then one batch (id {@code sequence}) and one push (id {@code 100 + sequence}), both accepted. */
    private void assertImportWorks(String token, long sequence) {
        HttpReply validate = importPost("/v2/import/validate", token, pushBody(sequence));
        assertThat(validate.status()).as(validate.toString()).isEqualTo(200);
        HttpReply batch = importPost("/v2/import/batch", token,
                BatchBody.customers().upsert(sequence, "{\"id\":" + sequence + ",\"name\":\"Batched\"}").json());
        assertThat(batch.status()).as(batch.toString()).isEqualTo(201);
        assertThat(batch.json()).isEqualTo(JsonText.parse("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}"));
        HttpReply push = importPost("/v2/import/push", token, pushBody(sequence));
        assertThat(push.status()).as(push.toString()).isEqualTo(201);
    }

    private static void assertError(HttpReply reply, int status, String expectedJson) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.mediaType()).as("Content-Type of " + reply).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(expectedJson));
    }
}
