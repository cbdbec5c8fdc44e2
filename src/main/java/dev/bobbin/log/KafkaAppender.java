package dev.bobbin.log;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.InvalidRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends batches to the topic with group commit: request threads queue their appends, and one
 * thread (the only user of the transactional producer) takes everything waiting, sends it in one
 * Kafka transaction and commits it, then releases every waiting request.
 *
 * <p>A transaction is all or none across partitions and, with {@code acks=all}, durable on the
 * in-sync replicas once {@code commitTransaction} returns; consumers read with
 * {@code read_committed}, so they never see the records of an aborted or unfinished transaction.
 *
 * <p>When a group fails before its commit, the transaction is aborted (or, if even that fails, the
 * producer is closed; the next producer with the same transactional id fences and aborts it) and
 * every request of the group is refused with nothing appended. When a batch itself is refused by
 * the broker (too large for the topic, bad timestamp), the group is retried one request at a time,
 * so that one bad request does not fail the others. The only ambiguous case is a commit that keeps
 * timing out for {@link #COMMIT_PATIENCE}: the requests are refused, but the coordinator may still
 * complete the commit (see docs/durability.md).
 */
final class KafkaAppender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAppender.class);
    static final Duration COMMIT_PATIENCE = Duration.ofSeconds(30);
    /** The producer's {@code delivery.timeout.ms}: a send is acknowledged or failed within it. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    /** A failed transaction makes the log report itself unavailable for this long, unless one commits meanwhile. */
    private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Supplier<Producer<String, byte[]>> producers;
    private final String topic;
    private final Clock clock;
    private final long maxRequestBytes;
    private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
    private final Object admission = new Object();
    private final Thread thread;
    /** Guarded by {@link #admission}: once set, no append is queued any more. */
    private boolean closing;
    /** Owned by the appender thread (and by {@link #close} after that thread ended); null after a failure until remade. */
    private Producer<String, byte[]> producer;
    private volatile long lastFailureNanos;
    private volatile long lastSuccessNanos = System.nanoTime();
    private volatile String lastFailure = "";

    private record Append(List<NewBatch> batches, long bytes, CompletableFuture<Void> done) {
    }

    /** What went wrong with a transaction. */
    private record Failure(Throwable cause, boolean unknownOutcome) {
        boolean batchRefused() {
            return !unknownOutcome && (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                    || cause instanceof InvalidRecordException || cause instanceof InvalidTimestampException);
        }
    }

    /**
     * @param producer  a transactional producer on which {@code initTransactions} succeeded
     * @param producers makes another such producer, with the same transactional id, after a failure
     */
    KafkaAppender(Producer<String, byte[]> producer, Supplier<Producer<String, byte[]>> producers, String topic, Clock clock,
                  long maxRequestBytes) {
        this.producer = producer;
        this.producers = producers;
        this.topic = topic;
        this.clock = clock;
        this.maxRequestBytes = maxRequestBytes;
        this.thread = Thread.ofPlatform().name("kafka-log-appender").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Blocks until the batches are committed to the topic, or refused with nothing appended (or, rarely, an unknown outcome). */
    void append(List<NewBatch> batches) throws LogUnavailableException {
        long bytes = 0;
        for (NewBatch b : batches) {
            long size = KafkaRecords.size(b);
            if (size > maxRequestBytes) {
                throw new LogUnavailableException("a batch of " + b.payload().length + " bytes is larger than the Kafka batch log takes ("
                        + maxRequestBytes + " bytes with its headers)", null);
            }
            bytes += size;
        }
        Append append = new Append(List.copyOf(batches), bytes, new CompletableFuture<>());
        synchronized (admission) {
            if (closing) {
                throw new LogUnavailableException("the batch log is shutting down", null);
            }
            queue.add(append);
        }
        try {
            append.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogUnavailableException("interrupted while waiting for the Kafka batch log; the batch may or may not be stored", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LogUnavailableException u ? u
                    : new LogUnavailableException("the Kafka batch log failed: " + e.getCause(), e.getCause());
        }
    }

    /** Why appends fail now, if a transaction failed in the last seconds and none committed since. */
    String recentFailure() {
        long failed = lastFailureNanos;
        if (failed != 0 && failed - lastSuccessNanos > 0 && System.nanoTime() - failed < RECENT_NANOS) {
            return lastFailure;
        }
        return null;
    }

    private void run() {
        List<Append> group = new ArrayList<>();
        while (true) {
            try {
                Append first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    synchronized (admission) {
                        if (closing && queue.isEmpty()) {
                            return;
                        }
                    }
                    continue;
                }
                GroupCommit.takeWaiting(first, queue, group, Append::bytes);
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("the Kafka batch log appender failed unexpectedly", e);
                group.forEach(a -> a.done().completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
    }

    private void write(List<Append> group) {
        Failure failure = transact(group);
        if (failure == null) {
            lastSuccessNanos = System.nanoTime();
            group.forEach(a -> a.done().complete(null));
            return;
        }
        if (failure.batchRefused() && group.size() > 1) {
            for (Append a : group) {
                write(List.of(a)); // isolate the request whose batch the broker refuses
            }
            return;
        }
        String message;
        if (failure.unknownOutcome()) {
            message = "the Kafka batch log did not confirm the commit within " + COMMIT_PATIENCE.toSeconds()
                    + " s; the batch may or may not be stored: " + failure.cause();
        } else if (failure.batchRefused()) {
            message = "the Kafka topic refused the batch; nothing was appended: " + failure.cause();
        } else {
            message = "the Kafka batch log cannot take writes; nothing was appended: " + failure.cause();
        }
        if (!failure.batchRefused()) {
            lastFailure = message;
            lastFailureNanos = System.nanoTime();
        }
        LOG.warn("Kafka transaction of {} request(s) failed: {}", group.size(), message);
        LogUnavailableException refused = new LogUnavailableException(message, failure.cause());
        group.forEach(a -> a.done().completeExceptionally(refused));
    }

    /** Sends and commits all batches of the group in one transaction; null when committed. */
    private Failure transact(List<Append> group) {
        try {
            if (producer == null) {
                producer = producers.get();
            }
            producer.beginTransaction();
        } catch (KafkaException e) {
            discardProducer();
            return new Failure(e, false);
        }
        long timestamp = clock.millis();
        try {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (Append a : group) {
                for (NewBatch b : a.batches()) {
                    sends.add(producer.send(KafkaRecords.record(topic, b, timestamp)));
                }
            }
            long giveUp = System.nanoTime() + DELIVERY_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(15);
            for (Future<RecordMetadata> send : sends) {
                send.get(Math.max(0, giveUp - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            discardProducer(); // the transaction never commits: the next producer with this transactional id aborts it
            return new Failure(e, false);
        } catch (ExecutionException e) {
            abort();
            return new Failure(e.getCause(), false);
        } catch (KafkaException e) {
            abort();
            return new Failure(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            return new Failure(e, false);
        }
        long giveUp = System.nanoTime() + COMMIT_PATIENCE.toNanos();
        while (true) {
            try {
                producer.commitTransaction();
                return null;
            } catch (TimeoutException e) {
                if (System.nanoTime() - giveUp > 0) {
                    discardProducer();
                    return new Failure(e, true);
                }
                // the outcome is not known yet: committing again is allowed and finds it out
            } catch (KafkaException e) {
                abort();
                return new Failure(e, false);
            }
        }
    }

    /** Aborts the open transaction; when that fails, closes the producer so that its successor fences the transaction. */
    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            discardProducer();
        }
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (KafkaException e) {
                LOG.debug("closing a failed producer", e);
            }
            producer = null;
        }
    }

    /** Refuses new appends, lets the queued ones finish, and closes the producer. */
    @Override
    public void close() {
        synchronized (admission) {
            closing = true;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(120));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Append left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new LogUnavailableException("the batch log closed", null));
        }
        if (producer != null) {
            try {
                producer.close(thread.isAlive() ? Duration.ZERO : Duration.ofSeconds(10));
            } catch (KafkaException e) {
                LOG.debug("closing the producer", e);
            }
        }
    }
}
