package dev.bobbin.log;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch topic's administration: reaching the cluster, creating or checking the topic, and
 * trimming loaded batches past their retention. Stateless; the {@link Admin} client is thread-safe.
 *
 * <p>The topic keeps records forever as far as Kafka is concerned ({@code retention.ms=-1},
 * {@code retention.bytes=-1}, {@code cleanup.policy=delete}); only {@link #trim} deletes, and never
 * past the group's committed offset, i.e. never a batch that is not loaded. An existing topic
 * with a broker-side retention is refused: Kafka would delete unloaded batches.
 */
final class KafkaTopic {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopic.class);
    private static final long STEP_MILLIS = 5_000;

    private KafkaTopic() {
    }

    /** The brokers, once the cluster answers; fails when it does not before the deadline. */
    static Collection<Node> awaitCluster(Admin admin, KafkaLogSettings s, long deadlineNanos) {
        Exception last = null;
        while (System.nanoTime() - deadlineNanos < 0) {
            try {
                long wait = Math.max(100, Math.min(STEP_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
                Collection<Node> nodes = admin.describeCluster().nodes().get(wait, TimeUnit.MILLISECONDS);
                if (!nodes.isEmpty()) {
                    return nodes;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
            }
            sleepBriefly();
        }
        throw new IllegalStateException("cannot reach the Kafka brokers at " + String.join(",", s.bootstrapServers()) + " within "
                + s.openTimeout().toSeconds() + " s" + (last == null ? "" : ": " + rootMessage(last)), last);
    }

    /**
     * Creates the topic if it is missing, checks that Kafka itself will never delete from it, and
     * returns its topic id.
     */
    static String ensure(Admin admin, KafkaLogSettings s, int brokers, long deadlineNanos) {
        try {
            TopicDescription topic = describe(admin, s.topic());
            if (topic == null) {
                create(admin, s, brokers);
                while ((topic = describe(admin, s.topic())) == null) {
                    if (System.nanoTime() - deadlineNanos > 0) {
                        throw new IllegalStateException("the Kafka topic " + s.topic() + " was created but does not show up");
                    }
                    sleepBriefly();
                }
            }
            check(admin, s);
            return topic.topicId().toString();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up the Kafka topic " + s.topic() + ": " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the Kafka topic", e);
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws ExecutionException, InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    private static void create(Admin admin, KafkaLogSettings s, int brokers) throws ExecutionException, InterruptedException {
        short replicas = (short) Math.min(3, brokers);
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        configs.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.max(1, replicas - 1)));
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(maxMessageBytes(s)));
        configs.put(TopicConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        configs.put(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
        try {
            admin.createTopics(List.of(new NewTopic(s.topic(), s.partitions(), replicas).configs(configs))).all().get();
            LOG.info("created Kafka topic {} ({} partitions, replication factor {})", s.topic(), s.partitions(), replicas);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // another node created it meanwhile
        }
    }

    /** A record batch of the largest request, compressed: lz4 can grow incompressible data a little. */
    static long maxMessageBytes(KafkaLogSettings s) {
        return Math.min(Integer.MAX_VALUE, s.maxRequestBytes() + s.maxRequestBytes() / 64);
    }

    private static void check(Admin admin, KafkaLogSettings s) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, s.topic());
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        String retentionMs = value(config, TopicConfig.RETENTION_MS_CONFIG);
        String retentionBytes = value(config, TopicConfig.RETENTION_BYTES_CONFIG);
        String cleanup = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
        if (!"-1".equals(retentionMs) || !"-1".equals(retentionBytes) || !TopicConfig.CLEANUP_POLICY_DELETE.equals(cleanup)) {
            throw new IllegalStateException("the Kafka topic " + s.topic() + " has retention.ms=" + retentionMs + ", retention.bytes="
                    + retentionBytes + ", cleanup.policy=" + cleanup + ": Kafka could delete batches that are not loaded yet;"
                    + " set retention.ms=-1, retention.bytes=-1, cleanup.policy=delete (Bobbin deletes loaded batches itself)");
        }
        String maxMessage = value(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (maxMessage != null && Long.parseLong(maxMessage) < maxMessageBytes(s)) {
            LOG.warn("the Kafka topic {} has max.message.bytes={}; batches up to {} bytes need {}: larger ones will be refused",
                    s.topic(), maxMessage, s.maxBatchBytes(), maxMessageBytes(s));
        }
    }

    private static String value(Config config, String name) {
        return config.get(name) == null ? null : config.get(name).value();
    }

    /**
     * Deletes, in the given partitions, the records before the group's committed offset that were
     * appended before {@code cutoffMillis}: loaded batches past their retention. Returns the number
     * of partitions it deleted from.
     */
    static int trim(Admin admin, String topic, String groupId, Set<Integer> partitions, long cutoffMillis, long timeoutMillis)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> byTime = new HashMap<>();
        for (int p : partitions) {
            byTime.put(new TopicPartition(topic, p), OffsetSpec.forTimestamp(cutoffMillis));
        }
        Map<TopicPartition, ListOffsetsResultInfo> newer = admin.listOffsets(byTime).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, RecordsToDelete> deletes = new HashMap<>();
        for (TopicPartition tp : byTime.keySet()) {
            OffsetAndMetadata loaded = committed.get(tp);
            if (loaded == null) {
                continue; // nothing of it is loaded yet
            }
            long firstKept = newer.get(tp).offset(); // the first record appended at or after the cutoff; -1 when there is none
            long before = firstKept < 0 ? loaded.offset() : Math.min(loaded.offset(), firstKept);
            if (before > 0) {
                deletes.put(tp, RecordsToDelete.beforeOffset(before));
            }
        }
        if (!deletes.isEmpty()) {
            admin.deleteRecords(deletes).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        return deletes.size();
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
