package dev.bobbin.durability;

import dev.bobbin.log.KafkaBatchLog;
import dev.bobbin.testing.Deadline;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka batch log as an outside reader sees it: every committed batch of the topic (read with
 * {@code read_committed} from the beginning, outside any consumer group, so the loaders' group is
 * never disturbed), named by the key the loaders write to the destination's ledger.
 */
final class TopicReader {
    private final String bootstrapServers;
    private final String topic;

    TopicReader(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** The ledger key of every batch committed to the topic so far. */
    List<String> batchKeys() {
        Uuid topicId;
        List<TopicPartition> partitions = new ArrayList<>();
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(adminProps)) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            topicId = description.topicId();
            description.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            awaitNoOpenTransaction(admin, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read topic " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(KafkaBatchLog.batchKey(topicId.toString(), r.partition(), r.offset()));
                }
            }
        }
        return keys;
    }

    /**
     * Waits until no transaction is open on the topic (the last stable offset of every partition is its
     * end): a node killed in the middle of an append leaves its transaction open until the broker
     * aborts it after the producer's transaction timeout, and until then a {@code read_committed}
     * reader (a loader, or this) cannot see any batch written after it.
     */
    private static void awaitNoOpenTransaction(Admin admin, List<TopicPartition> partitions) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            var end = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
            if (partitions.stream().allMatch(p -> stable.get(p).offset() == end.get(p).offset())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a transaction on the topic is still open after 120 s");
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the destination's ledger holds every batch of the topic. */
    void awaitLoaded(Supplier<Connection> destination, Duration limit) {
        Deadline.await("every batch of " + topic + " in the destination's ledger", limit, () -> {
            try (Connection db = destination.get()) {
                Set<String> ledger = new HashSet<>(ledger(db));
                return ledger.containsAll(batchKeys());
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /**
     * Exactly once at the batch level: the ledger holds the key of every committed batch of the
     * topic, each once (it is the ledger's primary key), and no other.
     */
    void assertLedgerMatches(Connection destination) throws SQLException {
        Workload.assertSameRows("the destination's load ledger against the Kafka topic", ledger(destination), batchKeys());
    }

    private static List<String> ledger(Connection db) throws SQLException {
        List<String> keys = new ArrayList<>();
        for (List<Object> row : Workload.rows(db, "SELECT batch_key FROM _bobbin.ledger")) {
            keys.add((String) row.get(0));
        }
        return keys;
    }
}
