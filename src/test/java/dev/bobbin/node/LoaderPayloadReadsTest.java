package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bobbin.destination.Destination;
import dev.bobbin.json.Json;
import dev.bobbin.loading.Loader;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.ForwardingBatchLog;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader reads a unit's payloads from the log when it prepares the unit and lets them go once the
 * records are collected ({@link BatchLog#payload}): the {@code _sdc_rejected} text of a record rejected
 * while collecting comes from the payload in hand, and that of a record the plan rejects (against the
 * table as the destination has it) from the payload read again, the same text either way.
 */
final class LoaderPayloadReadsTest {
    private static final String STRING_KEYED = "{\"properties\": {\"id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"}}}";
    private static final String LONG_NAME = "a_field_name_that_is_longer_than_fifty_nine_characters_in_all";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void rejectedRecordsKeepTheirExactTextWhetherTheirPayloadIsInHandOrReadAgain() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\": 1, \"name\": \"Finn\"}"));
        assertThat(bobbin.loadNow()).isEqualTo(1);

        String stringKey = "{\"id\": \"2\",  \"name\": \"Zo\\u00eb \u2603\"}";
        String tooLongField = "{\"id\": 3, \"name\": \"Jake\", \"" + LONG_NAME + "\": 1.50}";
        bobbin.accept(BatchBody.table("customers", STRING_KEYED).keyNames("id").upsert(2, stringKey));
        bobbin.accept(BatchBody.customers().upsert(3, tooLongField));
        CountingPayloadReads log = new CountingPayloadReads(bobbin.node().log());
        Loader loader = new Loader(log, bobbin.node().catalog(), config -> Optional.<Destination>of(bobbin.node().warehouse()),
                Duration.ofHours(1), Clock.systemUTC());
        int loaded = loader.runOnce();
        loader.close();

        assertThat(loaded).isEqualTo(2);
        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers ORDER BY id"))
                .containsExactly(List.of("1", "Finn"), List.of("3", "Jake"));
        assertThat(bobbin.rows("SELECT reason, record FROM import_api._sdc_rejected ORDER BY reason")).containsExactly(
                List.of("Column name " + LONG_NAME + " is longer than 59 characters", compact(tooLongField)),
                List.of("key property id has type text but the key column has type bigint", compact(stringKey)));
        // both batches are read to prepare their unit; only the one with a record the plan rejected is read again
        assertThat(log.reads.values()).containsExactlyInAnyOrder(2, 1);
    }

    /** The record as {@code _sdc_rejected} shows it: the compact JSON of its tree. */
    private static String compact(String json) {
        try {
            return Json.MAPPER.readTree(json).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The node's log, counting the payload reads of each batch. */
    private static final class CountingPayloadReads extends ForwardingBatchLog {
        final Map<String, Integer> reads = new ConcurrentHashMap<>();

        CountingPayloadReads(BatchLog log) {
            super(log);
        }

        @Override
        public byte[] payload(LoggedBatch batch) {
            reads.merge(batch.key(), 1, Integer::sum);
            return log.payload(batch);
        }
    }
}
