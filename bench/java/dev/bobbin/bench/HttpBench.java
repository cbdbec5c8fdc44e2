package dev.bobbin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.bench.Bodies.Shape;
import dev.bobbin.bench.LoadGenerator.Result;
import dev.bobbin.bench.ServerUnderTest.GcEvent;
import dev.bobbin.bench.ServerUnderTest.SourceToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench/run http}: Bobbin over real HTTP, in its own JVM at {@code -Xmx512m}, next to raw
 * baselines measured in the same run (see BENCHMARKS.md): accepted throughput by batch size and
 * concurrency next to a plain Jackson parse and a parse + append + fsync of the same bytes; accept
 * latency at half the maximum throughput (open loop); freshness (2xx to queryable); heap and RSS with
 * 20 MiB batches; end-to-end records/s into PostgreSQL next to a hand-written COPY + upsert and a
 * plain COPY of the same rows. Not in the default phases: {@code heapmin}, the smallest -Xmx at which
 * fresh servers take and load the 20 MiB batches.
 */
public final class HttpBench {
    private static final String BATCH_PATH = "/v2/import/batch";
    private final Path work = Path.of("target", "bench-http");
    private final double warmup = doubleSetting("BENCH_WARMUP_SECONDS", 1.0);
    private final double seconds = doubleSetting("BENCH_SECONDS", 2.0);
    private final String serverHeap = System.getenv().getOrDefault("BENCH_SERVER_HEAP", "512m");
    private final List<String> serverOptions = options(System.getenv().getOrDefault("BENCH_SERVER_JAVA_OPTS", ""));
    /** BOBBIN_* settings of this environment, passed on to the servers under test (none: the defaults). */
    private final Map<String, String> serverEnv = bobbinSettings();
    private final List<String> report = new ArrayList<>();
    private final Map<String, String> verdicts = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        new HttpBench().run(System.getenv().getOrDefault("BENCH_PHASES", "intake,sustained,latency,freshness,heap,pg"));
        System.out.printf(Locale.ROOT, "total time %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    private void run(String phases) throws Exception {
        List<String> wanted = List.of(phases.split(","));
        System.out.println("bench http: phases " + wanted + ", " + fmtD(warmup) + " s warm-up + " + fmtD(seconds)
                + " s measured per cell, server -Xmx" + serverHeap + (serverOptions.isEmpty() ? "" : " " + serverOptions)
                + (serverEnv.isEmpty() ? ", default settings" : ", server settings " + serverEnv));
        System.out.println("machine: " + machine());
        Files.createDirectories(work);
        Targets external = Targets.fromEnvironment();
        if (external != null) {
            System.out.println("targets: " + external + " (BENCH_URLS; no server started, so no server CPU, heap, freshness or PostgreSQL phase)");
            Bodies bodies = new Bodies();
            double max = intake(external, null, bodies, "bench");
            if (wanted.contains("latency")) {
                // no backlog to read on a remote cluster: the burst max, or BENCH_LATENCY_RATE
                double rate = doubleSetting("BENCH_LATENCY_RATE", Double.NaN);
                latency(external, null, bodies, Double.isNaN(rate) ? max : rate * 2, null, null);
            }
            printReport();
            return;
        }
        if (wanted.contains("intake") || wanted.contains("sustained") || wanted.contains("latency") || wanted.contains("freshness")
                || wanted.contains("heap")) {
            embedded(wanted);
        }
        if (wanted.contains("heapmin")) {
            heapMin();
        }
        if (wanted.contains("pg")) {
            postgres();
        }
        printReport();
    }

    // ---------------------------------------------------------------- embedded default (DuckDB)

