package dev.bobbin.bench;

import dev.bobbin.bench.CpuMeter.Measure;
import dev.bobbin.bench.CpuMeter.Sample;
import dev.bobbin.bench.Customers.Batch;
import dev.bobbin.imports.BenchBatchCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench/run pg-load}: how fast Bobbin loads customers-shaped records from its batch log into
 * PostgreSQL, next to raw baselines on the same rows, in the same run (see BENCHMARKS.md).
 *
 * <p>Keyed: the first 80% of the records (new keys) are appended as batches of 20,000 and loaded,
 * then the remaining 20% (later versions of loaded keys) are appended and loaded; baseline (b) does
 * the same two loads as a hand-written COPY into a staging table plus one upsert each. Keyless: all
 * records appended, then loaded into a table without key; baseline (a) is one plain COPY of them.
 * The runs alternate which side goes first; a warm-up run with fewer records comes before them.
 */
public final class PgLoadBench {
    private static final String B_TOTAL = "(b) hand-written COPY→staging + INSERT…ON CONFLICT";
    private static final String B_INSERT = "      new keys";
    private static final String B_UPDATE = "      later versions of loaded keys";
    private static final String BK_LOAD = "Bobbin keyed load (log → PostgreSQL, committed)";
    private static final String BK_INSERT = "      new keys ";
    private static final String BK_UPDATE = "      later versions of loaded keys ";
    private static final String BK_APPEND = "Bobbin keyed append (SQLite log, fsync per batch)";
    private static final String B_TOTAL_BINARY = "(b') the same with binary COPY";
    private static final String A_COPY = "(a) plain COPY into an empty table";
    private static final String A_COPY_BINARY = "(a') the same with binary COPY";
    private static final String BL_LOAD = "Bobbin keyless load (log → PostgreSQL, committed)";
    private static final String BL_APPEND = "Bobbin keyless append (SQLite log, fsync per batch)";

    private final BenchPostgres pg;
    private final CpuMeter meter;
    private final Set<String> only;
    private final Path dataDir = Path.of("target", "bench-data");

