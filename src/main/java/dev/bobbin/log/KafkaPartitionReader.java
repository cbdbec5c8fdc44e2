package dev.bobbin.log;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns this node's Kafka consumer (a {@code KafkaConsumer} must be used by one
 * thread only): it polls the partitions the group gave this node, fills the {@link PartitionBuffers},
 * pauses fetching while they hold {@code maxBufferedBytes} or more, and commits acknowledged offsets.
 *
 * <p>Committed offsets are the group's record of what is loaded: for each partition, the offset of
 * the first batch not acknowledged yet (everything before it was loaded). On a rebalance, what is
 * acknowledged of the revoked partitions is committed first, then their buffers are dropped; the
 * new owner starts from the committed offset, so it reads again the batches this node had returned
 * but not seen acknowledged, and the destination's ledger makes loading them again a no-op.
 */
final class KafkaPartitionReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPartitionReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final PartitionBuffers buffers;
    private final String topic;
    private final String topicId;
    private final long maxBufferedBytes;
    private final Thread thread;
    private volatile boolean stopping;
    /** Owned by the reader thread: whether fetching is paused because the buffers are full. */
    private boolean paused;

    /** @param consumer a consumer not subscribed yet; from now on used only by this reader's thread */
    KafkaPartitionReader(Consumer<byte[], byte[]> consumer, PartitionBuffers buffers, String topic, String topicId, long maxBufferedBytes) {
        this.consumer = consumer;
        this.buffers = buffers;
        this.topic = topic;
        this.topicId = topicId;
        this.maxBufferedBytes = maxBufferedBytes;
        this.thread = Thread.ofPlatform().name("kafka-log-reader").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!stopping) {
                try {
                    pauseOrResume();
                    commitAcknowledged(buffers.commitTargets());
                    buffer(consumer.poll(POLL));
                } catch (WakeupException e) {
                    // close() asked the loop to end
                } catch (KafkaException e) {
                    LOG.warn("reading the Kafka batch log failed; retrying: {}", e.toString());
                    sleep(1_000);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("the Kafka batch log reader stopped", e);
        } finally {
            try {
                try {
                    commitAcknowledged(buffers.commitTargets());
                } catch (WakeupException late) {
                    commitAcknowledged(buffers.commitTargets()); // the wakeup of close() came after the last poll
                }
            } catch (KafkaException e) {
                LOG.warn("could not commit acknowledged batches on close (they will be read again and skipped by the ledger): {}", e.toString());
            }
            try {
                consumer.close(Duration.ofSeconds(10)); // leaves the group; the listener commits and drops the partitions
            } catch (KafkaException e) {
                LOG.warn("closing the Kafka consumer: {}", e.toString());
            }
        }
    }

    private void buffer(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            LoggedBatch batch;
            try {
                batch = KafkaRecords.batch(topicId, r);
            } catch (IllegalArgumentException notABatch) {
                LOG.error("skipping a record in {} that is not a Bobbin batch: {}", topic, notABatch.getMessage());
                buffers.skip(r.partition(), r.offset());
                continue;
            }
            buffers.add(r.partition(), r.timestamp(), batch);
        }
    }

    private void pauseOrResume() {
        boolean full = buffers.bytes() >= maxBufferedBytes;
        if (full) {
            consumer.pause(consumer.assignment()); // also partitions assigned since the last pause
            paused = true;
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    /** Commits the given offsets (owned partitions only); a failed commit is retried on the next round. */
    private void commitAcknowledged(Map<Integer, Long> targets) {
        if (targets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        targets.forEach((partition, offset) -> offsets.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
            targets.forEach(buffers::committed);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("committing loaded offsets failed; retrying: {}", e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops polling, commits what is acknowledged, leaves the group and closes the consumer. */
    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the reader thread, inside {@code poll} (or {@code close}). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<Integer, Long> targets = buffers.commitTargets();
            targets.keySet().retainAll(partitions.stream().map(TopicPartition::partition).toList());
            try {
                commitAcknowledged(targets);
            } catch (WakeupException e) {
                // closing: the partitions are dropped all the same
            }
            partitions.forEach(p -> buffers.revoked(p.partition()));
            LOG.info("Kafka batch log: partitions {} of {} revoked", partitions.stream().map(TopicPartition::partition).sorted().toList(), topic);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(p -> buffers.revoked(p.partition())); // another node owns them already: commit nothing
            LOG.warn("Kafka batch log: partitions {} of {} lost", partitions.stream().map(TopicPartition::partition).sorted().toList(), topic);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(p -> buffers.assigned(p.partition()));
            if (paused) {
                consumer.pause(partitions);
            }
            if (!partitions.isEmpty()) {
                LOG.info("Kafka batch log: partitions {} of {} assigned", partitions.stream().map(TopicPartition::partition).sorted().toList(), topic);
            }
        }
    }
}
