package dev.bobbin.durability;

import dev.bobbin.durability.Workload.Outcome;
import dev.bobbin.durability.Workload.Request;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Client threads that push a {@link Workload} at whatever server {@code baseUrl} names at the moment
 * (null while none runs), one request at a time each, as real clients do: a request that got no
 * answer is retried later with the same body (same sequences and ids) with probability
 * {@code retryShare}, else abandoned; one that was refused (503) or never reached a server
 * (connection refused) is retried until it is answered.
 */
final class Clients implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Workload workload;
    private final Supplier<String> baseUrl;
    private final double retryShare;
    private final long seed;
    private final List<Thread> threads = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final Map<Outcome, AtomicLong> attempts = new ConcurrentHashMap<>();
    private volatile boolean noNewRequests;
    private volatile boolean stopped;

    Clients(Workload workload, Supplier<String> baseUrl, double retryShare, long seed) {
        this.workload = workload;
        this.baseUrl = baseUrl;
        this.retryShare = retryShare;
        this.seed = seed;
        for (Outcome o : Outcome.values()) {
            attempts.put(o, new AtomicLong());
        }
    }

    void start(int count) {
        for (int i = 0; i < count; i++) {
            Random random = new Random(seed * 31 + i);
            Thread t = Thread.ofPlatform().name("client-" + i).daemon(true).start(() -> run(random));
            threads.add(t);
        }
    }

    /**
     * Stops sending new requests, sends every request still waiting for a retry until it is
     * answered, and returns once all client threads are done.
     */
    void finish(Duration limit) throws InterruptedException {
        noNewRequests = true;
        long end = System.nanoTime() + limit.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                throw new AssertionError("client " + t.getName() + " still has requests in flight after " + limit.toSeconds() + " s");
            }
        }
    }

    /** Attempts so far by outcome. */
    Map<Outcome, Long> attempts() {
        Map<Outcome, Long> out = new java.util.EnumMap<>(Outcome.class);
        attempts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private record Retry(Request request, long notBeforeNanos) {
    }

    private void run(Random random) {
        Deque<Retry> retries = new ArrayDeque<>();
        while (!stopped) {
            Request request;
            Retry due = retries.peekFirst();
            if (due != null && (System.nanoTime() >= due.notBeforeNanos() || noNewRequests)) {
                request = retries.pollFirst().request();
            } else if (!noNewRequests) {
                request = workload.next(random);
            } else if (retries.isEmpty()) {
                return;
            } else {
                pause(20);
                continue;
            }
            Outcome outcome = send(request);
            request.outcomes.add(outcome);
            attempts.get(outcome).incrementAndGet();
            switch (outcome) {
                case ACCEPTED -> { }
                case REFUSED, NOT_SENT -> {
                    retries.addLast(new Retry(request, System.nanoTime() + 50_000_000L));
                    pause(outcome == Outcome.NOT_SENT ? 30 : 5);
                }
                case NO_ANSWER -> {
                    if (request.unexpected.isEmpty() && random.nextDouble() < retryShare) {
                        retries.addLast(new Retry(request, System.nanoTime() + 100_000_000L));
                    }
                }
            }
        }
    }

    private Outcome send(Request request) {
        String base = baseUrl.get();
        if (base == null) {
            return Outcome.NOT_SENT;
        }
        HttpRequest http = HttpRequest.newBuilder(URI.create(base + request.path))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + request.source.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.body))
                .build();
        try {
            HttpResponse<String> response = this.http.send(http, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 201 || status == 202) {
                return Outcome.ACCEPTED;
            }
            if (status == 503) {
                return Outcome.REFUSED;
            }
            // the test fails on it (Workload.verify); counted as possibly stored so that nothing else is blamed
            request.unexpected.add(status + " " + response.body());
            return Outcome.NO_ANSWER;
        } catch (ConnectException e) {
            return Outcome.NOT_SENT;
        } catch (IOException e) {
            return e.getCause() instanceof ConnectException ? Outcome.NOT_SENT : Outcome.NO_ANSWER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return Outcome.NO_ANSWER;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        http.close();
    }
}
