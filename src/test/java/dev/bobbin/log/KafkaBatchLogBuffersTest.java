package dev.bobbin.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PartitionBuffers}: what the Kafka log returns as pending and which offsets it commits, without a broker. */
class KafkaBatchLogBuffersTest {
    private static final String TOPIC_ID = "T0pic1d";
    private final PartitionBuffers buffers = new PartitionBuffers(TOPIC_ID);

    private static LoggedBatch batch(int partition, long offset, int bytes) {
        return new LoggedBatch(offset, KafkaRecords.key(TOPIC_ID, partition, offset), 1, 2, "t" + partition, PayloadFormat.BATCH_JSON,
                Instant.EPOCH, new byte[bytes]);
    }

    @Test
    void pendingMergesPartitionsByAppendTimeAndKeepsEachPartitionsOrder() {
        buffers.assigned(0);
        buffers.assigned(1);
        buffers.add(0, 100, batch(0, 0, 1));
        buffers.add(0, 300, batch(0, 1, 1));
        buffers.add(1, 200, batch(1, 0, 1));
        buffers.add(1, 50, batch(1, 1, 1)); // another node's clock: still after offset 0 of its partition
        assertThat(buffers.pending(10)).extracting(LoggedBatch::key).containsExactly(
                KafkaRecords.key(TOPIC_ID, 0, 0), KafkaRecords.key(TOPIC_ID, 1, 0), KafkaRecords.key(TOPIC_ID, 1, 1),
                KafkaRecords.key(TOPIC_ID, 0, 1));
        assertThat(buffers.pending(2)).hasSize(2);
        assertThat(buffers.count()).isEqualTo(4);
        assertThat(buffers.bytes()).isEqualTo(4);
    }

    @Test
    void theCommittedOffsetIsTheFirstUnacknowledgedOne() {
        buffers.assigned(0);
        assertThat(buffers.commitTargets()).isEmpty(); // nothing fetched: nothing to commit
        for (long o = 10; o < 14; o++) {
            buffers.add(0, o, batch(0, o, 5));
        }
        assertThat(buffers.commitTargets()).isEqualTo(Map.of(0, 10L));
        buffers.committed(0, 10);
        buffers.acknowledge(List.of(batch(0, 11, 5), batch(0, 13, 5)));
        assertThat(buffers.commitTargets()).isEmpty(); // 10 still waits
        buffers.acknowledge(List.of(batch(0, 10, 5), batch(0, 10, 5)));
        assertThat(buffers.commitTargets()).isEqualTo(Map.of(0, 12L));
        buffers.committed(0, 12);
        buffers.acknowledge(List.of(batch(0, 12, 5)));
        assertThat(buffers.commitTargets()).isEqualTo(Map.of(0, 14L));
        assertThat(buffers.count()).isZero();
        assertThat(buffers.bytes()).isZero();
    }

    @Test
    void acknowledgementsForRevokedPartitionsAndOtherTopicsAreIgnored() {
        buffers.assigned(0);
        buffers.assigned(1);
        buffers.add(0, 1, batch(0, 0, 3));
        buffers.add(1, 1, batch(1, 0, 3));
        List<LoggedBatch> returned = buffers.pending(10);
        buffers.revoked(1);
        assertThat(buffers.count()).isEqualTo(1);
        assertThat(buffers.bytes()).isEqualTo(3);
        buffers.acknowledge(returned);
        buffers.acknowledge(List.of(new LoggedBatch(0, "k:other:0:0", 1, 2, "t", PayloadFormat.BATCH_JSON, Instant.EPOCH, new byte[0]),
                new LoggedBatch(0, "some-instance/7", 1, 2, "t", PayloadFormat.BATCH_JSON, Instant.EPOCH, new byte[0])));
        assertThat(buffers.commitTargets()).isEqualTo(Map.of(0, 1L));
        assertThat(buffers.owned()).containsExactly(0);
        buffers.assigned(1); // assigned again: fetched again from the committed offset
        buffers.add(1, 1, batch(1, 0, 3));
        assertThat(buffers.pending(10)).extracting(LoggedBatch::key).containsExactly(KafkaRecords.key(TOPIC_ID, 1, 0));
    }

    @Test
    void recordsThatAreNotBatchesAreSkippedAndCountAsLoaded() {
        buffers.assigned(0);
        buffers.skip(0, 0);
        assertThat(buffers.commitTargets()).isEqualTo(Map.of(0, 1L));
        buffers.add(0, 1, batch(0, 1, 1));
        buffers.add(0, 1, batch(0, 1, 1)); // fetched twice: kept once
        assertThat(buffers.count()).isEqualTo(1);
    }

    @Test
    void keysNameTheirPosition() {
        assertThat(KafkaRecords.position(TOPIC_ID, "k:T0pic1d:11:12345678901")).contains(new KafkaRecords.Position(11, 12345678901L));
        assertThat(KafkaRecords.position(TOPIC_ID, "k:other:11:1")).isEmpty();
        assertThat(KafkaRecords.position(TOPIC_ID, "k:T0pic1d:x:1")).isEmpty();
        assertThat(KafkaRecords.position(TOPIC_ID, "k:T0pic1d:1")).isEmpty();
    }
}
