package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connect API sources and Import API tokens (connect-api.md §5, §7; DECISIONS C1, C3, C4):
 * authentication, the documented source errors, the token limit, and the token list.
 */
final class ConnectApiTest {
    private static final String NOT_AUTHORIZED = """
            {"error": "NotAuthorized",
             "data": {"message": "a valid Connect API access token is required (Authorization: Bearer ac_...)"}}""";
    private static final String INVALID_BODY = """
            {"error": "InvalidBody",
             "data": {"message": "POST body may only include a non-empty type, a non-empty display_name and map of string properties"}}""";
    private static final String INVALID_NAME = """
            {"error": "InvalidName",
             "data": {"message": "The name field must be under 50 characters, and can only contain lowercase letters, numbers, underscores, or dollar signs. It must begin with a letter or an underscore."}}""";
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    // ---- authentication ---------------------------------------------------------------------------

    @Test
    void withoutATokenEveryEndpointIs401() {
        for (HttpReply reply : List.of(
                bobbin.get("/v4/source-types/import_api"),
                bobbin.get("/v4/sources"),
                bobbin.post("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}", "Content-Type", "application/json"),
                bobbin.post("/v4/sources/1/tokens", (String) null),
                bobbin.get("/v4/sources/1/tokens"))) {
            assertError(reply, 401, NOT_AUTHORIZED);
        }
        assertThat(bobbin.node().catalog().sources(clientId())).isEmpty();
    }

    @Test
    void withAnUnknownTokenEveryEndpointIs401() {
        String bad = "Bearer ac_" + "x".repeat(43);
        for (HttpReply reply : List.of(
                bobbin.get("/v4/sources", "Authorization", bad),
                bobbin.post("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}",
                        "Authorization", bad, "Content-Type", "application/json"))) {
            assertError(reply, 401, NOT_AUTHORIZED);
        }
        assertThat(bobbin.node().catalog().sources(clientId())).isEmpty();
    }

    @Test
    void anImportApiTokenIsNotAConnectToken() {
        bobbin.createImportSource("Import API");

        HttpReply reply = bobbin.get("/v4/sources", "Authorization", "Bearer " + bobbin.importToken());

        assertError(reply, 401, NOT_AUTHORIZED);
    }

    @Test
    void theConnectTokenStartsWithAcAndIsAcceptedInAnyCaseOfTheScheme() {
        assertThat(bobbin.connectToken()).startsWith("ac_");

        HttpReply reply = bobbin.get("/v4/sources", "authorization", "bearer " + bobbin.connectToken());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(JsonText.parse("[]"));
    }

    // ---- POST /v4/sources errors (connect-api.md §5.4) ----------------------------------------------

    @Test
    void anUnsupportedSourceTypeIs400InvalidType() {
        HttpReply reply = bobbin.connectPost("/v4/sources", "{\"type\":\"platform.hubspot\",\"display_name\":\"HubSpot\"}");

        assertError(reply, 400, "{\"error\":\"InvalidType\",\"data\":{\"message\":\"invalid source type (platform.hubspot)\"}}");
        assertNoSources();
    }