    private void embedded(List<String> wanted) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.start(work.resolve("embedded"), serverHeap, serverOptions, serverEnv)) {
            SourceToken source = server.newSource("bench");
            Targets t = Targets.of(server.baseUrl, source.token());
            System.out.println("server: pid " + server.pid() + " at " + server.baseUrl + ", embedded defaults (SQLite log, DuckDB), schema "
                    + source.schema());
            Bodies bodies = new Bodies();
            CpuMeter meter = new CpuMeter(server.handle());
            double max = Double.NaN;
            if (wanted.contains("intake")) {
                max = intake(t, meter, bodies, source.schema());
            }
            Freshness freshness = new Freshness(server, t, source.schema(), bodies);
            if (wanted.contains("freshness") || wanted.contains("latency")) {
                double drained = freshness.drain();
                System.out.printf(Locale.ROOT, "backlog of the intake phase loaded %.1f s after it ended%n", drained);
                report.add(String.format(Locale.ROOT, "backlog after the intake phase: loaded within %.1f s", drained));
            }
            if (wanted.contains("freshness")) {
                freshness.measure("idle (markers only)", doubleSetting("BENCH_FRESHNESS_SECONDS", 20), null);
            }
            try (Backlog backlog = new Backlog(server.dataDir.resolve("catalog.db"), 250)) {
                double sustained = doubleSetting("BENCH_LATENCY_RATE", Double.NaN) * 2;
                if (wanted.contains("sustained") || wanted.contains("latency") && Double.isNaN(sustained)) {
                    sustained = sustained(t, meter, bodies, backlog, max);
                    double drained = freshness.drain();
                    System.out.printf(Locale.ROOT, "backlog of the sustained phase loaded %.1f s after it ended%n", drained);
                }
                if (wanted.contains("latency")) {
                    latency(t, meter, bodies, sustained, freshness, backlog, server);
                }
            }
            if (wanted.contains("heap")) {
                heap(server, t, bodies, freshness);
            }
            long[] rss = server.rss();
            report.add(String.format(Locale.ROOT, "embedded server: peak RSS (VmHWM) %s MiB over the whole run, -Xmx%s", mib(rss[0]), serverHeap));
            checkServer(server);
        }
    }

    /** Accepted records/s and MB/s for each shape, batch size and concurrency, next to the baselines; returns the max for 100-record customers. */
    private double intake(Targets t, CpuMeter serverMeter, Bodies bodies, String schema) throws Exception {
        List<Shape> shapes = List.of(System.getenv().getOrDefault("BENCH_SHAPES", "customers,orders").split(",")).stream()
                .map(s -> Shape.valueOf(s.strip().toUpperCase(Locale.ROOT))).toList();
        int[] sizes = ints("BENCH_BATCH_SIZES", "1,100,20000");
        int[] concurrencies = ints("BENCH_CONCURRENCY", "1,4,16,64");
        CpuMeter meter = serverMeter != null ? serverMeter : new CpuMeter(null);
        double maxCustomers100 = 0;
        System.out.println();
        System.out.printf(Locale.ROOT, "%-9s %6s %4s | %10s %7s %6s %6s %7s %6s | %10s %10s | %6s %6s | %s%n", "shape", "batch", "conc",
                "Bobbin r/s", "MB/s", "p50ms", "p99ms", "genCPU", "srvCPU", "parse r/s", "p+fsync r/s", "x parse", "x p+f", "errors");
        try (IntakeBaselines baselines = new IntakeBaselines(work.resolve("baseline-append.log"))) {
            for (Shape shape : shapes) {
                for (int size : sizes) {
                    int count = size == 1 ? 4096 : size <= 100 ? 1024 : 12;
                    Bodies.Set set = bodies.build(shape, size, count, 0, shape.table);
                    for (int c : concurrencies) {
                        Cell bobbin = closedCell(t, meter, set, c);
                        Result parse = LoadGenerator.closed(c, warmup, seconds, new CpuMeter(null), baselines.parse(set));
                        baselines.reopen();
                        Result parseFsync = LoadGenerator.closed(c, warmup, seconds, new CpuMeter(null), baselines.append(set, true));
                        baselines.reopen();
                        double parseRecords = parse.opsPerSecond() * size;
                        double pfRecords = parseFsync.opsPerSecond() * size;
                        System.out.printf(Locale.ROOT, "%-9s %6d %4d | %10s %7.1f %6.1f %6.1f %7.2f %6.2f | %10s %10s | %6.2f %6.2f | %s%n",
                                shape.table, size, c, fmt(bobbin.records()), bobbin.megabytes(), bobbin.result.percentileMs(50),
                                bobbin.result.percentileMs(99), bobbin.result.generatorCpu() / seconds, bobbin.result.serverCpu() / seconds,
                                fmt(parseRecords), fmt(pfRecords), bobbin.records() / parseRecords, bobbin.records() / pfRecords,
                                bobbin.result.failures() == 0 ? "" : bobbin.result.failures() + " " + bobbin.firstError);
                        if (shape == Shape.CUSTOMERS && size == 100) {
                            maxCustomers100 = Math.max(maxCustomers100, bobbin.records());
                            report.add(String.format(Locale.ROOT,
                                    "intake customers x100 c=%d: %s rec/s (%.1f MB/s), %.2f of parse+fsync (%s rec/s), %.2f of parse (%s rec/s);"
                                            + " generator %.2f CPU, server %.2f CPU",
                                    c, fmt(bobbin.records()), bobbin.megabytes(), bobbin.records() / pfRecords, fmt(pfRecords),
                                    bobbin.records() / parseRecords, fmt(parseRecords), bobbin.result.generatorCpu() / seconds,
                                    bobbin.result.serverCpu() / seconds));
                        }
                    }
                }
            }
        }
        System.out.println("r/s = records accepted (2xx) per second; MB/s of request bodies; genCPU/srvCPU = CPU seconds per second of the"
                + " load generator (this JVM) and of the server (2 cores = 2.00); parse = plain Jackson readTree of the same bodies with as many"
                + " threads, p+fsync = readTree + append to one file + fsync per body; x = Bobbin / baseline");
        if (maxCustomers100 > 0) {
            verdicts.put("accepted throughput, 100-record customers batches", String.format(Locale.ROOT, "%s rec/s (target >= 100,000): %s",
                    fmt(maxCustomers100), maxCustomers100 >= 100_000 ? "met" : "NOT met"));
        }
        return maxCustomers100;
    }

    private record Cell(Result result, int size, double meanBytes, String firstError) {
        double records() {
            return result.opsPerSecond() * size;
        }

        double megabytes() {
            return result.opsPerSecond() * meanBytes / 1e6;
        }
    }

    private Cell closedCell(Targets t, CpuMeter meter, Bodies.Set set, int concurrency) throws Exception {
        AtomicReference<String> error = new AtomicReference<>();
        Result r = LoadGenerator.closed(concurrency, warmup, seconds, meter, LoadGenerator.http(t, BATCH_PATH, set, error));
        return new Cell(r, set.records(), set.meanBytes(), error.get() != null ? error.get() : r.firstFailure());
    }

    /**
     * The sustained maximum of 100-record customers batches: a closed loop at 64 connections for
     * {@code BENCH_SUSTAINED_SECONDS} (30) with the loader on, measured over the last
     * {@code BENCH_SUSTAINED_MEASURE_SECONDS} (15), while the log backlog is sampled. Accepting faster
     * than the loader loads only grows the log until it is full, so the rate that counts is what is
     * both accepted and loaded: the accepted rate less the backlog's growth over the window.
     */
    private double sustained(Targets t, CpuMeter meter, Bodies bodies, Backlog backlog, double burst) throws Exception {
        int connections = intSetting("BENCH_SUSTAINED_CONNECTIONS", 64);
        double total = doubleSetting("BENCH_SUSTAINED_SECONDS", 30);
        double measure = doubleSetting("BENCH_SUSTAINED_MEASURE_SECONDS", 15);
        Bodies.Set set = bodies.build(Shape.CUSTOMERS, 100, 2048, 0, "customers");
        AtomicReference<String> error = new AtomicReference<>();
        double start = backlog.now();
        Result r = LoadGenerator.closed(connections, total - measure, measure, meter, LoadGenerator.http(t, BATCH_PATH, set, error));
        double end = backlog.now();
        List<Backlog.Point> window = backlog.between(end - measure - 0.3, end);
        List<Backlog.Point> all = backlog.between(start, end);
        double accepted = r.opsPerSecond() * 100;
        double growth = Backlog.slope(window) * 100; // records/s the backlog grew by
        double loaded = accepted - growth;
        boolean bounded = growth <= 0.02 * accepted;
        double sustained = Math.min(accepted, loaded);
        System.out.println();
        System.out.printf(Locale.ROOT, "sustained, closed loop: 100 customers per request, %d connections, %.0f s, measured over the last %.0f s:"
                        + " accepted %s rec/s, p50 %.1f ms, p99 %.1f ms, %d failures%s; generator %.2f CPU, server %.2f CPU; backlog over the"
                        + " window: %s (whole phase: %s); loaded ~%s rec/s; backlog %s -> sustained max %s rec/s%s%n",
                connections, total, measure, fmt(accepted), r.percentileMs(50), r.percentileMs(99), r.failures(),
                error.get() == null ? "" : " (" + error.get() + ")", r.generatorCpu() / measure, r.serverCpu() / measure,
                Backlog.describe(window), Backlog.describe(all), fmt(loaded), bounded ? "bounded" : "GROWING", fmt(sustained),
                Double.isNaN(burst) || burst <= 0 ? "" : String.format(Locale.ROOT, " (burst max of the intake phase %s rec/s)", fmt(burst)));
        report.add(String.format(Locale.ROOT, "sustained max, 100-record customers, %d connections, last %.0f of %.0f s: accepted %s rec/s, backlog %s (%s),"
                        + " loaded ~%s rec/s -> sustained %s rec/s; generator %.2f CPU, server %.2f CPU", connections, measure, total, fmt(accepted),
                bounded ? "bounded" : "growing", Backlog.describe(window), fmt(loaded), fmt(sustained), r.generatorCpu() / measure,
                r.serverCpu() / measure));
        return sustained;
    }

    /** Accept latency of 100-record customers batches, open loop at half the sustained maximum throughput. */
    private void latency(Targets t, CpuMeter meter, Bodies bodies, double maxRecords, Freshness freshness, Backlog backlog) throws Exception {
        latency(t, meter, bodies, maxRecords, freshness, backlog, null);
    }

    private void latency(Targets t, CpuMeter meter, Bodies bodies, double maxRecords, Freshness freshness, Backlog backlog,
                         ServerUnderTest server) throws Exception {
        double rate = maxRecords / 2 / 100;
        int connections = intSetting("BENCH_LATENCY_CONNECTIONS", 64);
        double measure = doubleSetting("BENCH_LATENCY_SECONDS", 15);
        Bodies.Set set = bodies.build(Shape.CUSTOMERS, 100, 2048, 0, "customers");
        AtomicReference<String> error = new AtomicReference<>();
        Thread markers = null;
        AtomicBoolean stop = new AtomicBoolean();
        List<Double> fresh = new ArrayList<>();
        if (freshness != null) {
            markers = Thread.ofPlatform().start(() -> fresh.addAll(freshness.run(measure + 2, stop)));
        }
        double start = backlog == null ? 0 : backlog.now();
        double gcFrom = server == null ? 0 : server.uptimeNow() + 2;
        Result r = LoadGenerator.open(rate, connections, 2, measure, meter == null ? new CpuMeter(null) : meter,
                LoadGenerator.http(t, BATCH_PATH, set, error));
        String pending = backlog == null ? "" : "; backlog " + Backlog.describe(backlog.between(start + 2, backlog.now()));
        if (server != null) {
            List<GcEvent> gcs = server.gcEvents().stream().filter(e -> e.uptime() >= gcFrom && e.uptime() <= gcFrom + measure).toList();
            pending += String.format(Locale.ROOT, "; server GC pauses in the window: %d, %.0f ms in all, longest %.1f ms", gcs.size(),
                    gcs.stream().mapToDouble(GcEvent::pauseMs).sum(), gcs.stream().mapToDouble(GcEvent::pauseMs).max().orElse(0));
        }
        stop.set(true);
        if (markers != null) {
            markers.join();
        }
        double achieved = r.opsPerSecond() * 100;
        System.out.println();
        System.out.printf(Locale.ROOT, "latency, open loop: %s requests/s of 100 customers (%s rec/s = half of %s), %d connections, %.0f s:"
                        + " achieved %s rec/s, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, %d failures%s; generator %.2f CPU, server %.2f CPU%s%n",
                fmtD(rate), fmt(rate * 100), fmt(maxRecords), connections, measure, fmt(achieved), r.percentileMs(50), r.percentileMs(99),
                r.percentileMs(99.9), r.percentileMs(100), r.failures(), error.get() == null ? "" : " (" + error.get() + ")",
                r.generatorCpu() / measure, r.serverCpu() / measure, pending);
        report.add(String.format(Locale.ROOT, "accept latency at %s rec/s (half of %s): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (achieved %s rec/s)%s",
                fmt(rate * 100), fmt(maxRecords), r.percentileMs(50), r.percentileMs(99), r.percentileMs(99.9), fmt(achieved), pending));
        verdicts.put("p99 accept latency at half the sustained max, 100-record batches", String.format(Locale.ROOT, "%.1f ms (target <= 20 ms): %s",
                r.percentileMs(99), r.percentileMs(99) <= 20 ? "met" : "NOT met"));
        if (freshness != null) {
            freshness.print("under the latency load", fresh);
        }
    }

    /** 20 MiB batches (orders with line items), the heap the server used, and its RSS. */
    private void heap(ServerUnderTest server, Targets t, Bodies bodies, Freshness freshness) throws Exception {
        BigBatches big = bigBatches(server, serverHeap, t, bodies, freshness, 600);
        double perBatch = (big.peakAfter() - big.idleLive()) / big.mib() / big.concurrency();
        report.add(String.format(Locale.ROOT, "20 MiB batches: peak heap after GC %d MiB (idle %d MiB): (peak - idle) / (%d x %.1f MiB in flight) = %.1fx;"
                        + " peak before GC %d MiB; RSS high-water %s MiB",
                big.peakAfter(), big.idleLive(), big.concurrency(), big.mib(), perBatch, big.peakBefore(), mib(big.rss())));
        verdicts.put("heap per 20 MiB batch", String.format(Locale.ROOT, "%.1fx its size (target <= 5x)%s: %s", perBatch,
                big.oom() ? ", OutOfMemoryError" : "", perBatch <= 5 && !big.oom() && big.accepted() == big.count() ? "met" : "NOT met"));
    }

    /**
     * The heap the server needs for the {@link #heap} phase's batches: fresh servers at each -Xmx of
     * {@code BENCH_HEAP_MIN_STEPS} (largest first) until one does not take every batch (2xx) and load it
     * (the log empty once the freshness marker sent after them is visible) without an OutOfMemoryError.
     * Unlike the heap after GC, which counts whatever garbage G1 has not collected yet in a heap it may
     * fill, this is what the server cannot do with less; steps are as fine as the list.
     */
    private void heapMin() throws Exception {
        List<String> steps = List.of(System.getenv().getOrDefault("BENCH_HEAP_MIN_STEPS", "256m,224m,192m,176m,160m,144m,128m,112m,96m").split(","));
        String smallest = null;
        String failed = null;
        BigBatches passed = null;
        Bodies bodies = new Bodies();
        for (String heap : steps) {
            heap = heap.strip();
            try (ServerUnderTest server = ServerUnderTest.start(work.resolve("heapmin"), heap, serverOptions, serverEnv)) {
                SourceToken source = server.newSource("bench");
                Targets t = Targets.of(server.baseUrl, source.token());
                BigBatches big = bigBatches(server, heap, t, bodies, new Freshness(server, t, source.schema(), bodies), 180);
                long pending;
                try (Backlog backlog = new Backlog(server.dataDir.resolve("catalog.db"), 50)) {
                    pending = backlog.pending();
                }
                boolean ok = big.accepted() == big.count() && !Double.isNaN(big.drained()) && pending == 0 && !big.oom() && server.alive();
                System.out.printf(Locale.ROOT, "heap-min: -Xmx%s %s (%d of %d accepted, %d batches left in the log%s%s)%n", heap,
                        ok ? "runs" : "FAILS", big.accepted(), big.count(), pending, big.oom() ? ", OutOfMemoryError" : "",
                        server.alive() ? "" : ", the server died");
                if (!ok) {
                    failed = heap;
                    break;
                }
                smallest = heap;
                passed = big;
            } catch (IOException | RuntimeException e) {
                System.out.printf(Locale.ROOT, "heap-min: -Xmx%s FAILS (%s)%n", heap, e);
                failed = heap;
                break;
            }
        }
        if (passed == null) {
            report.add("heap needed for 20 MiB batches: the phase fails at every -Xmx of " + steps);
            verdicts.put("heap needed per 20 MiB batch", "NOT met (fails at " + steps.get(0) + ")");
            return;
        }
        long needed = megabytes(smallest);
        double perBatch = (needed - passed.idleLive()) / passed.mib() / passed.concurrency();
        report.add(String.format(Locale.ROOT, "heap needed for 20 MiB batches: runs at -Xmx%s, %s: (%d MiB - idle %d MiB) / (%d x %.1f MiB in flight)"
                        + " = %.1fx", smallest, failed == null ? "smallest step tried" : "not at -Xmx" + failed, needed, passed.idleLive(),
                passed.concurrency(), passed.mib(), perBatch));
        verdicts.put("heap needed per 20 MiB batch", String.format(Locale.ROOT, "at most %.1fx its size (target <= 5x): %s", perBatch,
                perBatch <= 5 ? "met" : "NOT met"));
    }

    private static long megabytes(String heap) {
        String h = heap.toLowerCase(Locale.ROOT);
        if (h.endsWith("g")) {
            return Long.parseLong(h.substring(0, h.length() - 1)) * 1024;
        }
        if (h.endsWith("m")) {
            return Long.parseLong(h.substring(0, h.length() - 1));
        }
        throw new IllegalArgumentException("a heap size in m or g: " + heap);
    }

    /** What one run of the big batches did. */
    private record BigBatches(int count, int concurrency, double mib, int accepted, double drained, long idleLive, long peakAfter,
                              long peakBefore, long rss, boolean oom) {
    }

    /** Sends the 20 MiB batches and waits for them to load; prints what the server's heap did. */
    private BigBatches bigBatches(ServerUnderTest server, String serverHeap, Targets t, Bodies bodies, Freshness freshness, double drainSeconds)
            throws Exception {
        // the largest orders batch of 20,000 records under the 20 MiB body limit
        long limit = 20L * 1024 * 1024;
        int lineItems = 1;
        while (lineItems < 100 && bodies.orders(200, lineItems + 1, "big_orders").length * 100L < limit * 0.97) {
            lineItems++;
        }
        int count = intSetting("BENCH_BIG_BATCHES", 12);
        Bodies.Set set;
        do {
            set = bodies.build(Shape.ORDERS, 20_000, 3, lineItems--, "big_orders");
        } while (set.bodies().stream().anyMatch(b -> b.length > limit));
        lineItems++;
        double mib = set.meanBytes() / (1024 * 1024);
        freshness.drain();
        gcRun(server);
        ServerUnderTest.sleep(500);
        List<GcEvent> before = server.gcEvents();
        long idleLive = before.isEmpty() ? 0 : before.get(before.size() - 1).afterMb();
        double from = server.uptimeNow();
        int concurrency = intSetting("BENCH_BIG_CONCURRENCY", 2);
        AtomicReference<String> error = new AtomicReference<>();
        LoadGenerator.Ops ops = LoadGenerator.http(t, BATCH_PATH, set, error);
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    LoadGenerator.Op op = ops.forWorker(worker);
                    int n;
                    while ((n = next.getAndIncrement()) < count) {
                        if (op.run(n)) {
                            ok.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    error.compareAndSet(null, e.toString());
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        double pushSeconds = (System.nanoTime() - t0) / 1e9;
        double drained = freshness.drain(drainSeconds);
        List<GcEvent> events = server.gcEvents().stream().filter(e -> e.uptime() >= from).toList();
        long peakAfter = events.stream().mapToLong(GcEvent::afterMb).max().orElse(0);
        long peakBefore = events.stream().mapToLong(GcEvent::beforeMb).max().orElse(0);
        long[] rss = server.rss();
        boolean oom = server.logMentions("OutOfMemoryError");
        System.out.println();
        System.out.printf(Locale.ROOT, "heap: %d batches of 20,000 orders with %d line items (%.1f MiB each) at concurrency %d: %d accepted in %.1f s%s,"
                        + " loaded %.1f s later; idle live heap %d MiB; during the phase %d GCs, heap after GC peaked at %d MiB, before GC at %d MiB"
                        + " (-Xmx%s); RSS high-water %s MiB%s%n",
                count, lineItems, mib, concurrency, ok.get(), pushSeconds, error.get() == null ? "" : " (" + error.get() + ")", drained, idleLive,
                events.size(), peakAfter, peakBefore, serverHeap, mib(rss[0]), oom ? "; THE SERVER LOG SHOWS AN OutOfMemoryError" : "");
        return new BigBatches(count, concurrency, mib, ok.get(), drained, idleLive, peakAfter, peakBefore, rss[0], oom);
    }

    private static void gcRun(ServerUnderTest server) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(server.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Freshness: one-record batches to their own table ({@code freshness}), each with a new key; the
     * time from its 2xx until a query on the warehouse sees the row (polled every 10 ms).
     */
    private final class Freshness {
        private final ServerUnderTest server;
        private final Targets targets;
        private final String schema;
        private final Bodies bodies;
        private long nextMarker = 1;

        Freshness(ServerUnderTest server, Targets targets, String schema, Bodies bodies) {
            this.server = server;
            this.targets = targets;
            this.schema = schema;
            this.bodies = bodies;
        }

        private byte[] marker(long id) {
            return ("{\"table_name\":\"freshness\",\"key_names\":[\"id\"],\"schema\":{\"properties\":{\"id\":{\"type\":\"integer\"},"
                    + "\"sent_at\":{\"type\":\"string\"}}},\"messages\":[{\"action\":\"upsert\",\"sequence\":" + id + ",\"data\":{\"id\":" + id
                    + ",\"sent_at\":\"" + Instant.now() + "\"}}]}").getBytes(StandardCharsets.UTF_8);
        }

        /** Sends one marker and waits until it is loaded; returns the seconds that took (the backlog before it is loaded too). */
        double drain() throws Exception {
            return drain(600);
        }

        /** Seconds until a marker sent now is visible, or NaN when it is not within {@code waitSeconds} (or loading is off). */
        double drain(double waitSeconds) throws Exception {
            if (Long.parseLong(serverEnv.getOrDefault("BOBBIN_LOAD_INTERVAL_MS", "1000")) > 60_000) {
                return Double.NaN; // loading is (as good as) off: measuring intake alone
            }
            List<Double> one = send(1, 0, waitSeconds, new AtomicBoolean());
            return one.isEmpty() ? Double.NaN : one.get(0);
        }

        void measure(String label, double forSeconds, AtomicBoolean stop) throws Exception {
            print(label, run(forSeconds, stop == null ? new AtomicBoolean() : stop));
        }

        List<Double> run(double forSeconds, AtomicBoolean stop) {
            try {
                return send(Integer.MAX_VALUE, forSeconds, forSeconds + 60, stop);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Sends markers (4 a second) for {@code forSeconds} or until {@code stop}, then waits for all to be visible. */
        private List<Double> send(int maxMarkers, double forSeconds, double waitSeconds, AtomicBoolean stop) throws Exception {
            Map<Long, Long> acked = new ConcurrentHashMap<>();
            List<Double> fresh = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread poller = Thread.ofPlatform().start(() -> {
                long deadline = Long.MAX_VALUE;
                while (true) {
                    if (!sending.get() && deadline == Long.MAX_VALUE) {
                        deadline = System.nanoTime() + (long) (waitSeconds * 1e9);
                    }
                    if (!sending.get() && acked.isEmpty() || System.nanoTime() > deadline) {
                        return;
                    }
                    if (!acked.isEmpty()) {
                        long min = acked.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
                        try {
                            JsonNode rows = query("SELECT id FROM " + schema + ".freshness WHERE id >= " + min);
                            long now = System.nanoTime();
                            for (JsonNode row : rows) {
                                Long at = acked.remove(row.get(0).asLong());
                                if (at != null) {
                                    fresh.add((now - at) / 1e9);
                                }
                            }
                        } catch (IOException e) {
                            // the table does not exist before the first marker is loaded
                        }
                    }
                    ServerUnderTest.sleep(10);
                }
            });
            long end = System.nanoTime() + (long) (forSeconds * 1e9);
            try (HttpConnection c = new HttpConnection(targets.nodes.get(0))) {
                int sent = 0;
                while (sent < maxMarkers && !stop.get() && (sent == 0 || System.nanoTime() < end)) {
                    long id = nextMarker++;
                    byte[] body = marker(id);
                    int status = c.exchange(targets.head(0, BATCH_PATH, "application/json", body.length), body);
                    long at = System.nanoTime();
                    if (status == 201 || status == 202) {
                        acked.put(id, at);
                    }
                    sent++;
                    if (sent < maxMarkers) {
                        ServerUnderTest.sleep(250);
                    }
                }
            }
            sending.set(false);
            poller.join();
            if (!acked.isEmpty()) {
                System.out.println("freshness: " + acked.size() + " marker(s) not visible after " + waitSeconds + " s");
            }
            return fresh;
        }

        private JsonNode query(String sql) throws IOException {
            return server.sql(sql);
        }

        void print(String label, List<Double> fresh) {
            double[] s = fresh.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (s.length == 0) {
                System.out.println("freshness " + label + ": no samples");
                return;
            }
            double p50 = s[(int) Math.ceil(0.5 * s.length) - 1];
            double p99 = s[(int) Math.ceil(0.99 * s.length) - 1];
            String line = String.format(Locale.ROOT, "freshness %s: %d samples, p50 %.2f s, p99 %.2f s, max %.2f s (poll every 10 ms)", label,
                    s.length, p50, p99, s[s.length - 1]);
            System.out.println(line);
            report.add(line);
            verdicts.merge("freshness p50, default settings", String.format(Locale.ROOT, "%s: %.2f s (target <= 2 s): %s", label, p50,
                    p50 <= 2 ? "met" : "NOT met"), (a, b) -> a + "; " + b);
        }
    }

    // ---------------------------------------------------------------- PostgreSQL end to end

    private void postgres() throws Exception {
        int records = intSetting("BENCH_E2E_RECORDS", 1_000_000);
        int runs = intSetting("BENCH_E2E_RUNS", 2);
        int concurrency = intSetting("BENCH_E2E_CONCURRENCY", 4);
        Customers data = Customers.generate(records);
        List<double[]> keyed = new ArrayList<>();
        List<double[]> keyless = new ArrayList<>();
        try (BenchPostgres pg = BenchPostgres.fromEnvironment();
             ServerUnderTest server = ServerUnderTest.start(work.resolve("postgres"), serverHeap, serverOptions, serverEnv)) {
            var where = pg.where();
            server.usePostgres(where.host(), where.port(), where.database(), where.username(), where.password().isEmpty() ? "bench"
                    : where.password());
            System.out.println();
            System.out.println("end to end into " + pg.describe() + "; server pid " + server.pid() + "; " + fmt(records) + " customers ("
                    + fmt(data.newKeys) + " new keys, then " + fmt(records - data.newKeys) + " later versions) as " + data.all().size()
                    + " batches of 20,000 over " + concurrency + " connections, " + runs + " runs after a warm-up");
            CpuMeter serverMeter = new CpuMeter(server.handle());
            CpuMeter pgMeter = pg.meter();
            Customers warm = Customers.generate(Math.min(records, 100_000));
            endToEnd(server, pg, warm, true, "warm_k", concurrency, serverMeter, pgMeter);
            endToEnd(server, pg, warm, false, "warm_l", concurrency, serverMeter, pgMeter);
            for (int r = 1; r <= runs; r++) {
                boolean bobbinFirst = r % 2 == 1;
                double[] k = new double[3]; // Bobbin, text COPY baseline, binary COPY baseline
                double[] l = new double[3];
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == bobbinFirst) {
                        k[0] = endToEnd(server, pg, data, true, "k" + r, concurrency, serverMeter, pgMeter);
                        l[0] = endToEnd(server, pg, data, false, "l" + r, concurrency, serverMeter, pgMeter);
                    } else {
                        k[1] = baselineKeyed(pg, data, "base_k" + r, Baselines.Format.TEXT);
                        k[2] = baselineKeyed(pg, data, "base_kb" + r, Baselines.Format.BINARY);
                        l[1] = baselineKeyless(pg, data, "base_l" + r, Baselines.Format.TEXT);
                        l[2] = baselineKeyless(pg, data, "base_lb" + r, Baselines.Format.BINARY);
                    }
                }
                System.out.printf(Locale.ROOT, "run %d: keyed Bobbin %.2f s vs COPY+upsert %.2f s (%.2f), binary %.2f s (%.2f);"
                        + " keyless Bobbin %.2f s vs COPY %.2f s (%.2f), binary %.2f s (%.2f); load average %s%n", r, k[0], k[1], k[1] / k[0],
                        k[2], k[2] / k[0], l[0], l[1], l[1] / l[0], l[2], l[2] / l[0], loadAverage());
                keyed.add(k);
                keyless.add(l);
            }
            long[] rss = server.rss();
            report.add(String.format(Locale.ROOT, "PostgreSQL server: peak RSS (VmHWM) %s MiB, -Xmx%s", mib(rss[0]), serverHeap));
            checkServer(server);
        }
        double kb = median(keyed, 0);
        double kbase = median(keyed, 1);
        double lb = median(keyless, 0);
        double lbase = median(keyless, 1);
        double kbin = median(keyed, 2);
        double lbin = median(keyless, 2);
        report.add(String.format(Locale.ROOT, "end to end keyed: Bobbin %s rec/s, hand-written COPY + upsert %s rec/s (binary COPY %s rec/s):"
                + " ratio %.2f (%.2f) (median of %d)", fmt(records / kb), fmt(records / kbase), fmt(records / kbin), kbase / kb, kbin / kb,
                keyed.size()));
        report.add(String.format(Locale.ROOT, "end to end keyless: Bobbin %s rec/s, plain COPY %s rec/s (binary COPY %s rec/s): ratio %.2f (%.2f)"
                + " (median of %d)", fmt(records / lb), fmt(records / lbase), fmt(records / lbin), lbase / lb, lbin / lb, keyless.size()));
        // a target is met only against the faster of the baseline's two formats
        double keyedRatio = Math.min(kbase, kbin) / kb;
        double keylessRatio = Math.min(lbase, lbin) / lb;
        verdicts.put("end to end keyed vs COPY + upsert (the faster of text and binary)", String.format(Locale.ROOT,
                "%.2f (target >= 0.80): %s", keyedRatio, keyedRatio >= 0.8 ? "met" : "NOT met"));
        verdicts.put("end to end keyless vs plain COPY (the faster of text and binary)", String.format(Locale.ROOT,
                "%.2f (target >= 0.50): %s", keylessRatio, keylessRatio >= 0.5 ? "met" : "NOT met"));
        double slowest = Math.min(records / kb, records / lb);
        verdicts.put("end to end vs 5 x 31k rec/s (Singer target)", String.format(Locale.ROOT, "keyed %s, keyless %s rec/s (target >= 155,000): %s",
                fmt(records / kb), fmt(records / lb), slowest >= 155_000 ? "met" : "NOT met"));
    }

    /** Pushes all batches over HTTP and waits until PostgreSQL holds every row; returns the seconds from the first send. */
    private double endToEnd(ServerUnderTest server, BenchPostgres pg, Customers data, boolean keyedTable, String tag, int concurrency,
                            CpuMeter serverMeter, CpuMeter pgMeter) throws Exception {
        SourceToken source = server.newSource("bench " + tag);
        Targets t = Targets.of(server.baseUrl, source.token());
        List<byte[]> payloads = data.all().stream().map(b -> keyedTable ? b.keyedPayload() : b.keylessPayload()).toList();
        Bodies.Set set = new Bodies.Set(Shape.CUSTOMERS, Customers.BATCH_SIZE, payloads);
        AtomicReference<String> error = new AtomicReference<>();
        LoadGenerator.Ops ops = LoadGenerator.http(t, BATCH_PATH, set, error);
        System.gc();
        pg.checkpoint();
        CpuMeter.Sample s0 = serverMeter.sample();
        CpuMeter.Sample p0 = pgMeter.sample();
        long t0 = System.nanoTime();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    LoadGenerator.Op op = ops.forWorker(worker);
                    int n;
                    while ((n = next.getAndIncrement()) < payloads.size()) {
                        while (!op.run(n)) {
                            ServerUnderTest.sleep(50);
                        }
                    }
                } catch (Exception e) {
                    error.compareAndSet(null, e.toString());
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        double accepted = (System.nanoTime() - t0) / 1e9;
        long updated = data.records - data.newKeys;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (true) {
                long[] counts = counts(st, source.schema(), keyedTable ? Customers.BASE_SEQUENCE + data.records : Long.MAX_VALUE);
                boolean done = keyedTable ? counts[0] == data.newKeys && counts[1] == updated : counts[0] == data.records;
                if (done) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("rows did not arrive in PostgreSQL: " + Arrays.toString(counts));
                }
                Thread.sleep(20);
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        CpuMeter.Measure sm = s0.to(serverMeter.sample());
        CpuMeter.Measure pm = p0.to(pgMeter.sample());
        System.out.printf(Locale.ROOT, "  Bobbin %-7s %-8s %s records: all accepted after %.2f s, all committed after %.2f s = %s rec/s; server CPU %.2f s,"
                        + " PostgreSQL CPU %.2f s, this JVM %.2f s%s%n", keyedTable ? "keyed" : "keyless", tag, fmt(data.records), accepted, total,
                fmt(data.records / total), sm.serverCpu(), pm.serverCpu(), sm.jvmCpu(), error.get() == null ? "" : " (" + error.get() + ")");
        pg.execute("DROP SCHEMA IF EXISTS " + source.schema() + " CASCADE");
        return total;
    }

    private static long[] counts(Statement st, String schema, long laterFrom) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE _sdc_sequence >= " + laterFrom + ") FROM " + schema
                + ".customers")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        } catch (SQLException notYet) {
            return new long[] {-1, -1}; // the table does not exist yet
        }
    }

    private double baselineKeyed(BenchPostgres pg, Customers data, String schema, Baselines.Format format) throws SQLException {
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            Baselines.createKeyed(c, schema);
            List<Instant> received = new ArrayList<>();
            data.all().forEach(b -> received.add(Instant.now()));
            System.gc();
            pg.checkpoint();
            long t0 = System.nanoTime();
            Baselines.upsert(c, schema, data.inserts, received, format);
            Baselines.upsert(c, schema, data.updates, received.subList(data.inserts.size(), received.size()), format);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  baseline %s COPY→staging + INSERT…ON CONFLICT (two loads): %.2f s = %s rec/s%n",
                    format.name().toLowerCase(Locale.ROOT), s, fmt(data.records / s));
            pg.execute("DROP SCHEMA " + schema + " CASCADE");
            return s;
        }
    }

    private double baselineKeyless(BenchPostgres pg, Customers data, String schema, Baselines.Format format) throws SQLException {
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            Baselines.createKeyless(c, schema);
            List<Instant> received = new ArrayList<>();
            data.all().forEach(b -> received.add(Instant.now()));
            String[] keys = Baselines.generatedKeys(data.records);
            System.gc();
            pg.checkpoint();
            long t0 = System.nanoTime();
            Baselines.plainCopy(c, schema, data.all(), received, keys, format);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  baseline plain %s COPY: %.2f s = %s rec/s%n", format.name().toLowerCase(Locale.ROOT), s,
                    fmt(data.records / s));
            pg.execute("DROP SCHEMA " + schema + " CASCADE");
            return s;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void checkServer(ServerUnderTest server) {
        if (!server.alive()) {
            System.out.println("THE SERVER DIED; see " + server.serverLog);
        }
        if (server.logMentions("OutOfMemoryError")) {
            System.out.println("THE SERVER LOG SHOWS AN OutOfMemoryError; see " + server.serverLog);
        }
    }

    private void printReport() {
        System.out.println();
        System.out.println("summary:");
        report.forEach(line -> System.out.println("  " + line));
        System.out.println("targets:");
        verdicts.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    }

    private static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machine() {
        long memKb = 0;
        String cpu = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + Math.round(memKb / 1048576.0) + " GB RAM, Java "
                + System.getProperty("java.runtime.version") + ", load average " + loadAverage();
    }

    private static Map<String, String> bobbinSettings() {
        Map<String, String> out = new java.util.TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("BOBBIN_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static List<String> options(String s) {
        return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
    }

    private static String mib(long bytes) {
        return Long.toString(Math.round(bytes / 1048576.0));
    }

    private static String fmt(double n) {
        return String.format(Locale.ROOT, "%,d", Math.round(n));
    }

    private static String fmtD(double n) {
        return String.format(Locale.ROOT, "%.1f", n);
    }

    private static int[] ints(String name, String fallback) {
        String v = System.getenv().getOrDefault(name, fallback);
        return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(s -> Integer.parseInt(s.replace("_", ""))).toArray();
    }

    private static int intSetting(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.replace("_", "").replace(",", ""));
    }

    private static double doubleSetting(String name, double fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Double.parseDouble(value);
    }
}
