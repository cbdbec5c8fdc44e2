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
 * A load cycle that runs out of heap (here: while it reads a unit's payload) does not end the loader's
 * thread: the cycle is given up, the batches stay pending, and the next cycle loads them. Without that
 * the node would go on answering 2xx while nothing it accepted ever loaded again.
 */
final class LoaderOutOfHeapTest {
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
    void aCycleThatRunsOutOfHeapIsRetriedAndLoadsEverything() throws InterruptedException {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\": 2, \"name\": \"Jake\"}"));
        OutOfHeapOnce log = new OutOfHeapOnce(bobbin.node().log());
        try (Loader loader = new Loader(log, bobbin.node().catalog(), config -> Optional.<Destination>of(bobbin.node().warehouse()),
                Duration.ofMillis(50), Clock.systemUTC())) {
            loader.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (bobbin.node().log().pendingCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }

        assertThat(log.failures.get()).as("payload reads that ran out of heap").isEqualTo(1);
        assertThat(bobbin.node().log().pendingCount()).isZero();
        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers ORDER BY id"))
                .containsExactly(List.of("1", "Finn"), List.of("2", "Jake"));
    }

    /** The node's log, whose first payload read fails as a read into a full heap would. */
    private static final class OutOfHeapOnce extends ForwardingBatchLog {
        final AtomicInteger failures = new AtomicInteger();

        OutOfHeapOnce(BatchLog log) {
            super(log);
        }

        @Override
        public byte[] payload(LoggedBatch batch) {
            if (failures.compareAndSet(0, 1)) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
            return log.payload(batch);
        }
    }
}