    @Test
    void aDisplayNameWhoseDerivedNameIsTakenIs400InvalidName() {
        assertThat(bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}").status()).isEqualTo(200);

        HttpReply same = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}");
        HttpReply derivedSame = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"IMPORT API!!!\"}");

        assertError(same, 400, "{\"error\":\"InvalidName\",\"data\":{\"message\":"
                + "\"non-unique name after deriving it from display_name (Import API -> import_api)\"}}");
        assertError(derivedSame, 400, "{\"error\":\"InvalidName\",\"data\":{\"message\":"
                + "\"non-unique name after deriving it from display_name (IMPORT API!!! -> import_api)\"}}");
        assertThat(bobbin.node().catalog().sources(clientId())).hasSize(1);
    }

    @Test
    void aDisplayNameThatDerivesToNothingIs400InvalidDisplayName() {
        HttpReply reply = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"####\"}");

        assertError(reply, 400, "{\"error\":\"InvalidDisplayName\",\"data\":{\"message\":"
                + "\"invalid name after deriving it from display_name (#### -> )\"}}");
        assertNoSources();
    }

    @Test
    void aDerivedNameThatStartsWithADigitOrIsTooLongIs400InvalidName() {
        assertError(bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"1Password\"}"), 400, INVALID_NAME);
        assertError(bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"" + "a".repeat(50) + "\"}"),
                400, INVALID_NAME);
        assertNoSources();
    }

    @Test
    void anUnknownKeyInTheBodyIs400InvalidBody() {
        HttpReply reply = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\",\"color\":\"red\"}");

        assertError(reply, 400, INVALID_BODY);
        assertNoSources();
    }

    @Test
    void aMissingOrEmptyTypeOrDisplayNameIs400InvalidBody() {
        for (String body : List.of("{\"type\":\"import_api\"}", "{\"display_name\":\"Import API\"}",
                "{\"type\":\"import_api\",\"display_name\":\"\"}", "{\"type\":\"\",\"display_name\":\"Import API\"}",
                "{\"type\":\"import_api\",\"display_name\":\"Import API\",\"properties\":{\"frequency_in_minutes\":60}}", "[]")) {
            assertError(bobbin.connectPost("/v4/sources", body), 400, INVALID_BODY);
        }
        assertNoSources();
    }

    // ---- tokens (connect-api.md §7, DECISIONS C1, C3) -----------------------------------------------

    @Test
    void aThirdActiveTokenIs400TooManyTokens() {
        long sourceId = createSource("Import API");
        assertThat(bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).status()).isEqualTo(200);
        assertThat(bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).status()).isEqualTo(200);

        HttpReply third = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null);

        assertError(third, 400, """
                {"error": "TooManyTokens",
                 "data": {"message": "an Import API source can have at most 2 active tokens; revoke one first"}}""");
        assertThat(bobbin.connectGet("/v4/sources/" + sourceId + "/tokens").json()).hasSize(2);
    }

    @Test
    void eachSourceHasItsOwnTokenLimit() {
        long first = createSource("First");
        long second = createSource("Second");
        bobbin.connectPost("/v4/sources/" + first + "/tokens", null);
        bobbin.connectPost("/v4/sources/" + first + "/tokens", null);

        assertThat(bobbin.connectPost("/v4/sources/" + second + "/tokens", null).status()).isEqualTo(200);
    }

    @Test
    void anUnknownSourceIs404NotFound() {
        assertError(bobbin.connectPost("/v4/sources/999999/tokens", null), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (999999)\"}}");
        assertError(bobbin.connectGet("/v4/sources/999999/tokens"), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (999999)\"}}");
        assertError(bobbin.connectGet("/v4/sources/999999"), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (999999)\"}}");
        assertError(bobbin.connectGet("/v4/sources/abc"), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (abc)\"}}");
    }

    @Test
    void theTokenListHasTheActiveTokensNewestFirstWithoutTheirValues() {
        long sourceId = createSource("Import API");
        assertThat(bobbin.connectGet("/v4/sources/" + sourceId + "/tokens").json()).isEqualTo(JsonText.parse("[]"));
        JsonNode older = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).json();
        JsonNode newer = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).json();

        HttpReply reply = bobbin.connectGet("/v4/sources/" + sourceId + "/tokens");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode list = reply.json();
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("token_id")).isEqualTo(newer.get("id"));
        assertThat(list.get(1).get("token_id")).isEqualTo(older.get("id"));
        assertThat(newer.get("id").asLong()).isGreaterThan(older.get("id").asLong());
        for (JsonNode entry : list) {
            List<String> names = new ArrayList<>();
            entry.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("token_id", "created_at");
            assertThat(entry.get("created_at").asText()).matches(TIMESTAMP);
        }
        assertThat(reply.body()).doesNotContain(older.get("access_token").asText()).doesNotContain(newer.get("access_token").asText());
    }

    @Test
    void tokensAreDistinctAndEachOneWorksOnTheImportApi() {
        long sourceId = createSource("Import API");
        String first = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).json().get("access_token").asText();
        String second = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null).json().get("access_token").asText();
        String body = "{\"table_name\":\"t\",\"schema\":{\"properties\":{}},\"messages\":[{\"action\":\"upsert\",\"sequence\":1,\"data\":{}}]}";

        assertThat(first).isNotEqualTo(second).startsWith("at_");
        assertThat(second).startsWith("at_");
        for (String token : List.of(first, second)) {
            HttpReply push = bobbin.post("/v2/import/batch", body, "Authorization", "Bearer " + token, "Content-Type", "application/json");
            assertThat(push.status()).isEqualTo(201);
        }
    }

    @Test
    void aContentTypeOnAGetOrOnABodilessPostIsNoError() {
        long sourceId = createSource("Import API");

        HttpReply post = bobbin.post("/v4/sources/" + sourceId + "/tokens", (String) null,
                "Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json");
        HttpReply list = bobbin.get("/v4/sources/" + sourceId + "/tokens",
                "Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json");
        HttpReply type = bobbin.get("/v4/source-types/import_api",
                "Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json");

        assertThat(post.status()).isEqualTo(200);
        assertThat(post.json().get("access_token").asText()).startsWith("at_");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(1);
        assertThat(type.status()).isEqualTo(200);
    }

    @Test
    void jsonContentTypeAndAcceptHeadersOnEveryBodilessRequestAreNoError() {
        long sourceId = createSource("Import API");
        long clientId = clientId();
        String[] headers = {"Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json", "Accept", "application/json"};

        HttpReply first = bobbin.post("/v4/sources/" + sourceId + "/tokens", (String) null, headers);
        HttpReply second = bobbin.post("/v4/sources/" + sourceId + "/tokens", (String) null, headers);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        for (String path : List.of("/v4/source-types", "/v4/source-types/import_api", "/v4/sources", "/v4/sources/" + sourceId,
                "/v4/sources/" + sourceId + "/tokens", "/v4/destination-types", "/v4/destination-types/postgres", "/v4/destinations",
                "/v4/" + clientId + "/loads", "/v4/" + clientId + "/extractions", "/v2/import/status", "/openapi.json")) {
            HttpReply reply = bobbin.get(path, headers);
            assertThat(reply.status()).as(path + ": " + reply).isEqualTo(200);
            assertThat(reply.mediaType()).as(path).isEqualTo("application/json");
        }
        HttpReply revoked = bobbin.delete("/v4/sources/" + sourceId + "/tokens/" + first.json().get("id").asLong(), headers);
        HttpReply deleted = bobbin.delete("/v4/sources/" + sourceId, headers);

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().get("deleted_at").asText()).matches(TIMESTAMP);
    }

    @Test
    void createdSourcesAreListedAndReadBack() {
        long sourceId = createSource("Import API tokens example");

        JsonNode one = bobbin.connectGet("/v4/sources/" + sourceId).json();
        JsonNode all = bobbin.connectGet("/v4/sources").json();

        assertThat(one.get("name").asText()).isEqualTo("import_api_tokens_example");
        assertThat(one.get("display_name").asText()).isEqualTo("Import API tokens example");
        assertThat(all).hasSize(1);
        assertThat(all.get(0)).isEqualTo(one);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private long createSource(String displayName) {
        HttpReply reply = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"" + displayName + "\"}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("id").asLong();
    }

    private long clientId() {
        return bobbin.node().catalog().accounts().get(0).clientId();
    }

    private void assertNoSources() {
        assertThat(bobbin.connectGet("/v4/sources").json()).isEqualTo(JsonText.parse("[]"));
    }

    private static void assertError(HttpReply reply, int status, String expectedJson) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.mediaType()).as("Content-Type of " + reply).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(expectedJson));
    }
}