    private PgLoadBench(BenchPostgres pg, Set<String> only) throws SQLException {
        this.pg = pg;
        this.meter = pg.meter();
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        int records = intSetting("BENCH_RECORDS", 1_000_000);
        int runs = intSetting("BENCH_RUNS", 3);
        int warmupRecords = intSetting("BENCH_WARMUP_RECORDS", Math.min(records, 100_000));
        String onlySetting = System.getenv().getOrDefault("BENCH_ONLY", "");
        Set<String> only = onlySetting.isBlank() ? Set.of() : Set.of(onlySetting.split(","));
        long start = System.nanoTime();
        try (BenchPostgres pg = BenchPostgres.fromEnvironment()) {
            PgLoadBench bench = new PgLoadBench(pg, only);
            System.out.println("bench pg-load: " + fmt(records) + " records (" + fmt(records - records / 5) + " new keys, "
                    + fmt(records / 5) + " later versions), batches of " + fmt(Customers.BATCH_SIZE) + ", " + runs + " runs after a "
                    + fmt(warmupRecords) + "-record warm-up" + (only.isEmpty() ? "" : ", only " + only));
            System.out.println("machine: " + machine());
            System.out.println("server: " + pg.describe());
            if (warmupRecords > 0) {
                Customers warm = Customers.generate(warmupRecords);
                bench.run("warm-up", warm, true, true, new Results());
            }
            Customers data = Customers.generate(records);
            for (Batch b : List.of(data.inserts.get(0), data.all().get(data.all().size() - 1))) {
                BenchBatchCheck.requireAccepted(b.keyedPayload(), List.of("id"));
                BenchBatchCheck.requireAccepted(b.keylessPayload(), List.of());
            }
            System.out.printf(Locale.ROOT, "data: %d batches, %.1f MB of batch JSON (the Import API's validation accepts them)%n",
                    data.all().size(), data.payloadBytes() / 1e6);
            Results results = new Results();
            for (int r = 1; r <= runs; r++) {
                bench.run("run " + r, data, r % 2 == 1, r == 1, results);
            }
            results.print(data);
        } finally {
            BobbinPath.deleteRecursively(Path.of("target", "bench-data"));
        }
        System.out.printf(Locale.ROOT, "total time %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    private boolean wanted(String scenario) {
        return only.isEmpty() || only.contains(scenario) || only.stream().anyMatch(scenario::startsWith)
                || only.stream().anyMatch(scenario::endsWith);
    }

    /** One run of every scenario; {@code bobbinFirst} alternates the order between runs. */
    private void run(String label, Customers data, boolean bobbinFirst, boolean verify, Results results) throws Exception {
        String tag = label.replaceAll("[^a-z0-9]", "");
        Map<String, Measure> seconds = new LinkedHashMap<>();
        List<Runnable> keyed = new ArrayList<>();
        keyed.add(() -> bobbinKeyed(data, "bobbin_keyed_" + tag, seconds));
        keyed.add(() -> baselineKeyed(data, "base_keyed_" + tag, seconds, Baselines.Format.TEXT));
        keyed.add(() -> baselineKeyed(data, "base_keyed_bin_" + tag, seconds, Baselines.Format.BINARY));
        List<Runnable> keyless = new ArrayList<>();
        keyless.add(() -> bobbinKeyless(data, "bobbin_keyless_" + tag, seconds));
        keyless.add(() -> baselineKeyless(data, "base_keyless_" + tag, seconds, Baselines.Format.TEXT));
        keyless.add(() -> baselineKeyless(data, "base_keyless_bin_" + tag, seconds, Baselines.Format.BINARY));
        if (!bobbinFirst) {
            keyed.add(keyed.remove(0));
            keyless.add(keyless.remove(0));
        }
        keyed.forEach(Runnable::run);
        if (verify && wanted("bobbin-keyed") && wanted("baseline-keyed")) {
            verifyKeyed("bobbin_keyed_" + tag, "base_keyed_" + tag, data);
            verifyKeyed("bobbin_keyed_" + tag, "base_keyed_bin_" + tag, data);
        }
        drop("bobbin_keyed_" + tag, "base_keyed_" + tag, "base_keyed_bin_" + tag);
        keyless.forEach(Runnable::run);
        if (verify && wanted("bobbin-keyless") && wanted("baseline-keyless")) {
            verifyKeyless("bobbin_keyless_" + tag, "base_keyless_" + tag, data);
            verifyKeyless("bobbin_keyless_" + tag, "base_keyless_bin_" + tag, data);
        }
        drop("bobbin_keyless_" + tag, "base_keyless_" + tag, "base_keyless_bin_" + tag);
        StringBuilder line = new StringBuilder(label).append(':');
        seconds.forEach((phase, m) -> line.append(String.format(Locale.ROOT, " %s %.2fs;", phase.strip(), m.wall())));
        System.out.println(line.append(" load average ").append(loadAverage()));
        if (!label.equals("warm-up")) {
            seconds.forEach(results::add);
        }
    }

    private void bobbinKeyed(Customers data, String schema, Map<String, Measure> seconds) {
        if (!wanted("bobbin-keyed")) {
            return;
        }
        try (BobbinPath bobbin = BobbinPath.open(dataDir.resolve(schema), pg.where(), schema, List.of("id"))) {
            quiesce();
            Sample t0 = meter.sample();
            bobbin.append(data.inserts.stream().map(Batch::keyedPayload).toList());
            Sample t1 = meter.sample();
            bobbin.load(data.inserts.size());
            Sample t2 = meter.sample();
            quiesce();
            Sample t3 = meter.sample();
            bobbin.append(data.updates.stream().map(Batch::keyedPayload).toList());
            Sample t4 = meter.sample();
            bobbin.load(data.updates.size());
            Sample t5 = meter.sample();
            seconds.put(BK_APPEND, t0.to(t1).plus(t3.to(t4)));
            seconds.put(BK_LOAD, t1.to(t2).plus(t4.to(t5)));
            seconds.put(BK_INSERT, t1.to(t2));
            seconds.put(BK_UPDATE, t4.to(t5));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void baselineKeyed(Customers data, String schema, Map<String, Measure> seconds, Baselines.Format format) {
        if (!wanted("baseline-keyed")) {
            return;
        }
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            Baselines.createKeyed(c, schema);
            List<Instant> received = receivedTimes(data.all().size());
            quiesce();
            Sample t0 = meter.sample();
            Baselines.upsert(c, schema, data.inserts, received, format);
            Sample t1 = meter.sample();
            quiesce();
            Sample t2 = meter.sample();
            Baselines.upsert(c, schema, data.updates, received.subList(data.inserts.size(), received.size()), format);
            Sample t3 = meter.sample();
            if (format == Baselines.Format.BINARY) {
                seconds.put(B_TOTAL_BINARY, t0.to(t1).plus(t2.to(t3)));
                return;
            }
            seconds.put(B_TOTAL, t0.to(t1).plus(t2.to(t3)));
            seconds.put(B_INSERT, t0.to(t1));
            seconds.put(B_UPDATE, t2.to(t3));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void bobbinKeyless(Customers data, String schema, Map<String, Measure> seconds) {
        if (!wanted("bobbin-keyless")) {
            return;
        }
        try (BobbinPath bobbin = BobbinPath.open(dataDir.resolve(schema), pg.where(), schema, List.of())) {
            quiesce();
            Sample t0 = meter.sample();
            bobbin.append(data.all().stream().map(Batch::keylessPayload).toList());
            Sample t1 = meter.sample();
            bobbin.load(data.all().size());
            Sample t2 = meter.sample();
            seconds.put(BL_APPEND, t0.to(t1));
            seconds.put(BL_LOAD, t1.to(t2));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void baselineKeyless(Customers data, String schema, Map<String, Measure> seconds, Baselines.Format format) {
        if (!wanted("baseline-keyless")) {
            return;
        }
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            Baselines.createKeyless(c, schema);
            List<Instant> received = receivedTimes(data.all().size());
            String[] keys = Baselines.generatedKeys(data.records);
            quiesce();
            Sample t0 = meter.sample();
            Baselines.plainCopy(c, schema, data.all(), received, keys, format);
            Sample t1 = meter.sample();
            seconds.put(format == Baselines.Format.BINARY ? A_COPY_BINARY : A_COPY, t0.to(t1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Instant> receivedTimes(int batches) {
        List<Instant> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            out.add(Instant.now());
        }
        return out;
    }

    /** Before a measured phase: garbage of the previous phase collected, the server's dirty pages written. */
    private void quiesce() {
        System.gc();
        pg.checkpoint();
    }

    /** Bobbin's keyed table and the baseline's have the same columns and, apart from load times, the same rows. */
    private void verifyKeyed(String bobbin, String baseline, Customers data) {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            sameShape(st, bobbin, baseline);
            String values = "%1$s.name, %1$s.age, %1$s.has_magic, %1$s.modified_at, %1$s.email, %1$s.city, %1$s.score,"
                    + " %1$s._sdc_sequence, %1$s._sdc_table_version";
            long differing = single(st, "SELECT count(*) FROM " + bobbin + ".customers b FULL JOIN " + baseline
                    + ".customers a USING (id) WHERE a.id IS NULL OR b.id IS NULL OR (" + values.formatted("a") + ") IS DISTINCT FROM ("
                    + values.formatted("b") + ")");
            long rows = single(st, "SELECT count(*) FROM " + bobbin + ".customers");
            long updated = single(st, "SELECT count(*) FROM " + bobbin + ".customers WHERE _sdc_sequence >= "
                    + (Customers.BASE_SEQUENCE + data.records));
            check(differing == 0 && rows == data.newKeys && updated == data.records - data.newKeys,
                    "keyed tables differ: " + differing + " differing rows, " + rows + " rows, " + updated + " updated");
            System.out.println("  verified: Bobbin's keyed table = the baseline's (" + fmt(rows) + " rows, " + fmt(updated) + " updated)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void verifyKeyless(String bobbin, String baseline, Customers data) {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            sameShape(st, bobbin, baseline);
            String values = "id, name, age, has_magic, modified_at, email, city, score, _sdc_sequence, _sdc_table_version";
            long missing = single(st, "SELECT count(*) FROM (SELECT " + values + " FROM " + baseline + ".customers EXCEPT ALL SELECT "
                    + values + " FROM " + bobbin + ".customers) d");
            long rows = single(st, "SELECT count(*) FROM " + bobbin + ".customers");
            long keys = single(st, "SELECT count(DISTINCT __sdc_primary_key) FROM " + bobbin + ".customers");
            check(missing == 0 && rows == data.records && keys == data.records,
                    "keyless tables differ: " + missing + " baseline rows missing, " + rows + " rows, " + keys + " distinct keys");
            System.out.println("  verified: Bobbin's keyless table = the baseline's (" + fmt(rows) + " rows)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sameShape(Statement st, String bobbin, String baseline) throws SQLException {
        String columns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY ordinal_position)"
                + " FROM information_schema.columns WHERE table_schema = '%s' AND table_name = 'customers'";
        String a = text(st, columns.formatted(bobbin));
        String b = text(st, columns.formatted(baseline));
        check(a != null && a.equals(b), "the baseline's table is not shaped like Bobbin's:\n  Bobbin:   " + a + "\n  baseline: " + b);
    }

    private void drop(String... schemas) {
        for (String schema : schemas) {
            try {
                pg.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    /** Best and median seconds of each phase over the runs, and the ratios against the baselines. */
    private static final class Results {
        private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
        private final Map<String, List<Measure>> measures = new LinkedHashMap<>();

        void add(String phase, Measure m) {
            seconds.computeIfAbsent(phase, k -> new ArrayList<>()).add(m.wall());
            measures.computeIfAbsent(phase, k -> new ArrayList<>()).add(m);
        }

        void print(Customers data) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-52s %10s %8s %8s %11s %11s %7s %7s %7s %5s%n", "phase", "records", "best s", "median s",
                    "best rec/s", "median r/s", "ratio b", "ratio m", "target", "met?");
            row(B_TOTAL, data.records, null, 0);
            row(B_INSERT, data.newKeys, null, 0);
            row(B_UPDATE, data.records - data.newKeys, null, 0);
            row(B_TOTAL_BINARY, data.records, null, 0);
            row(BK_LOAD, data.records, B_TOTAL, 0.80);
            row("      the same, against (b')", BK_LOAD, data.records, B_TOTAL_BINARY, 0.80);
            row(BK_INSERT, data.newKeys, B_INSERT, 0);
            row(BK_UPDATE, data.records - data.newKeys, B_UPDATE, 0);
            row(BK_APPEND, data.records, null, 0);
            row(A_COPY, data.records, null, 0);
            row(A_COPY_BINARY, data.records, null, 0);
            row(BL_LOAD, data.records, A_COPY, 0.50);
            row("      the same, against (a')", BL_LOAD, data.records, A_COPY_BINARY, 0.50);
            row(BL_APPEND, data.records, null, 0);
            System.out.println("ratio = baseline seconds / Bobbin seconds on the same records (1.0 = as fast as the baseline);"
                    + " b = best run of each, m = medians; 'met?' judges the median; a target is met only if it is met against"
                    + " both formats of its baseline (text, as one writes it by hand, and binary, as Bobbin sends it).");
            System.out.println();
            System.out.println("Where the time went, in the run with the median wall time of each phase (CPU seconds of this JVM,"
                    + " all threads, and of the PostgreSQL server, all processes; 2 cores = 2 CPU seconds per second):");
            System.out.printf(Locale.ROOT, "%-52s %8s %9s %9s%n", "phase", "wall s", "JVM CPU s", "PG CPU s");
            measures.forEach((phase, list) -> {
                List<Measure> sorted = list.stream().sorted(java.util.Comparator.comparingDouble(Measure::wall)).toList();
                Measure m = sorted.get((sorted.size() - 1) / 2);
                System.out.printf(Locale.ROOT, "%-52s %8.2f %9.2f %9.2f%n", phase, m.wall(), m.jvmCpu(), m.serverCpu());
            });
        }

        private void row(String phase, int records, String baseline, double target) {
            row(phase, phase, records, baseline, target);
        }

        private void row(String label, String phase, int records, String baseline, double target) {
            List<Double> mine = seconds.get(phase);
            if (mine == null) {
                return;
            }
            double best = best(mine);
            double median = median(mine);
            String ratioBest = "";
            String ratioMedian = "";
            String targetText = "";
            String met = "";
            List<Double> theirs = baseline == null ? null : seconds.get(baseline);
            if (theirs != null) {
                ratioBest = String.format(Locale.ROOT, "%.2f", best(theirs) / best);
                double r = median(theirs) / median;
                ratioMedian = String.format(Locale.ROOT, "%.2f", r);
                if (target > 0) {
                    targetText = String.format(Locale.ROOT, "≥ %.2f", target);
                    met = r >= target ? "yes" : "NO";
                }
            }
            System.out.printf(Locale.ROOT, "%-52s %10s %8.2f %8.2f %11s %11s %7s %7s %7s %5s%n", label, fmt(records), best, median,
                    fmt(Math.round(records / best)), fmt(Math.round(records / median)), ratioBest, ratioMedian, targetText, met);
        }

        private static double best(List<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        private static double median(List<Double> values) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /** The 1-minute load average: more than the 2 cores means other programs competed for them. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machine() {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux; leave it out
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs, " + (memKb > 0 ? Math.round(memKb / 1048576.0) + " GB RAM, " : "")
                + "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + "), max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB";
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static int intSetting(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.replace("_", "").replace(",", ""));
    }
}
