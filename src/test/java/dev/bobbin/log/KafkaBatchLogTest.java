package dev.bobbin.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka batch log against a real broker ({@link TestKafka}): round trip, order, all-or-none
 * appends, sharing partitions between nodes, rebalances, restarts, keys, retention and group commit.
 */
@Timeout(120)
class KafkaBatchLogTest {
    private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.123456789Z");
    private static final int ALL = Integer.MAX_VALUE;

    private final List<KafkaBatchLog> opened = Collections.synchronizedList(new ArrayList<>());
    private final TestClock clock = new TestClock(Instant.now());

    @AfterEach
    void closeLogs() {
        opened.forEach(KafkaBatchLog::close);
    }

    private static KafkaLogSettings settings() {
        return KafkaLogSettings.of(List.of(TestKafka.bootstrapServers()))
                .withTopic(TestKafka.newTopicName())
                .withGroupId(TestKafka.newGroupId())
                .withPartitions(4)
                .withSessionTimeout(Duration.ofSeconds(3))
                .withOpenTimeout(Duration.ofSeconds(20));
    }

    private KafkaBatchLog open(KafkaLogSettings settings) {
        KafkaBatchLog log = KafkaBatchLog.open(settings, clock);
        opened.add(log);
        return log;
    }

    private static NewBatch batch(long sourceId, String table, String payload) {
        return new NewBatch(7, sourceId, table, PayloadFormat.PUSH_JSON, RECEIVED, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static String payload(LoggedBatch b) {
        return new String(b.payload(), StandardCharsets.UTF_8);
    }

    private static List<LoggedBatch> awaitPending(KafkaBatchLog log, int count) {
        Deadline.await(count + " pending batches (have " + log.pendingCount() + ")", () -> log.pendingCount() >= count);
        return log.pending(ALL);
    }

    private static Set<String> keys(List<LoggedBatch> batches) {
        return batches.stream().map(LoggedBatch::key).collect(Collectors.toSet());
    }

    private static int partitionOf(LoggedBatch b) {
        return Integer.parseInt(b.key().split(":")[2]);
    }

    private static Map<Integer, Long> committed(KafkaLogSettings s) {
        try (Admin admin = TestKafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(s.groupId()).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitSplit(KafkaBatchLog a, KafkaBatchLog b, int partitions) {
        Deadline.await("the two logs share the partitions", Duration.ofSeconds(30), () -> {
            Set<Integer> pa = a.ownedPartitions();
            Set<Integer> pb = b.ownedPartitions();
            Set<Integer> union = new HashSet<>(pa);
            union.addAll(pb);
            return !pa.isEmpty() && !pb.isEmpty() && union.size() == partitions && pa.size() + pb.size() == partitions;
        });
    }

    @Test
    void appendedBatchesComeBackWithAllTheirFieldsUntilAcknowledged() throws Exception {
        KafkaBatchLog log = open(settings());
        assertThat(log.health()).isEqualTo(LogHealth.OK);
        log.append(List.of(new NewBatch(7, 8, "orders", PayloadFormat.BATCH_JSON, RECEIVED, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                new NewBatch(9, 10, "Ünïcode table", PayloadFormat.PUSH_JSON, RECEIVED.plusNanos(1), new byte[0])));
        log.append(List.of(batch(8, "orders", "{\"b\":2}")));

        List<LoggedBatch> pending = awaitPending(log, 3);
        assertThat(pending).hasSize(3);
        LoggedBatch first = pending.stream().filter(b -> payload(b).equals("{\"a\":1}")).findFirst().orElseThrow();
        assertThat(first).extracting(LoggedBatch::clientId, LoggedBatch::sourceId, LoggedBatch::tableName, LoggedBatch::format,
                LoggedBatch::receivedAt).containsExactly(7L, 8L, "orders", PayloadFormat.BATCH_JSON, RECEIVED);
        LoggedBatch empty = pending.stream().filter(b -> b.sourceId() == 10).findFirst().orElseThrow();
        assertThat(empty).extracting(LoggedBatch::clientId, LoggedBatch::tableName, LoggedBatch::format, LoggedBatch::receivedAt)
                .containsExactly(9L, "Ünïcode table", PayloadFormat.PUSH_JSON, RECEIVED.plusNanos(1));
        assertThat(empty.payload()).isEmpty();
        assertThat(log.pendingBytes()).isEqualTo(14);
        assertThat(log.pending(ALL)).isEqualTo(pending); // returned again until acknowledged

        log.acknowledge(pending.subList(0, 2));
        log.acknowledge(pending.subList(0, 1)); // idempotent
        assertThat(log.pending(ALL)).containsExactly(pending.get(2));
        assertThat(log.pendingCount()).isEqualTo(1);
        log.acknowledge(pending);
        assertThat(log.pending(ALL)).isEmpty();
        assertThat(log.pendingBytes()).isZero();

        log.close();
        assertThat(log.health().writable()).isFalse();
        assertThatThrownBy(() -> log.append(List.of(batch(8, "orders", "{}")))).isInstanceOf(LogUnavailableException.class)
                .hasMessageContaining("shutting down");
    }

    @Test
    void eachTablesBatchesComeBackInAppendOrder() throws Exception {
        KafkaBatchLog log = open(settings());
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String table : List.of("a", "b", "c")) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        log.append(List.of(batch(1, table, table + i)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        List<LoggedBatch> pending = awaitPending(log, 90);
        for (String table : List.of("a", "b", "c")) {
            List<LoggedBatch> ofTable = pending.stream().filter(b -> b.tableName().equals(table)).toList();
            assertThat(ofTable).extracting(KafkaBatchLogTest::payload)
                    .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> table + i).toList());
            assertThat(ofTable).extracting(LoggedBatch::position).isSorted();
        }
    }

    @Test
    void anAppendTheTopicRefusesLeavesNothingVisible() throws Exception {
        KafkaLogSettings s = settings().withMaxBatchBytes(1024 * 1024);
        try (Admin admin = TestKafka.admin()) {
            admin.createTopics(List.of(new NewTopic(s.topic(), 1, (short) 1).configs(Map.of(
                    "max.message.bytes", "65536", "retention.ms", "-1", "retention.bytes", "-1")))).all().get();
        }
        KafkaBatchLog log = open(s);
        byte[] incompressible = new byte[200_000];
        new Random(1).nextBytes(incompressible);
        NewBatch tooLargeForTheTopic = new NewBatch(7, 1, "t", PayloadFormat.BATCH_JSON, RECEIVED, incompressible);

        assertThatThrownBy(() -> log.append(List.of(batch(1, "t", "first of a refused append"), tooLargeForTheTopic)))
                .isInstanceOf(LogUnavailableException.class).hasMessageContaining("nothing was appended");
        assertThat(log.health()).isEqualTo(LogHealth.OK); // the batch's fault, not the log's
        assertThatThrownBy(() -> log.append(List.of(batch(1, "t", "x"), new NewBatch(7, 1, "t", PayloadFormat.BATCH_JSON, RECEIVED,
                new byte[3 * 1024 * 1024])))).isInstanceOf(LogUnavailableException.class).hasMessageContaining("larger than");

        // one batch alone goes without a transaction: refused the same way, and nothing of it is visible
        assertThatThrownBy(() -> log.append(List.of(tooLargeForTheTopic)))
                .isInstanceOf(LogUnavailableException.class).hasMessageContaining("nothing was appended");
        assertThat(log.health()).isEqualTo(LogHealth.OK);

        log.append(List.of(batch(1, "t", "accepted")));
        List<LoggedBatch> pending = awaitPending(log, 1);
        assertThat(pending).extracting(KafkaBatchLogTest::payload).containsExactly("accepted"); // same partition, read in order
    }

    /** Appends of one batch (no transaction) and of several (a transaction) that follow each other keep their order per table. */
    @Test
    void singleAndMultiTableAppendsOfATableKeepTheirOrder() throws Exception {
        KafkaBatchLog log = open(settings());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i % 3 == 0) {
                log.append(List.of(batch(1, "t", "t" + i), batch(1, "other", "o" + i)));
            } else {
                log.append(List.of(batch(1, "t", "t" + i)));
            }
            expected.add("t" + i);
        }
        List<LoggedBatch> pending = awaitPending(log, 40 + 14);
        assertThat(pending.stream().filter(b -> b.tableName().equals("t")).toList()).extracting(KafkaBatchLogTest::payload)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void anUnreachableClusterFailsTheOpenClearlyAndInTime() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long started = System.nanoTime();
        KafkaLogSettings s = KafkaLogSettings.parse("kafka:127.0.0.1:" + port).withOpenTimeout(Duration.ofSeconds(2));
        assertThatThrownBy(() -> KafkaBatchLog.open(s, clock)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot reach the Kafka brokers at 127.0.0.1:" + port + " within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aTopicThatKafkaWouldDeleteFromIsRefused() throws Exception {
        KafkaLogSettings s = settings();
        try (Admin admin = TestKafka.admin()) {
            admin.createTopics(List.of(new NewTopic(s.topic(), 1, (short) 1).configs(Map.of("retention.ms", "3600000")))).all().get();
        }
        assertThatThrownBy(() -> KafkaBatchLog.open(s, clock)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention.ms=3600000").hasMessageContaining("not loaded yet");
    }

    @Test
    void twoNodesSplitThePartitionsAndTogetherReturnEveryBatchOnce() throws Exception {
        KafkaLogSettings s = settings();
        KafkaBatchLog a = open(s);
        KafkaBatchLog b = open(s);
        awaitSplit(a, b, 4);
        List<NewBatch> appended = IntStream.range(0, 60).mapToObj(i -> batch(1, "t" + (i % 20), "p" + i)).toList();
        a.append(appended.subList(0, 30));
        b.append(appended.subList(30, 60));

        List<String> seen = new ArrayList<>();
        Deadline.await("every batch loaded", () -> {
            for (KafkaBatchLog log : List.of(a, b)) {
                List<LoggedBatch> pending = log.pending(7);
                pending.forEach(x -> seen.add(payload(x)));
                log.acknowledge(pending);
            }
            return seen.size() >= 60;
        });
        assertThat(seen).containsExactlyInAnyOrderElementsOf(appended.stream().map(x -> new String(x.payload(), StandardCharsets.UTF_8)).toList());
        assertThat(a.pending(ALL)).isEmpty();
        assertThat(b.pending(ALL)).isEmpty();
    }

    @Test
    void aNodeThatLeavesHandsItsUnacknowledgedBatchesToTheOther() throws Exception {
        KafkaLogSettings s = settings();
        KafkaBatchLog a = open(s);
        KafkaBatchLog b = open(s);
        awaitSplit(a, b, 4);
        a.append(IntStream.range(0, 40).mapToObj(i -> batch(1, "t" + (i % 20), "p" + i)).toList());
        Deadline.await("all 40 batches fetched", () -> a.pendingCount() + b.pendingCount() == 40);

        List<LoggedBatch> returnedByA = a.pending(ALL);
        b.acknowledge(b.pending(ALL));
        a.close(); // without acknowledging: the batches it returned must not be lost

        Deadline.await("b owns every partition", Duration.ofSeconds(30), () -> b.ownedPartitions().size() == 4);
        List<LoggedBatch> handedOver = awaitPending(b, returnedByA.size());
        assertThat(keys(handedOver)).isEqualTo(keys(returnedByA));
        assertThat(handedOver).extracting(KafkaBatchLogTest::payload)
                .containsExactlyInAnyOrderElementsOf(returnedByA.stream().map(KafkaBatchLogTest::payload).toList());
    }

    @Test
    void acknowledgingBatchesOfPartitionsMovedToAnotherNodeCommitsNothingForThem() throws Exception {
        KafkaLogSettings s = settings();
        KafkaBatchLog a = open(s);
        Deadline.await("a owns every partition", () -> a.ownedPartitions().size() == 4);
        a.append(IntStream.range(0, 20).mapToObj(i -> batch(1, "t" + (i % 10), "p" + i)).toList());
        List<LoggedBatch> returnedByA = awaitPending(a, 20);

        KafkaBatchLog b = open(s);
        awaitSplit(a, b, 4);
        Set<Integer> movedToB = b.ownedPartitions();
        a.acknowledge(returnedByA); // late: some of these partitions belong to b now

        Set<String> expectedAtB = returnedByA.stream().filter(x -> movedToB.contains(partitionOf(x))).map(LoggedBatch::key)
                .collect(Collectors.toSet());
        assertThat(expectedAtB).isNotEmpty();
        Deadline.await("b returns the batches of its partitions again", () -> keys(b.pending(ALL)).equals(expectedAtB));
        Deadline.await("a commits its own partitions", () -> committed(s).keySet().containsAll(a.ownedPartitions()));
        Map<Integer, Long> offsets = committed(s);
        for (int p : movedToB) {
            assertThat(offsets.getOrDefault(p, 0L)).as("committed offset of partition %d, now b's", p).isZero();
        }
        assertThat(a.pending(ALL)).isEmpty();
    }

    @Test
    void acknowledgedBatchesAreNotReturnedAfterReopeningAndKeysAreStable() throws Exception {
        KafkaLogSettings s = settings();
        List<LoggedBatch> before;
        try (KafkaBatchLog log = open(s)) {
            for (int i = 0; i < 4; i++) {
                log.append(List.of(batch(1, "one table", "b" + i)));
            }
            before = awaitPending(log, 4);
            assertThat(before).extracting(KafkaBatchLogTest::payload).containsExactly("b0", "b1", "b2", "b3");
            for (LoggedBatch b : before) {
                assertThat(b.key()).isEqualTo("k:" + log.topicId() + ":" + partitionOf(b) + ":" + b.position());
            }
            assertThat(keys(before)).hasSize(4);
            log.acknowledge(List.of(before.get(0), before.get(1), before.get(3)));
            int partition = partitionOf(before.get(0));
            Deadline.await("offset committed", () -> committed(s).getOrDefault(partition, -1L) == before.get(2).position());
        }
        KafkaBatchLog reopened = open(s);
        List<LoggedBatch> after = awaitPending(reopened, 2);
        // b3 was acknowledged after b2, which was not: the committed offset stops at b2, so b3 comes back too
        // (loading it again is a no-op for the destination's ledger)
        assertThat(after).extracting(KafkaBatchLogTest::payload).containsExactly("b2", "b3");
        assertThat(after).extracting(LoggedBatch::key).containsExactly(before.get(2).key(), before.get(3).key());
    }

    @Test
    void aTopicCreatedAgainUnderTheSameNameGivesNewKeys() throws Exception {
        KafkaLogSettings s = settings().withPartitions(1);
        String firstKey;
        try (KafkaBatchLog log = open(s)) {
            log.append(List.of(batch(1, "t", "first topic")));
            firstKey = awaitPending(log, 1).get(0).key();
        }
        try (Admin admin = TestKafka.admin()) {
            admin.deleteTopics(List.of(s.topic())).all().get();
            Deadline.await("topic deleted", () -> {
                try {
                    return !admin.listTopics().names().get().contains(s.topic());
                } catch (Exception e) {
                    return false;
                }
            });
        }
        KafkaBatchLog log = open(s.withGroupId(TestKafka.newGroupId()));
        log.append(List.of(batch(1, "t", "second topic")));
        LoggedBatch again = awaitPending(log, 1).get(0);
        assertThat(again.position()).isZero();
        assertThat(firstKey).endsWith(":0:0");
        assertThat(again.key()).endsWith(":0:0").isNotEqualTo(firstKey);
    }

    @Test
    void trimmingDeletesOnlyLoadedBatchesPastTheirRetention() throws Exception {
        KafkaLogSettings s = settings().withPartitions(1).withRetention(Duration.ofHours(1));
        KafkaBatchLog log = open(s);
        Instant now = clock.instant();
        // one transaction per age: its commit marker, stamped by the broker's own clock, comes after its batches
        clock.set(now.minus(Duration.ofHours(3)));
        log.append(List.of(batch(1, "t", "old, loaded"), batch(1, "t", "old, not loaded")));
        clock.set(now);
        log.append(List.of(batch(1, "t", "new, loaded"), batch(1, "t", "new, not loaded")));
        List<LoggedBatch> b = awaitPending(log, 4);
        assertThat(b).extracting(KafkaBatchLogTest::payload).containsExactly("old, loaded", "old, not loaded", "new, loaded", "new, not loaded");

        log.acknowledge(List.of(b.get(0), b.get(2)));
        Deadline.await("offset committed", () -> committed(s).getOrDefault(0, -1L) == b.get(1).position());
        assertThat(log.trimExpired()).isEqualTo(1);
        assertThat(earliestOffset(s)).isEqualTo(b.get(1).position()); // the old unloaded batch stays

        log.acknowledge(List.of(b.get(1), b.get(3)));
        Deadline.await("offset committed", () -> committed(s).getOrDefault(0, -1L) > b.get(3).position());
        log.trimExpired();
        assertThat(earliestOffset(s)).isGreaterThan(b.get(1).position())
                .isLessThanOrEqualTo(b.get(2).position()); // loaded, but within its retention

        clock.set(now.plus(Duration.ofHours(2)));
        log.trimExpired();
        assertThat(earliestOffset(s)).isGreaterThan(b.get(3).position());
        assertThat(log.pending(ALL)).isEmpty();
    }

    private static long earliestOffset(KafkaLogSettings s) throws Exception {
        try (Admin admin = TestKafka.admin()) {
            TopicPartition tp = new TopicPartition(s.topic(), 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
        }
    }

    @Test
    void concurrentAppendsFromManyThreadsAreAllDurable() throws Exception {
        KafkaBatchLog log = open(settings());
        int threads = 16;
        int appendsPerThread = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < appendsPerThread; i++) {
                        log.append(List.of(batch(thread, "a", thread + "/" + i + "/a"), batch(thread, "b", thread + "/" + i + "/b")));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        int expected = threads * appendsPerThread * 2;
        List<LoggedBatch> pending = awaitPending(log, expected);
        assertThat(pending).hasSize(expected);
        assertThat(pending.stream().map(KafkaBatchLogTest::payload).distinct().count()).isEqualTo(expected);
        assertThat(keys(pending)).hasSize(expected);
    }

    /** A clock a test moves by hand. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
