package dev.bobbin.log;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.InvalidRecordException;

/**
 * Appends a request that holds one batch (every {@code /v2/import/batch} request, and pushes to one
 * table) without a Kafka transaction: a single record needs no atomicity across partitions, so an
 * idempotent producer with {@code acks=all} makes it exactly as durable, without the transaction's
 * coordinator round trips and markers. The request thread sends and waits for the acknowledgement
 * itself; the producer (thread-safe) batches concurrent sends to the same partition.
 *
 * <p>Order within a table is kept for requests that follow each other: a request is acknowledged
 * before its client sends the next, whichever producer carries either. {@code read_committed}
 * readers see these records at once unless a transaction of the other producer is open before them
 * in the partition, in which case they wait for it like any record behind it.
 *
 * <p>A send that is not acknowledged within the producer's delivery timeout fails the request; as
 * with any request that got no clear answer, the record may still have been written.
 */
final class KafkaSingleAppender implements AutoCloseable {
    /** Failures are reported to the log's health for this long, unless a send succeeds meanwhile. */
    private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Clock clock;
    private final long maxRequestBytes;
    /** Sends hold the read lock; {@link #close} takes the write lock, so it waits for sends in flight and admits none after. */
    private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
    private boolean closed;
    private volatile long lastFailureNanos;
    private volatile long lastSuccessNanos = System.nanoTime();
    private volatile String lastFailure = "";

    /** @param producer an idempotent, non-transactional producer with {@code acks=all} */
    KafkaSingleAppender(Producer<String, byte[]> producer, String topic, Clock clock, long maxRequestBytes) {
        this.producer = producer;
        this.topic = topic;
        this.clock = clock;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Blocks until the batch is acknowledged by the in-sync replicas, or refused. */
    void append(NewBatch batch) throws LogUnavailableException {
        if (KafkaRecords.size(batch) > maxRequestBytes) {
            throw new LogUnavailableException("a batch of " + batch.payload().length + " bytes is larger than the Kafka batch log takes ("
                    + maxRequestBytes + " bytes with its headers)", null);
        }
        admission.readLock().lock();
        try {
            if (closed) {
                throw new LogUnavailableException("the batch log is shutting down", null);
            }
            producer.send(KafkaRecords.record(topic, batch, clock.millis()))
                    .get(KafkaAppender.DELIVERY_TIMEOUT.toMillis() + TimeUnit.SECONDS.toMillis(15), TimeUnit.MILLISECONDS);
            lastSuccessNanos = System.nanoTime();
        } catch (ExecutionException e) {
            throw refused(e.getCause());
        } catch (KafkaException | java.util.concurrent.TimeoutException e) {
            throw refused(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogUnavailableException("interrupted while waiting for the Kafka batch log; the batch may or may not be stored", e);
        } finally {
            admission.readLock().unlock();
        }
    }

    private LogUnavailableException refused(Throwable cause) {
        boolean batchRefused = cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidRecordException || cause instanceof InvalidTimestampException;
        if (batchRefused) {
            return new LogUnavailableException("the Kafka topic refused the batch; nothing was appended: " + cause, cause);
        }
        String message = "the Kafka batch log did not acknowledge the batch; it may or may not be stored: " + cause;
        lastFailure = message;
        lastFailureNanos = System.nanoTime();
        return new LogUnavailableException(message, cause);
    }

    /** Why appends fail now, if a send failed in the last seconds and none succeeded since. */
    String recentFailure() {
        long failed = lastFailureNanos;
        if (failed != 0 && failed - lastSuccessNanos > 0 && System.nanoTime() - failed < RECENT_NANOS) {
            return lastFailure;
        }
        return null;
    }

    /** Waits for the sends in flight, refuses new ones, and closes the producer. */
    @Override
    public void close() {
        admission.writeLock().lock();
        try {
            closed = true;
        } finally {
            admission.writeLock().unlock();
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (KafkaException e) {
            // closing: nothing waits for this producer any more
        }
    }
}
