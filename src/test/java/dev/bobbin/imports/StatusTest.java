package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v2/import/status} (import-api.md §5, DECISIONS I11). */
final class StatusTest {
    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @AfterEach
    void stop() {
        if (bobbin != null) {
            bobbin.close();
        }
    }

    @Test
    void answersOkWithoutAToken() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);

        HttpReply reply = bobbin.get("/v2/import/status");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode body = reply.json();
        assertThat(fieldNames(body)).containsExactly("name", "version", "revision", "status", "reason");
        assertThat(body.get("name").asText()).isEqualTo("bobbin");
        assertThat(body.get("version").isTextual()).isTrue();
        assertThat(body.get("version").asText()).isNotBlank();
        assertThat(body.get("revision").isNull()).as("no BOBBIN_REVISION given").isTrue();
        assertThat(body.get("status").asText()).isEqualTo("OK");
        assertThat(body.get("reason").isNull()).isTrue();
    }

    @Test
    void showsTheConfiguredRevision() {
        Map<String, String> env = new HashMap<>(RunningBobbin.MANUAL_LOADING);
        env.put("BOBBIN_REVISION", "a154360ad8c43182965049dbf6239aa7c1f3c84d");
        bobbin = RunningBobbin.start(dataDir, env);

        JsonNode body = bobbin.get("/v2/import/status").json();

        assertThat(body.get("revision").asText()).isEqualTo("a154360ad8c43182965049dbf6239aa7c1f3c84d");
    }

    @Test
    void anInvalidTokenOrAContentTypeIsNoError() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);

        HttpReply reply = bobbin.get("/v2/import/status", "Authorization", "Bearer at_not_a_token", "Content-Type", "application/json");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("OK");
    }

    @Test
    void answers503WithTheReasonWhenTheBatchLogCannotTakeWrites() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        bobbin.node().log().close();

        HttpReply status = bobbin.get("/v2/import/status");
        HttpReply batch = bobbin.postBatch(BatchBody.customers().upsert(1, "{\"id\":1}"));

        assertThat(status.status()).isEqualTo(503);
        assertThat(status.mediaType()).isEqualTo("application/json");
        assertThat(status.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(status.json().get("reason").asText()).isEqualTo("the batch log is shutting down");
        assertThat(batch.status()).as("no 2xx for a batch that is not durable (DECISIONS I1)").isEqualTo(503);
        assertThat(batch.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(batch.headers().firstValue("Retry-After")).hasValue("5");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
