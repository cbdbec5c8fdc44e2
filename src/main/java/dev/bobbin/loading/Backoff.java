package dev.bobbin.loading;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exponential backoff per destination while it is unreachable: after each failure the next attempt
 * waits twice as long, from the load interval up to {@link #MAX_DELAY}; a success resets it.
 */
final class Backoff {
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private record State(int failures, long nextAttemptMillis) {
    }

    private final Clock clock;
    private final Duration base;
    private final Map<Long, State> states = new ConcurrentHashMap<>();

    Backoff(Clock clock, Duration base) {
        this.clock = clock;
        this.base = base;
    }

    boolean ready(long destinationId) {
        State s = states.get(destinationId);
        return s == null || clock.millis() >= s.nextAttemptMillis();
    }

    void failed(long destinationId) {
        State previous = states.get(destinationId);
        int failures = previous == null ? 1 : previous.failures() + 1;
        long delay = Math.min(MAX_DELAY.toMillis(), base.toMillis() << Math.min(failures - 1, 20));
        states.put(destinationId, new State(failures, clock.millis() + delay));
    }

    void succeeded(long destinationId) {
        states.remove(destinationId);
    }
}
