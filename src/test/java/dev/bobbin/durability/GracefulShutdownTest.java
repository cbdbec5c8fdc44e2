package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.testing.BobbinProcess;
import dev.bobbin.testing.Deadline;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM is a clean stop ({@code bobbin serve}'s signal handler, {@code BobbinNode.close} order):
 * with requests in flight and the loader busy, the process stops taking requests, finishes the
 * ones in flight and the load in progress, closes the log and warehouse, and exits 0 within a
 * bound; after a restart every request that got a 2xx is loaded, none twice. Stricter than the
 * crash test: a request that got no answer was not stored (in-flight requests are answered before
 * connections close), so nothing of it may be loaded.
 */
final class GracefulShutdownTest {
    private static final Duration EXIT_LIMIT = Duration.ofSeconds(20);
    private static final String CONNECT_TOKEN = "ac_graceful_shutdown_test_connect_token_0123456789";
    private static final Map<String, String> ENV = Map.of(
            "BOBBIN_CONNECT_TOKEN", CONNECT_TOKEN,
            "BOBBIN_LOAD_INTERVAL_MS", "50");

    @TempDir
    Path dir;
    private final AtomicReference<BobbinProcess> server = new AtomicReference<>();

    @AfterEach
    void stopServer() {
        BobbinProcess p = server.get();
        if (p != null) {
            p.close();
        }
        BobbinProcess.keepLog(dir.resolve("bobbin.log"), "GracefulShutdownTest");
    }

    @Test
    void sigtermWhileRequestsAndALoadAreInFlightExitsZeroAndLosesNothing() throws Exception {
        Path dataDir = dir.resolve("data");
        Path logFile = dir.resolve("bobbin.log");
        server.set(BobbinProcess.start(dataDir, logFile, ENV));
        Api api = new Api(server.get().baseUrl(), CONNECT_TOKEN);
        Workload workload = new Workload(List.of(api.createSource("Graceful A"), api.createSource("Graceful B")));
        LogFile log = new LogFile(dataDir);
        Random random = new Random(42);
        List<Long> exitMillis = new ArrayList<>();
        try (Clients clients = new Clients(workload, () -> server.get().baseUrl(), 0.7, 42)) {
            clients.start(3);
            for (int round = 0; round < 4; round++) {
                Thread.sleep(500 + random.nextInt(1000));
                // the loader has work: batches were accepted and are not loaded yet
                Deadline.await("a backlog for the loader", () -> log.unacknowledged() > 0);
                long signalled = System.nanoTime();
                int exit = server.get().terminate(EXIT_LIMIT);
                exitMillis.add(Duration.ofNanos(System.nanoTime() - signalled).toMillis());
                assertThat(exit).as("exit code after SIGTERM in round %d", round).isZero();
                server.set(BobbinProcess.start(dataDir, logFile, ENV));
            }
            clients.finish(Duration.ofSeconds(60));
            log.awaitDrained(Duration.ofSeconds(60));
            assertThat(server.get().terminate(EXIT_LIMIT)).isZero();

            try (Connection db = DuckDbWarehouse.openReadOnly(dataDir.resolve("warehouse.duckdb"))) {
                Workload.Report report = workload.verify(db, true);
                log.assertLedgerMatches(db);
                assertThat(report.accepted()).isGreaterThan(50);
                System.out.printf("GracefulShutdownTest: exits after %s ms; attempts %s; %s%n", exitMillis, clients.attempts(), report);
            }
        }
    }
}
