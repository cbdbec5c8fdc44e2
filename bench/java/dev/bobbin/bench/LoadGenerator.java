package dev.bobbin.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives work from many threads, in two ways:
 *
 * <ul>
 *   <li>closed loop ({@link #closed}): {@code concurrency} workers, each sending its next request as
 *       soon as the last one is answered: the most the server (or a baseline) accepts;</li>
 *   <li>open loop ({@link #open}): requests at a fixed rate, whatever the answers; a request's
 *       latency is measured from the time it was scheduled to be sent, so a server that stalls is
 *       charged for every request it kept waiting (no coordinated omission).</li>
 * </ul>
 *
 * Only operations that end inside the measured window count. CPU seconds of this JVM (the
 * generator) and of the server process are taken at the window's edges.
 */
final class LoadGenerator {
    private LoadGenerator() {
    }

    /** One operation of a worker: sends (or does) its {@code n}-th piece of work; returns false for a failure. */
    interface Op {
        boolean run(long n) throws Exception;
    }

    interface Ops {
        /** The operation of worker {@code w}; called on that worker's thread. */
        Op forWorker(int w) throws Exception;
    }

    /** What one measured window did. */
    record Result(long ops, long failures, double seconds, double generatorCpu, double serverCpu, long[] latencyNanos, String firstFailure) {
        double opsPerSecond() {
            return ops / seconds;
        }

        double percentileMs(double p) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(latencyNanos.length - 1, Math.max(0, Math.ceil(p / 100.0 * latencyNanos.length) - 1));
            return latencyNanos[i] / 1e6;
        }
    }

    private static final class Worker {
        long ops;
        long failures;
        long[] latencies = new long[1024];
        int count;

        void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }

    static Result closed(int concurrency, double warmupSeconds, double measureSeconds, CpuMeter meter, Ops ops) throws Exception {
        return run(concurrency, warmupSeconds, measureSeconds, meter, ops, 0);
    }

    /** {@code rate} operations per second from {@code connections} workers, each op scheduled at its own time. */
    static Result open(double rate, int connections, double warmupSeconds, double measureSeconds, CpuMeter meter, Ops ops) throws Exception {
        return run(connections, warmupSeconds, measureSeconds, meter, ops, rate);
    }

    private static Result run(int workers, double warmupSeconds, double measureSeconds, CpuMeter meter, Ops ops, double rate)
            throws Exception {
        long start = System.nanoTime() + 50_000_000L;
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long measureTo = measureFrom + (long) (measureSeconds * 1e9);
        long period = rate > 0 ? (long) (1e9 / rate) : 0;
        AtomicLong slots = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicReference<Exception> crashed = new AtomicReference<>();
        Worker[] state = new Worker[workers];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Worker me = new Worker();
            state[w] = me;
            int index = w;
            threads.add(Thread.ofPlatform().name("load-" + w).start(() -> {
                try {
                    Op op = ops.forWorker(index);
                    LockSupport.parkNanos(start - System.nanoTime());
                    long n = index;
                    while (true) {
                        long intended;
                        if (rate > 0) {
                            long slot = slots.getAndIncrement();
                            intended = start + slot * period;
                            if (intended >= measureTo) {
                                return;
                            }
                            long wait = intended - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            n = slot;
                        } else {
                            intended = System.nanoTime();
                            if (intended >= measureTo) {
                                return;
                            }
                        }
                        boolean ok;
                        try {
                            ok = op.run(n);
                        } catch (IOException e) {
                            ok = false;
                            firstFailure.compareAndSet(null, e.toString());
                            LockSupport.parkNanos(10_000_000L);
                            op = ops.forWorker(index); // a new connection
                        }
                        long done = System.nanoTime();
                        boolean counted = rate > 0 ? intended >= measureFrom && intended < measureTo : done >= measureFrom && done < measureTo;
                        if (counted) {
                            if (ok) {
                                me.ops++;
                                me.record(done - intended);
                            } else {
                                me.failures++;
                            }
                        }
                        if (rate <= 0) {
                            n += workers;
                        }
                    }
                } catch (Exception e) {
                    crashed.compareAndSet(null, e);
                }
            }));
        }
        LockSupport.parkNanos(measureFrom - System.nanoTime());
        CpuMeter.Sample s0 = meter.sample();
        LockSupport.parkNanos(measureTo - System.nanoTime());
        CpuMeter.Sample s1 = meter.sample();
        for (Thread t : threads) {
            t.join();
        }
        if (crashed.get() != null) {
            throw crashed.get();
        }
        long total = 0;
        long failures = 0;
        int n = 0;
        for (Worker w : state) {
            total += w.ops;
            failures += w.failures;
            n += w.count;
        }
        long[] all = new long[n];
        int at = 0;
        for (Worker w : state) {
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
        }
        Arrays.sort(all);
        CpuMeter.Measure m = s0.to(s1);
        return new Result(total, failures, measureSeconds, m.jvmCpu(), m.serverCpu(), all, firstFailure.get());
    }

    /** Import API requests: worker {@code w} sends body {@code n mod size} of the set, to the targets round-robin. */
    static Ops http(Targets targets, String path, Bodies.Set set, AtomicReference<String> firstError) {
        byte[][][] heads = new byte[targets.size()][set.bodies().size()][];
        for (int t = 0; t < targets.size(); t++) {
            for (int b = 0; b < set.bodies().size(); b++) {
                heads[t][b] = targets.head(t, path, "application/json", set.bodies().get(b).length);
            }
        }
        return w -> {
            HttpConnection[] connections = new HttpConnection[targets.size()];
            return n -> {
                int node = targets.nextIndex();
                if (connections[node] == null) {
                    connections[node] = new HttpConnection(targets.nodes.get(node));
                }
                int b = (int) (n % set.bodies().size());
                int status;
                try {
                    status = connections[node].exchange(heads[node][b], set.bodies().get(b));
                } catch (IOException e) {
                    connections[node].close();
                    connections[node] = null;
                    throw e;
                }
                if (status == 201 || status == 202) {
                    return true;
                }
                firstError.compareAndSet(null, status + " " + connections[node].lastBody());
                if (status == 503) {
                    LockSupport.parkNanos(50_000_000L);
                }
                return false;
            };
        };
    }
}
