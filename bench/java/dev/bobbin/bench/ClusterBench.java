package dev.bobbin.bench;

import dev.bobbin.bench.Bodies.Shape;
import dev.bobbin.bench.LoadGenerator.Result;
import dev.bobbin.bench.ServerUnderTest.SourceToken;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.TestKafka;
import dev.bobbin.testing.TestPostgres;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench/run cluster}: the scale-out deployment (issue 8) next to one node, in one run. Each
 * setup starts fresh servers as operators run them (separate JVMs, {@code -Xmx512m}) and loads into
 * one PostgreSQL destination:
 *
 * <ol>
 *   <li>one node on the embedded defaults (SQLite catalog and log);</li>
 *   <li>one node on the shared services (Kafka log, PostgreSQL catalog);</li>
 *   <li>three nodes on the shared services, requests spread round-robin over them.</li>
 * </ol>
 *
 * <p>For each: accepted records/s of 100-record customers batches over {@code BENCH_CONNECTIONS}
 * (64) keep-alive connections in a closed loop for {@code BENCH_SECONDS} (10), with p50/p99 per
 * request and the CPU of all nodes; then how long until the destination's ledger holds every
 * accepted batch, giving the end-to-end rate (HTTP in → rows committed). The broker (KRaft, from
 * the test classpath's Kafka artifacts) and PostgreSQL (embedded) are the tests' own.
 *
 * <p>Every node, the broker, PostgreSQL and the load generator share this machine's cores, so on a
 * small machine three nodes cannot accept more than one: the numbers show the cost of the shared
 * services and that nothing is lost or stalls, not the scaling of separate machines.
 */
public final class ClusterBench {
    private static final String CONNECT_TOKEN = "ac_bench_cluster_connect_token_0123456789abcdefghij";
    private static final int RECORDS_PER_BATCH = 100;

    private final double seconds = Double.parseDouble(System.getenv().getOrDefault("BENCH_SECONDS", "10"));
    private final double warmup = Double.parseDouble(System.getenv().getOrDefault("BENCH_WARMUP_SECONDS", "3"));
    private final int connections = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONNECTIONS", "64"));
    private final String heap = System.getenv().getOrDefault("BENCH_SERVER_HEAP", "512m");
    private final Path work = Path.of("target", "bench-cluster").toAbsolutePath();
    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new ClusterBench().run();
        System.exit(0); // the test broker and PostgreSQL stop in their shutdown hooks
    }

    private record Outcome(double acceptedRecords, Result result, double loadedRecords, double drainSeconds) {
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "bench cluster: %d cores, 100-record customers batches, %d connections, %.0f s per setup%n",
                Runtime.getRuntime().availableProcessors(), connections, seconds);
        long t0 = System.nanoTime();
        String brokers = TestKafka.bootstrapServers();
        System.out.printf(Locale.ROOT, "Kafka broker (KRaft, one process) at %s, started in %.1f s; PostgreSQL embedded%n", brokers,
                (System.nanoTime() - t0) / 1e9);

        Outcome embedded = measure("one node, embedded (SQLite log + catalog)", 1, false, brokers);
        Outcome oneOnKafka = measure("one node, Kafka log + PostgreSQL catalog", 1, true, brokers);
        Outcome three = measure("three nodes, Kafka log + PostgreSQL catalog", 3, true, brokers);

        System.out.println();
        System.out.printf(Locale.ROOT, "%-46s | %12s %8s %8s | %12s %8s%n", "setup", "accepted r/s", "p50 ms", "p99 ms",
                "loaded r/s", "drain s");
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "three nodes vs one node on Kafka: accepted %.2fx, loaded %.2fx; one node on Kafka vs embedded: accepted %.2fx%n",
                three.acceptedRecords() / oneOnKafka.acceptedRecords(), three.loadedRecords() / oneOnKafka.loadedRecords(),
                oneOnKafka.acceptedRecords() / embedded.acceptedRecords());
        System.out.println("accepted = 2xx records/s in the closed loop; loaded = records of every accepted batch / seconds from the first"
                + " request until the destination's ledger held them all (HTTP in -> rows committed in PostgreSQL); CPU = all nodes");
    }

    private Outcome measure(String name, int nodes, boolean shared, String brokers) throws Exception {
        PostgresConnection warehouse = TestPostgres.newDatabase();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BOBBIN_CONNECT_TOKEN", CONNECT_TOKEN);
        if (shared) {
            env.put("BOBBIN_CATALOG_URL", TestPostgres.jdbcUrl(TestPostgres.newDatabase()));
            env.put("BOBBIN_LOG", "kafka:" + brokers);
            env.put("BOBBIN_KAFKA_TOPIC", TestKafka.newTopicName());
            env.put("BOBBIN_KAFKA_GROUP", TestKafka.newGroupId());
        }
        List<ServerUnderTest> servers = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                String dir = name.replaceAll("[^a-z0-9]+", "-") + "-node-" + i;
                servers.add(ServerUnderTest.start(work.resolve(dir), heap, List.of(), env));
            }
            ServerUnderTest first = servers.get(0);
            SourceToken source = first.newSource("bench");
            // the embedded server trusts local connections; the Connect API still wants a password
            first.usePostgres(warehouse.host(), warehouse.port(), warehouse.database(), warehouse.username(), "unused");
            List<URI> urls = servers.stream().map(s -> URI.create(s.baseUrl)).toList();
            Targets targets = new Targets(urls, source.token());
            Bodies.Set set = new Bodies().build(Shape.CUSTOMERS, RECORDS_PER_BATCH, 1024, 0, Shape.CUSTOMERS.table);
            CpuMeter meter = CpuMeter.ofAll(servers.stream().map(ServerUnderTest::handle).toList());

            AtomicLong accepted = new AtomicLong();
            AtomicReference<String> firstError = new AtomicReference<>();
            LoadGenerator.Ops http = LoadGenerator.http(targets, "/v2/import/batch", set, firstError);
            LoadGenerator.Ops counting = w -> {
                LoadGenerator.Op op = http.forWorker(w);
                return n -> {
                    boolean ok = op.run(n);
                    if (ok) {
                        accepted.incrementAndGet();
                    }
                    return ok;
                };
            };
            long start = System.nanoTime();
            Result result = LoadGenerator.closed(connections, warmup, seconds, meter, counting);
            long batches = accepted.get();
            double drainSeconds = awaitLedger(warehouse, batches);
            double loaded = batches * RECORDS_PER_BATCH / ((System.nanoTime() - start) / 1e9);
            double acceptedRecords = result.opsPerSecond() * RECORDS_PER_BATCH;
            Outcome outcome = new Outcome(acceptedRecords, result, loaded, drainSeconds);
            rows.add(String.format(Locale.ROOT, "%-46s | %12s %8.1f %8.1f | %12s %8.1f   (nodes CPU %.2f, generator %.2f%s)", name,
                    fmt(acceptedRecords), result.percentileMs(50), result.percentileMs(99), fmt(loaded),
                    drainSeconds, result.serverCpu() / seconds, result.generatorCpu() / seconds,
                    result.failures() == 0 ? "" : ", " + result.failures() + " failed: " + firstError.get()));
            System.out.println(rows.get(rows.size() - 1));
            return outcome;
        } finally {
            for (ServerUnderTest s : servers) {
                s.close();
            }
        }
    }

    /** Waits until the destination's ledger holds {@code batches} batches; returns the seconds waited. */
    private static double awaitLedger(PostgresConnection warehouse, long batches) throws Exception {
        long start = System.nanoTime();
        long deadline = start + 600L * 1_000_000_000L;
        while (true) {
            long loaded = ledgerSize(warehouse);
            if (loaded >= batches) {
                return (System.nanoTime() - start) / 1e9;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + loaded + " of " + batches + " accepted batches loaded after 600 s");
            }
            Thread.sleep(50);
        }
    }

    private static long ledgerSize(PostgresConnection warehouse) {
        try (Connection c = TestPostgres.connect(warehouse); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM _bobbin.ledger")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException notYet) {
            return 0; // the ledger is created when the destination is
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
