package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.Destination;
import dev.bobbin.loading.Loader;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.ForwardingBatchLog;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader reads the next part of a backlog while it loads the last unit of a part
 * ({@link BatchLog#pendingAfter}): the batches still load in log order, each once, whether the part
 * read ahead is used or, after a unit that did not load, dropped and read again.
 */
final class LoaderReadAheadTest {
    private static final String EVENTS_SCHEMA = "{\"properties\": {\"n\": {\"type\": \"integer\"}}}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void aBacklogReadTwoBatchesAtATimeLoadsInLogOrder() {
        acceptSevenBatches();
        TwoAtATime log = new TwoAtATime(bobbin.node().log());
        Loader loader = loader(log);
        int loaded = 0;
        int cycle;
        while ((cycle = loader.runOnce()) > 0) {
            loaded += cycle;
        }
        loader.close();

        assertThat(loaded).isEqualTo(7);
        assertThat(log.readsAfter.get()).as("parts read ahead").isGreaterThanOrEqualTo(3);
        assertThat(bobbin.pendingBatches()).isZero();
        assertLoadedInLogOrder();
    }

    @Test
    void aPartReadAheadIsDroppedWhenTheDestinationFailsAndReadAgainLater() {
        acceptSevenBatches();
        TwoAtATime log = new TwoAtATime(bobbin.node().log());
        AtomicInteger loads = new AtomicInteger();
        Destination warehouse = bobbin.node().warehouse();
        Loader loader = new Loader(log, bobbin.node().catalog(), config -> {
            if (loads.incrementAndGet() == 3) {
                throw new IllegalStateException("the destination is down for a moment");
            }
            return Optional.of(warehouse);
        }, Duration.ofMillis(1), Clock.systemUTC());
        int loaded = 0;
        for (int i = 0; i < 20 && bobbin.pendingBatches() > 0; i++) {
            loaded += loader.runOnce();
            sleep(5); // the destination's backoff
        }
        loader.close();

        assertThat(loaded).isEqualTo(7);
        assertThat(bobbin.pendingBatches()).isZero();
        assertLoadedInLogOrder();
    }

    private Loader loader(BatchLog log) {
        return new Loader(log, bobbin.node().catalog(), config -> Optional.<Destination>of(bobbin.node().warehouse()),
                Duration.ofHours(1), Clock.systemUTC());
    }

    /** Versions of the same keys with equal sequences: a tie keeps the first accepted, so the rows tell the load order. */
    private void acceptSevenBatches() {
        for (int b = 1; b <= 6; b++) {
            bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"v" + b + "\"}").upsert(b, "{\"id\":" + (b + 1) + ",\"name\":\"b" + b + "\"}"));
            if (b == 3) {
                bobbin.accept(BatchBody.table("events", EVENTS_SCHEMA).upsert(1, "{\"n\":1}"));
            }
        }
    }

    private void assertLoadedInLogOrder() {
        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers ORDER BY id")).containsExactly(
                List.of("1", "v1"), List.of("2", "b1"), List.of("3", "b2"), List.of("4", "b3"), List.of("5", "b4"),
                List.of("6", "b5"), List.of("7", "b6"));
        assertThat(bobbin.rows("SELECT n FROM import_api.events")).containsExactly(List.of("1"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The node's log, handing out at most two batches per read, as a byte bound would for large batches. */
    private static final class TwoAtATime extends ForwardingBatchLog {
        final AtomicInteger readsAfter = new AtomicInteger();

        TwoAtATime(BatchLog log) {
            super(log);
        }

        @Override
        public List<LoggedBatch> pending(int maxBatches) {
            return log.pending(Math.min(2, maxBatches));
        }

        @Override
        public List<LoggedBatch> pendingAfter(LoggedBatch last, int maxBatches) {
            List<LoggedBatch> after = log.pendingAfter(last, Math.min(2, maxBatches));
            if (!after.isEmpty()) {
                readsAfter.incrementAndGet();
            }
            return after;
        }
    }
}
