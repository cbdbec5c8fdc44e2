package dev.bobbin.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a bounded deadline passes (no fixed sleeps in tests). */
public final class Deadline {
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private Deadline() {
    }

    public static void await(String what, BooleanSupplier condition) {
        await(what, DEFAULT, condition);
    }

    public static void await(String what, Duration limit, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
    }
}
