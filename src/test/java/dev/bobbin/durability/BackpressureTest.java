package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.log.LogUnavailableException;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import dev.bobbin.log.SqliteBatchLog;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch log's size cap ({@code BOBBIN_LOG_MAX_BYTES}) and purge rules. With the loader stopped,
 * pushes beyond the cap are refused with 503, a JSON body and {@code Retry-After}, and
 * {@code GET /v2/import/status} answers 503 ERROR saying the log is full (DECISIONS I11); nothing
 * of a refused push is stored. Once the backlog is loaded, intake accepts again. Loaded batches are
 * kept until their space is needed (or their retention ends), and a batch that is not loaded yet is
 * never purged. The counts come from {@code catalog.db} itself.
 */
final class BackpressureTest {
    private static final String SCHEMA = "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"pad\": {\"type\": \"string\"}}}";

    @TempDir
    Path dir;
    private RunningBobbin bobbin;

    @AfterEach
    void stop() {
        if (bobbin != null) {
            bobbin.close();
        }
    }

    /** Every body has the same size: the value of n has four digits. */
    private static BatchBody body(int n) {
        return BatchBody.table("events", SCHEMA).upsert(n, "{\"n\": %d, \"pad\": \"%s\"}".formatted(1000 + n, "x".repeat(500)));
    }

    @Test
    void pushesBeyondTheCapGet503UntilTheBacklogIsLoadedAndOnlyLoadedBatchesArePurged() {
        int size = body(0).json().getBytes(StandardCharsets.UTF_8).length;
        Map<String, String> env = new HashMap<>(RunningBobbin.MANUAL_LOADING);
        env.put("BOBBIN_LOG_MAX_BYTES", String.valueOf(10L * size + size / 2));
        bobbin = RunningBobbin.withImportSource(dir, env);
        LogFile log = new LogFile(dir);

        for (int n = 0; n < 10; n++) {
            accept(n);
        }
        assertRefusedAsFull(10);
        assertThat(log.unacknowledged()).as("unloaded batches").isEqualTo(10);
        assertThat(log.acknowledged()).as("loaded batches").isZero();

        assertThat(bobbin.loadNow()).isEqualTo(10);
        assertThat(bobbin.statusOk()).as("status once the backlog is loaded").isTrue();
        assertThat(log.acknowledged()).as("loaded batches are kept while their space is not needed").isEqualTo(10);

        accept(10); // the refused batch, sent again: now there is room
        assertThat(log.acknowledged()).as("loaded batches purged to make room").isZero();
        assertThat(log.unacknowledged()).isEqualTo(1);
        for (int n = 11; n < 20; n++) {
            accept(n);
        }
        assertRefusedAsFull(20);
        assertThat(log.unacknowledged()).as("no unloaded batch is ever purged").isEqualTo(10);

        assertThat(bobbin.loadNow()).isEqualTo(10);
        assertThat(bobbin.rows("SELECT n FROM import_api.events ORDER BY n")).as("every accepted batch loaded once, no refused one")
                .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(n -> List.of(String.valueOf(1000 + n))).toList());
    }

    private void accept(int n) {
        HttpReply reply = bobbin.postBatch(body(n));
        assertThat(reply.status()).as("push %d: %s", n, reply).isEqualTo(201);
    }

    private void assertRefusedAsFull(int n) {
        HttpReply refused = bobbin.postBatch(body(n));
        assertThat(refused.status()).as("push %d beyond the cap: %s", n, refused).isEqualTo(503);
        assertThat(refused.mediaType()).isEqualTo("application/json");
        assertThat(refused.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(refused.json().path("message").asText()).contains("not accepted").contains("full").contains("BOBBIN_LOG_MAX_BYTES");
        assertThat(refused.headers().firstValue("Retry-After")).as("Retry-After").hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());

        HttpReply status = bobbin.get("/v2/import/status");
        JsonNode body = status.json();
        assertThat(status.status()).as("status while the log is full: %s", status).isEqualTo(503);
        assertThat(body.path("status").asText()).isEqualTo("ERROR");
        assertThat(body.path("reason").asText()).contains("batch log is full");
    }

    @Test
    void loadedBatchesArePurgedOnceTheirRetentionEndsAndUnloadedOnesNever() throws LogUnavailableException {
        AtomicLong now = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        LogFile file = new LogFile(dir);
        try (SqliteBatchLog log = SqliteBatchLog.open(dir.resolve("catalog.db"), clock, 1L << 30, Duration.ofHours(1))) {
            for (int i = 0; i < 3; i++) {
                log.append(List.of(new NewBatch(1, 1, "t", PayloadFormat.BATCH_JSON, clock.instant(), ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
            }
            List<LoggedBatch> pending = log.pending(10);
            log.acknowledge(pending.subList(0, 2));
            assertThat(file.acknowledged()).isEqualTo(2);

            now.addAndGet(Duration.ofMinutes(59).toMillis());
            pause(Duration.ofMillis(500)); // several idle rounds of the writer, which purges at most once a minute
            assertThat(file.acknowledged()).as("loaded 59 minutes ago, retention 1 hour: kept").isEqualTo(2);

            now.addAndGet(Duration.ofMinutes(2).toMillis());
            Deadline.await("the loaded batches to be purged after their retention", () -> file.acknowledged() == 0);
            assertThat(file.unacknowledged()).as("the unloaded batch stays, however old").isEqualTo(1);

            now.addAndGet(Duration.ofDays(30).toMillis());
            pause(Duration.ofMillis(500));
            assertThat(file.unacknowledged()).as("the unloaded batch stays, however old").isEqualTo(1);
            assertThat(log.pending(10)).extracting(LoggedBatch::position).containsExactly(pending.get(2).position());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
