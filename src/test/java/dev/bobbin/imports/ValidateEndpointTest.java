package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RawHttp;
import dev.bobbin.testing.RunningBobbin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v2/import/validate} (import-api.md §8, DECISIONS I2): push's checks, nothing written,
 * {@code 200 {"status":"OK","message":"Batch is valid!"}}.
 */
final class ValidateEndpointTest {
    private static final String VALIDATE = "/v2/import/validate";
    private static final String VALID = "{\"status\":\"OK\",\"message\":\"Batch is valid!\"}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private long clientId;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        clientId = bobbin.clientId();
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void aValidRequestAnswers200AndStoresNothing() {
        // the docs' validate example (import-api.md §8), plus a second table
        HttpReply reply = bobbin.postImport(VALIDATE, """
                [{"client_id":%1$d,"table_name":"customers","sequence":1565881320,"key_names":["id"],
                  "data":{"id":1,"name":"Finn"},"action":"upsert"},
                 {"client_id":%1$d,"table_name":"orders","sequence":1565881321,"key_names":["order_id"],
                  "data":{"order_id":561},"action":"upsert"}]
                """.formatted(clientId), "application/json");

        assertValid(reply);
        assertNothingStored();
    }

    @Test
    void validatingFixesNoKeyNames() {
        // only an accepted batch fixes a table's key_names (DECISIONS I10)
        assertValid(bobbin.postImport(VALIDATE, record("customers", "[\"id\"]", "{\"id\":1,\"name\":\"Finn\"}"), "application/json"));

        HttpReply pushed = bobbin.postImport("/v2/import/push", record("customers", "[\"name\"]", "{\"id\":1,\"name\":\"Finn\"}"),
                "application/json");

        assertThat(pushed.status()).as(pushed.toString()).isEqualTo(201);
    }

    @Test
    void validateRunsPushsKeyNamesCheckAgainstAcceptedTables() {
        assertThat(bobbin.postImport("/v2/import/push", record("customers", "[\"id\"]", "{\"id\":1}"), "application/json").status())
                .isEqualTo(201);

        HttpReply reply = bobbin.postImport(VALIDATE, record("customers", "[\"name\"]", "{\"id\":1,\"name\":\"Finn\"}"), "application/json");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse("{\"error\":\"key_names [name] do not match the key_names [id] of table customers\"}"));
        assertThat(bobbin.pendingBatches()).as("only the push").isEqualTo(1);
    }

    @Test
    void switchViewAndTransitValidate() {
        assertValid(bobbin.postImport(VALIDATE, "[{\"client_id\":" + clientId + ",\"table_name\":\"people\",\"sequence\":4,"
                + "\"action\":\"switch_view\",\"key_names\":[\"id\"],\"table_version\":2}]", "application/json"));
        assertValid(bobbin.postImport(VALIDATE, "[[\"^ \",\"client_id\"," + clientId + ",\"table_name\",\"events\",\"sequence\","
                + "\"~i1565880017000000001\",\"action\",\"upsert\",\"key_names\",[\"id\"],\"data\",[\"^ \",\"id\",1,\"at\",\"~m1578950703123\"]]]",
                "application/transit+json"));
        assertNothingStored();
    }

    @Test
    void lowerCaseHeaderNamesAndTheBearerColonFormAreAccepted() {
        byte[] body = record("lower", "[\"id\"]", "{\"id\":1}").getBytes(StandardCharsets.UTF_8);
        HttpReply raw = RawHttp.exchange(bobbin.node().port(), RawHttp.request("POST " + VALIDATE + " HTTP/1.1", List.of(
                "host: 127.0.0.1", "connection: close", "authorization: bearer " + bobbin.importToken(),
                "content-type: application/json", "content-length: " + body.length), body), false);
        HttpReply colon = bobbin.post(VALIDATE, record("lower", "[\"id\"]", "{\"id\":1}"), "Authorization", "Bearer: " + bobbin.importToken(),
                "Content-Type", "application/json");

        assertValid(raw);
        assertValid(colon);
        assertNothingStored();
    }

    private String record(String table, String keyNames, String data) {
        return "[{\"client_id\":" + clientId + ",\"table_name\":\"" + table + "\",\"sequence\":1,\"action\":\"upsert\","
                + "\"key_names\":" + keyNames + ",\"data\":" + data + "}]";
    }

    private static void assertValid(HttpReply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(VALID));
    }

    private void assertNothingStored() {
        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(bobbin.loadNow()).isZero();
        assertThat(bobbin.tables("import_api")).isEmpty();
    }
}
