package dev.bobbin.bench;

import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import dev.bobbin.log.SqliteBatchLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The SQLite batch log alone, in this JVM, no HTTP: appends of {@code LOG_BYTES} (23,000, a
 * 100-record customers body) at {@code LOG_RATE} per second (open loop, latency from the intended
 * time) from {@code LOG_THREADS} virtual threads for {@code LOG_SECONDS}, while a loader-like thread
 * reads pending batches and acknowledges them every {@code LOG_LOAD_MS}. Isolates the log's share of
 * accept latency (group commits, checkpoints, the acknowledgements' write lock) from GC and HTTP.
 * Run with {@code bench/run log-latency} (settings LOG_RATE, LOG_BYTES, LOG_SECONDS, LOG_LOAD_MS).
 */
public final class LogLatency {
    public static void main(String[] args) throws Exception {
        double rate = Double.parseDouble(System.getenv().getOrDefault("LOG_RATE", "200"));
        int bytes = Integer.parseInt(System.getenv().getOrDefault("LOG_BYTES", "23000"));
        double seconds = Double.parseDouble(System.getenv().getOrDefault("LOG_SECONDS", "15"));
        long loadMs = Long.parseLong(System.getenv().getOrDefault("LOG_LOAD_MS", "50"));
        Path dir = Files.createTempDirectory("loglat");
        byte[] payload = new byte[bytes];
        new Random(1).nextBytes(payload);
        SqliteBatchLog log = SqliteBatchLog.open(dir.resolve("catalog.db"), Clock.systemUTC(), 1L << 40, Duration.ofDays(1));
        AtomicBoolean stop = new AtomicBoolean();
        Thread loader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                List<LoggedBatch> p = log.pending(2000);
                p.forEach(log::payload); // as the loader reads them, one by one
                if (!p.isEmpty()) {
                    log.acknowledge(p);
                }
                LockSupport.parkNanos(loadMs * 1_000_000L);
            }
        });
        long period = (long) (1e9 / rate);
        long total = (long) (seconds * rate);
        long warm = (long) rate; // the first second is not counted
        long[] lat = new long[(int) total];
        AtomicLong slots = new AtomicLong();
        long start = System.nanoTime() + 20_000_000L;
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 64; w++) {
                executor.submit(() -> {
                    long s;
                    while ((s = slots.getAndIncrement()) < total) {
                        long intended = start + s * period;
                        long wait = intended - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        log.append(List.of(new NewBatch(1, 1, "customers", PayloadFormat.BATCH_JSON, Instant.now(), payload)));
                        lat[(int) s] = System.nanoTime() - intended;
                    }
                    return null;
                });
            }
        }
        stop.set(true);
        loader.join();
        log.close();
        long[] m = Arrays.copyOfRange(lat, (int) warm, (int) total);
        Arrays.sort(m);
        System.out.printf(Locale.ROOT, "log alone: %d appends of %d B at %.0f/s, loader every %d ms: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n",
                m.length, bytes, rate, loadMs, m[m.length / 2] / 1e6, m[(int) (m.length * 0.99)] / 1e6, m[(int) (m.length * 0.999)] / 1e6,
                m[m.length - 1] / 1e6);
        BobbinPath.deleteRecursively(dir);
    }
}
