package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BobbinProcess;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * DECISIONS I1 under {@code kill -9}: a 2xx from the Import API means the batch is durable and will be
 * loaded exactly once, whenever the process dies.
 *
 * <p>{@code bobbin serve} runs as a separate process. Client threads push a steady mixed load
 * ({@link Workload}: keyed and keyless tables, nested records with arrays two levels deep, two
 * sources, batch and push, out-of-order sequences) while the test kills the server with SIGKILL at
 * random moments (seeded) — while it serves, while it loads, sometimes while it is still starting
 * up — and restarts it on the same data dir. Requests that got no answer are retried with the same
 * body by some clients and abandoned by others. After a last restart the log is drained, and the
 * destination must hold exactly what the answers promised (see {@link Workload#verify}), and its
 * load ledger exactly the batches of the log.
 *
 * <p>Runs against the embedded DuckDB warehouse and against PostgreSQL (the account switched to a
 * PostgreSQL database through the Connect API), and with the scale-out services (batch log on a
 * real Kafka broker, catalog on PostgreSQL) into PostgreSQL. Soak mode ({@code bench/soak}) raises the number of
 * kills and the time between them with {@code -Dsoak.kills}, {@code -Dsoak.maxUpMs},
 * {@code -Dsoak.clients} and {@code -Dsoak.seed}.
 */
final class CrashRecoveryTest {
    private static final int KILLS = Integer.getInteger("soak.kills", 20);
    private static final int MAX_UP_MS = Integer.getInteger("soak.maxUpMs", 2000);
    private static final int CLIENTS = Integer.getInteger("soak.clients", 3);
    private static final long SEED = Long.getLong("soak.seed", 20261126L);
    private static final String CONNECT_TOKEN = "ac_crash_recovery_test_connect_token_0123456789abcdef";
    private static final Map<String, String> ENV = Map.of(
            "BOBBIN_CONNECT_TOKEN", CONNECT_TOKEN,
            "BOBBIN_LOAD_INTERVAL_MS", "100");

    @TempDir
    Path dir;
    private final AtomicReference<BobbinProcess> server = new AtomicReference<>();

    @AfterEach
    void stopServer(TestInfo test) {
        BobbinProcess p = server.get();
        if (p != null) {
            p.close();
        }
        BobbinProcess.keepLog(dir.resolve("bobbin.log"), "CrashRecoveryTest-" + test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void everyAcceptedBatchIsLoadedExactlyOnceIntoDuckDbDespiteKills() throws Exception {
        run(null, 1);
    }

    @Test
    void everyAcceptedBatchIsLoadedExactlyOnceIntoPostgresDespiteKills() throws Exception {
        run(TestPostgres.newDatabase(), 2, null);
    }

    /** The same kills with the scale-out services: batch log on Kafka, catalog on PostgreSQL. */
    @Test
    void everyAcceptedBatchIsLoadedExactlyOnceFromKafkaDespiteKills() throws Exception {
        run(TestPostgres.newDatabase(), 3, SharedServicesForTests.create());
    }

    private void run(PostgresConnection postgres, long seedOffset) throws Exception {
        run(postgres, seedOffset, null);
    }

    private void run(PostgresConnection postgres, long seedOffset, SharedServicesForTests shared) throws Exception {
        try {
            killAndVerify(postgres, seedOffset, shared);
        } catch (AssertionError e) {
            throw new AssertionError("with -Dsoak.seed=" + SEED + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(PostgresConnection postgres) {
        try {
            return TestPostgres.connect(postgres);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void killAndVerify(PostgresConnection postgres, long seedOffset, SharedServicesForTests shared) throws Exception {
        long seed = SEED + seedOffset;
        Path dataDir = dir.resolve("data");
        Path logFile = dir.resolve("bobbin.log");
        Map<String, String> env = shared == null ? ENV : shared.env(ENV);
        server.set(BobbinProcess.start(dataDir, logFile, env));
        Api api = new Api(server.get().baseUrl(), CONNECT_TOKEN);
        List<Workload.Source> sources = List.of(api.createSource("Crash A"), api.createSource("Crash B"));
        if (postgres != null) {
            api.usePostgres(postgres);
        }

        Workload workload = new Workload(sources);
        Random random = new Random(seed);
        int kills = 0;
        int killsWhileStarting = 0;
        long started = System.nanoTime();
        try (Clients clients = new Clients(workload, () -> server.get().baseUrl(), 0.7, seed)) {
            clients.start(CLIENTS);
            while (kills < KILLS) {
                Thread.sleep(150 + random.nextInt(MAX_UP_MS));
                server.get().kill();
                kills++;
                server.set(BobbinProcess.spawn(dataDir, logFile, env));
                if (kills < KILLS && random.nextInt(100) < 15) {
                    // kill it again while it starts: opening the log and warehouse, the first load cycle
                    Thread.sleep(200 + random.nextInt(1200));
                    server.get().kill();
                    kills++;
                    killsWhileStarting++;
                    server.set(BobbinProcess.spawn(dataDir, logFile, env));
                }
                server.get().awaitReady();
            }
            Thread.sleep(500);
            clients.finish(Duration.ofSeconds(60));

            Duration drainLimit = Duration.ofSeconds(Math.max(90, KILLS));
            LogFile log = shared == null ? new LogFile(dataDir) : null;
            if (shared == null) {
                log.awaitDrained(drainLimit);
            } else {
                shared.topic().awaitLoaded(() -> connect(postgres), drainLimit);
            }
            assertThat(server.get().terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();

            Workload.Report report;
            try (Connection db = postgres == null
                    ? DuckDbWarehouse.openReadOnly(dataDir.resolve("warehouse.duckdb"))
                    : TestPostgres.connect(postgres)) {
                report = workload.verify(db);
                if (shared == null) {
                    log.assertLedgerMatches(db);
                } else {
                    shared.topic().assertLedgerMatches(db);
                }
            }
            assertThat(report.accepted()).as("accepted requests").isGreaterThan(100);
            System.out.printf("CrashRecoveryTest %s: -Dsoak.seed=%d, %d kills (%d while starting) in %d s; attempts %s; %s; %d batches%n",
                    postgres == null ? "duckdb" : shared == null ? "postgres" : "postgres from kafka", SEED, kills, killsWhileStarting,
                    Duration.ofNanos(System.nanoTime() - started).toSeconds(), clients.attempts(), report,
                    log == null ? shared.topic().batchKeys().size() : log.acknowledged());
        }
    }
}
