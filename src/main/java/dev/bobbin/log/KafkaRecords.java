package dev.bobbin.log;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a batch is stored in a Kafka record, and how its key is made. Pure functions.
 *
 * <p>A record is one {@link NewBatch}: key {@code <source id>:<table name>} (so one table's batches
 * stay in one partition, in order), value the payload bytes unchanged, and text headers
 * {@code bobbin.client}, {@code bobbin.source}, {@code bobbin.table}, {@code bobbin.format},
 * {@code bobbin.received} (ISO-8601 instant), readable with Kafka's own console tools.
 *
 * <p>A batch's key is {@code k:<topic id>:<partition>:<offset>}. The topic id is the UUID Kafka gives
 * a topic when it is created, so a topic deleted and created again (offsets start at 0 again) can
 * never produce a key an old destination ledger already holds.
 */
final class KafkaRecords {
    static final String CLIENT = "bobbin.client";
    static final String SOURCE = "bobbin.source";
    static final String TABLE = "bobbin.table";
    static final String FORMAT = "bobbin.format";
    static final String RECEIVED = "bobbin.received";
    /** Room taken by a record's key and headers besides the payload, counted generously. */
    static final int OVERHEAD_BYTES = 4096;

    /** Where a batch is in the topic. */
    record Position(int partition, long offset) {
    }

    private KafkaRecords() {
    }

    static ProducerRecord<String, byte[]> record(String topic, NewBatch batch, long timestampMillis) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CLIENT, utf8(Long.toString(batch.clientId())));
        headers.add(SOURCE, utf8(Long.toString(batch.sourceId())));
        headers.add(TABLE, utf8(batch.tableName()));
        headers.add(FORMAT, utf8(batch.format().name()));
        headers.add(RECEIVED, utf8(batch.receivedAt().toString()));
        return new ProducerRecord<>(topic, null, timestampMillis, batch.sourceId() + ":" + batch.tableName(), batch.payload(), headers);
    }

    /** The bytes a batch takes in a produce request, at most. */
    static long size(NewBatch batch) {
        return (long) batch.payload().length + 2L * batch.tableName().length() * 3 + OVERHEAD_BYTES;
    }

    /**
     * The batch a record holds.
     *
     * @throws IllegalArgumentException when the record was not written by a Bobbin batch log
     */
    static LoggedBatch batch(String topicId, ConsumerRecord<?, byte[]> r) {
        try {
            return new LoggedBatch(r.offset(), key(topicId, r.partition(), r.offset()),
                    Long.parseLong(header(r, CLIENT)), Long.parseLong(header(r, SOURCE)), header(r, TABLE),
                    PayloadFormat.valueOf(header(r, FORMAT)), Instant.parse(header(r, RECEIVED)),
                    r.value() == null ? new byte[0] : r.value());
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("record " + r.partition() + "/" + r.offset() + " has a malformed header: " + e.getMessage(), e);
        }
    }

    static String key(String topicId, int partition, long offset) {
        return "k:" + topicId + ":" + partition + ":" + offset;
    }

    /** The position a key names, if it is a key of the topic with this id. */
    static Optional<Position> position(String topicId, String key) {
        String prefix = "k:" + topicId + ":";
        if (!key.startsWith(prefix)) {
            return Optional.empty();
        }
        int colon = key.indexOf(':', prefix.length());
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Position(Integer.parseInt(key, prefix.length(), colon, 10),
                    Long.parseLong(key, colon + 1, key.length(), 10)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        if (h == null || h.value() == null) {
            throw new IllegalArgumentException("record " + r.partition() + "/" + r.offset() + " has no " + name + " header");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
