package dev.bobbin.imports;

import dev.bobbin.config.ImportLimits;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The heap that Import API requests may hold at once while their bodies are read, validated and
 * appended. Each request reserves an estimate of what it will hold before it reads its body and
 * gives it back when it is answered; a request that does not fit waits (first come, first served)
 * and is answered 503 with {@code Retry-After} if it still does not fit after {@code maxWait}.
 * Without it, 64 clients sending 9 MiB bodies at once need more than a 512 MiB heap and the server
 * runs out of it mid-request.
 *
 * <p>The estimate is {@code factor} × the bytes the request will hold: the declared length, or the
 * most a body may be when the length is not declared, plus the most a gzip body may inflate to.
 * A request whose estimate is larger than the whole budget reserves the whole budget (it runs alone).
 */
final class IntakeMemory {
    /** Measured for {@code /batch}: the body plus the streaming validation's transient objects (BENCHMARKS.md: 1.9×). */
    static final int BATCH_FACTOR = 2;
    /** {@code /push} reads the whole body as a tree, several times its size. */
    static final int PUSH_FACTOR = 6;
    /** Permits are KiB, so that a budget of gigabytes fits an int. */
    private static final int UNIT = 1024;

    private final Semaphore kib;
    private final int totalKib;
    private final Duration maxWait;

    IntakeMemory(long budgetBytes, Duration maxWait) {
        if (budgetBytes < UNIT) {
            throw new IllegalArgumentException("an intake memory budget must be at least 1 KiB, got " + budgetBytes);
        }
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, budgetBytes / UNIT);
        this.kib = new Semaphore(totalKib, true);
        this.maxWait = maxWait;
    }

    /** A quarter of the heap this JVM may use: the loader and everything else keep the rest. */
    static IntakeMemory forThisHeap() {
        return new IntakeMemory(Runtime.getRuntime().maxMemory() / 4, Duration.ofSeconds(30));
    }

    /** The bytes a request with this declared length ({@code -1}: none) and encoding may hold, times {@code factor}. */
    static long estimate(long contentLength, String contentEncoding, ImportLimits limits, int factor) {
        long wire = contentLength >= 0 ? Math.min(contentLength, limits.maxBodyBytes()) : limits.maxBodyBytes();
        boolean identity = contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity");
        long held = identity ? wire : wire + limits.maxInflatedBytes();
        return Math.multiplyExact(held, factor);
    }

    /** A reservation, given back by {@link #close}. */
    final class Reservation implements AutoCloseable {
        private final int permits;
        private boolean released;

        private Reservation(int permits) {
            this.permits = permits;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                kib.release(permits);
            }
        }
    }

    /**
     * Reserves {@code bytes} (at most the whole budget), waiting up to the configured time.
     *
     * @throws dev.bobbin.http.ApiError the documented 503 (with {@code Retry-After}) when they are not free in time
     */
    Reservation reserve(long bytes) {
        int permits = (int) Math.max(1, Math.min(totalKib, (bytes + UNIT - 1) / UNIT));
        try {
            if (!kib.tryAcquire(permits, maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw ImportErrors.notAcceptedNow("the server is holding as many request bodies as its memory allows");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ImportErrors.notAcceptedNow("the server is shutting down");
        }
        return new Reservation(permits);
    }

    /** Bytes not reserved now (for tests and diagnostics). */
    long availableBytes() {
        return (long) kib.availablePermits() * UNIT;
    }
}
