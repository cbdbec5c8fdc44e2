package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import API token rotation as the docs recommend it (connect-api.md §7.4, DECISIONS C1, C3): create
 * a second token, move the client to it, revoke the first, without one failed push; and the limits
 * around it (two active tokens, unknown token ids).
 */
final class TokenRotationTest {
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    /** An upper bound for the pushing client, so that a broken test cannot push forever. */
    private static final int MAX_PUSHES = 5_000;

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private String tokens;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.FAST_LOADING);
        tokens = "/v4/sources/" + bobbin.sourceId() + "/tokens";
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    /** One push of the client: which token it used and what it got. */
    private record Push(int id, String token, int status, String body) {
    }

    @Test
    void aFullRotationLosesNoPushAndTheRevokedTokenFailsAtOnce() throws Exception {
        String tokenA = bobbin.importToken();
        long tokenAId = onlyTokenId();
        AtomicReference<String> current = new AtomicReference<>(tokenA);
        AtomicBoolean stop = new AtomicBoolean();
        List<Push> pushes = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
            for (int id = 1; id <= MAX_PUSHES && !stop.get(); id++) {
                String token = current.get();
                HttpReply reply = bobbin.post("/v2/import/batch",
                        BatchBody.table("events", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id")
                                .upsert(id, "{\"id\":" + id + "}").json(),
                        "Authorization", "Bearer " + token, "Content-Type", "application/json");
                pushes.add(new Push(id, token, reply.status(), reply.body()));
            }
        });

        // the client pushes with A; create B: two active tokens, newest first
        awaitPushes("pushes with token A", tokenA, 20, pushes);
        HttpReply created = bobbin.connectPost(tokens, null);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String tokenB = created.json().get("access_token").asText();
        long tokenBId = created.json().get("id").asLong();
        assertThat(tokenB).startsWith("at_").isNotEqualTo(tokenA);
        assertThat(tokenIds()).containsExactly(tokenBId, tokenAId);

        // move the client to B; once a push with B has completed, no push with A is in flight
        current.set(tokenB);
        awaitPushes("pushes with token B", tokenB, 1, pushes);
        JsonNode before = bobbin.connectGet("/v4/sources/" + bobbin.sourceId()).json();
        Thread.sleep(1_100); // Connect timestamps have whole seconds: let updated_at be able to move

        HttpReply revoked = bobbin.connectDelete(tokens + "/" + tokenAId);
        long revokedAt = System.nanoTime();
        HttpReply afterRevoke = bobbin.postBatch(BatchBody.table("events", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}")
                .keyNames("id").upsert(1, "{\"id\":0}"));
        long failedAfter = System.nanoTime() - revokedAt;

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.mediaType()).isEqualTo("application/json");
        JsonNode source = revoked.json();
        assertThat(source.get("id").asLong()).isEqualTo(bobbin.sourceId());
        assertThat(source.get("report_card").get("current_step_type").asText()).isEqualTo("fully_configured");
        assertThat(source.get("updated_at").asText()).matches(TIMESTAMP).isGreaterThan(before.get("updated_at").asText());
        assertThat(afterRevoke.status()).as("token A right after its revocation: " + afterRevoke).isEqualTo(401);
        assertThat(afterRevoke.json()).isEqualTo(JsonText.parse("{\"message\":\"Not Authorized\"}"));
        assertThat(Duration.ofNanos(failedAfter)).isLessThan(Duration.ofSeconds(1));
        assertThat(tokenIds()).containsExactly(tokenBId);

        // the client keeps going with B after the revocation, then stops
        int seen = pushes.size();
        Deadline.await("pushes with B after the revocation", () -> pushes.size() >= seen + 20 || client.isDone());
        stop.set(true);
        client.get(60, TimeUnit.SECONDS);

        List<Push> failed = pushes.stream().filter(p -> p.status() != 201).toList();
        assertThat(failed).as("pushes sent with a valid token that were not answered 201").isEmpty();
        assertThat(pushes).extracting(Push::token).startsWith(tokenA).contains(tokenB).endsWith(tokenB);
        assertThat(pushes.size()).as("the client pushed after the revocation").isGreaterThan(seen);

        bobbin.awaitLoaded();
        assertThat(bobbin.value("SELECT count(*) FROM import_api.events")).isEqualTo(String.valueOf(pushes.size()));
        assertThat(bobbin.value("SELECT count(DISTINCT id) FROM import_api.events")).isEqualTo(String.valueOf(pushes.size()));
        assertThat(bobbin.value("SELECT min(id) || '..' || max(id) FROM import_api.events")).isEqualTo("1.." + pushes.size());
    }

    @Test
    void theTokenListIsNewestFirstWithIdAndCreationTime() {
        long first = onlyTokenId();
        long second = bobbin.connectPost(tokens, null).json().get("id").asLong();

        HttpReply reply = bobbin.connectGet(tokens);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode list = reply.json();
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("token_id").asLong()).isEqualTo(second);
        assertThat(list.get(1).get("token_id").asLong()).isEqualTo(first);
        for (JsonNode entry : list) {
            List<String> names = new ArrayList<>();
            entry.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("token_id", "created_at");
            assertThat(entry.get("created_at").asText()).matches(TIMESTAMP);
        }
        assertThat(list.get(0).get("created_at").asText()).isGreaterThanOrEqualTo(list.get(1).get("created_at").asText());
    }

    @Test
    void aThirdTokenIsRefusedUntilOneIsRevoked() {
        long first = onlyTokenId();
        long second = bobbin.connectPost(tokens, null).json().get("id").asLong();

        HttpReply third = bobbin.connectPost(tokens, null);

        assertError(third, 400, """
                {"error": "TooManyTokens",
                 "data": {"message": "an Import API source can have at most 2 active tokens; revoke one first"}}""");
        assertThat(tokenIds()).containsExactly(second, first);

        assertThat(bobbin.connectDelete(tokens + "/" + first).status()).isEqualTo(200);
        HttpReply replacement = bobbin.connectPost(tokens, null);

        assertThat(replacement.status()).as(replacement.toString()).isEqualTo(200);
        long replacementId = replacement.json().get("id").asLong();
        assertThat(replacementId).isGreaterThan(second);
        assertThat(tokenIds()).containsExactly(replacementId, second);
        HttpReply push = bobbin.post("/v2/import/batch", BatchBody.customers().upsert(1, "{\"id\":1}").json(),
                "Authorization", "Bearer " + replacement.json().get("access_token").asText(), "Content-Type", "application/json");
        assertThat(push.status()).as(push.toString()).isEqualTo(201);
    }

    @Test
    void revokingAnUnknownOrAlreadyRevokedTokenIs404TokenNotFound() {
        long only = onlyTokenId();
        long otherSource = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Other\"}").json().get("id").asLong();
        long otherToken = bobbin.connectPost("/v4/sources/" + otherSource + "/tokens", null).json().get("id").asLong();

        for (String id : List.of("987654321", "abc", String.valueOf(otherToken))) {
            assertError(bobbin.connectDelete(tokens + "/" + id), 404,
                    "{\"error\":\"NotFound\",\"data\":{\"message\":\"token not found (" + id + ")\"}}");
        }
        assertThat(bobbin.connectDelete(tokens + "/" + only).status()).isEqualTo(200);
        assertError(bobbin.connectDelete(tokens + "/" + only), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"token not found (" + only + ")\"}}");
        assertError(bobbin.connectDelete("/v4/sources/987654321/tokens/" + otherToken), 404,
                "{\"error\":\"NotFound\",\"data\":{\"message\":\"source not found (987654321)\"}}");
        assertThat(bobbin.connectGet("/v4/sources/" + otherSource + "/tokens").json().get(0).get("token_id").asLong())
                .as("a token of another source is not revoked through this one").isEqualTo(otherToken);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void awaitPushes(String what, String token, int count, List<Push> pushes) {
        Deadline.await(what, () -> pushes.stream().filter(p -> p.token().equals(token)).count() >= count);
    }

    private List<Long> tokenIds() {
        HttpReply reply = bobbin.connectGet(tokens);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        reply.json().forEach(t -> ids.add(t.get("token_id").asLong()));
        return ids;
    }

    private long onlyTokenId() {
        List<Long> ids = tokenIds();
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    private static void assertError(HttpReply reply, int status, String expectedJson) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.mediaType()).as("Content-Type of " + reply).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(expectedJson));
    }
}
