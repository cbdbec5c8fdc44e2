package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle loader does not wait out its interval for a batch the node accepts: the append wakes it
 * ({@code BOBBIN_LOAD_ON_APPEND}, on by default). With it off the interval alone decides.
 */
final class LoadOnAppendTest {
    private static final Map<String, String> HOUR_INTERVAL = Map.of("BOBBIN_LOAD_INTERVAL_MS", "3600000");

    @TempDir
    Path dataDir;

    @Test
    void anAcceptedBatchWakesTheIdleLoader() throws InterruptedException {
        try (RunningBobbin bobbin = RunningBobbin.withImportSource(dataDir, HOUR_INTERVAL)) {
            bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
            awaitEmptyLog(bobbin, Duration.ofSeconds(20));
            bobbin.accept(BatchBody.customers().upsert(2, "{\"id\": 2, \"name\": \"Jake\"}"));
            awaitEmptyLog(bobbin, Duration.ofSeconds(20));

            assertThat(bobbin.rows("SELECT id, name FROM import_api.customers ORDER BY id"))
                    .containsExactly(List.of("1", "Finn"), List.of("2", "Jake"));
        }
    }

    @Test
    void withoutItTheBatchWaitsForTheInterval() throws InterruptedException {
        Map<String, String> env = Map.of("BOBBIN_LOAD_INTERVAL_MS", "3600000", "BOBBIN_LOAD_ON_APPEND", "false");
        try (RunningBobbin bobbin = RunningBobbin.withImportSource(dataDir, env)) {
            bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
            Thread.sleep(2_000);

            assertThat(bobbin.node().log().pendingCount()).isEqualTo(1);
        }
    }

    private static void awaitEmptyLog(RunningBobbin bobbin, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (bobbin.node().log().pendingCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(bobbin.node().log().pendingCount()).as("batches still pending after %s", within).isZero();
    }
}
