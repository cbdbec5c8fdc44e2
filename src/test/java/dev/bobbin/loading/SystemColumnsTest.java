package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.destination.ColumnType.TIMESTAMPTZ;
import static dev.bobbin.loading.LoadFixture.BATCHED_AT;
import static dev.bobbin.loading.LoadFixture.SDC;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.columnNames;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.micros;
import static dev.bobbin.loading.LoadFixture.rows;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.typeOf;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bobbin.destination.Column;
import dev.bobbin.json.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The {@code _sdc_*} columns of every integration table (loading.md §3, DECISIONS L3, L7). */
class SystemColumnsTest {

    @Test
    void seedExampleRow() {
        // loading.md §3: customers, sequence 100 → _sdc_sequence 100, _sdc_table_version 0
        PreparedLoad load = load("customers", List.of("id"), batch("seed").receivedAt(Instant.parse("2019-02-02T00:43:53.750Z"))
                .upsert(100, """
                        {"id":1,"name":"Finn","updated_at":"2019-02-02T00:38:33+00:00"}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(columnNames(customers)).containsExactly(
                "id", "name", "updated_at", "_sdc_received_at", "_sdc_batched_at", "_sdc_sequence", "_sdc_table_version");
        assertThat(values(customers, "_sdc_batched_at", "_sdc_received_at", "_sdc_sequence", "_sdc_table_version", "id", "name", "updated_at"))
                .containsExactly(tuple(micros("2019-02-02T00:44:38.988Z"), micros("2019-02-02T00:43:53.750Z"), 100L, 0L,
                        1L, "Finn", "2019-02-02T00:38:33+00:00"));
    }

    @Test
    void systemColumnTypes() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(typeOf(customers, "_sdc_received_at")).isEqualTo(TIMESTAMPTZ);
        assertThat(typeOf(customers, "_sdc_batched_at")).isEqualTo(TIMESTAMPTZ);
        assertThat(typeOf(customers, "_sdc_sequence")).isEqualTo(BIGINT);
        assertThat(typeOf(customers, "_sdc_table_version")).isEqualTo(BIGINT);
    }

    @Test
    void receivedAtIsPerBatch_batchedAtIsPerLoad_sequenceIsPerRecord() {
        Instant firstReceived = Instant.parse("2024-05-01T10:00:00.123456Z");
        Instant secondReceived = Instant.parse("2024-05-01T10:00:05Z");

        PreparedLoad load = load("customers", List.of("id"),
                batch("b1").receivedAt(firstReceived).upsert(1574807356000L, """
                        {"id":1}
                        """),
                batch("b2").receivedAt(secondReceived).upsert(9223372036854775807L, """
                        {"id":2}
                        """));

        assertThat(values(table(load, "customers"), "id", "_sdc_received_at", "_sdc_batched_at", "_sdc_sequence"))
                .containsExactly(
                        tuple(1L, Timestamps.toMicros(firstReceived), Timestamps.toMicros(BATCHED_AT), 1574807356000L),
                        tuple(2L, Timestamps.toMicros(secondReceived), Timestamps.toMicros(BATCHED_AT), Long.MAX_VALUE));
    }

    @Test
    void extractedAt_absentWhenNoRecordSentTimeExtracted() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1}
                """));

        assertThat(columnNames(table(load, "customers"))).doesNotContain("_sdc_extracted_at");
    }

    @Test
    void extractedAt_presentWhenTimeExtractedWasSent_nullForRecordsWithout() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1")
                .upsertExtracted(1, """
                        {"id":1,"tags":["a"]}
                        """, "2020-01-13T21:25:03Z")
                .upsert(2, """
                        {"id":2}
                        """));

        TablePlan customers = table(load, "customers");
        assertThat(typeOf(customers, "_sdc_extracted_at")).isEqualTo(TIMESTAMPTZ);
        assertThat(values(customers, "id", "_sdc_extracted_at"))
                .containsExactly(tuple(1L, micros("2020-01-13T21:25:03Z")), tuple(2L, null));
        assertThat(values(table(load, "customers__tags"), "value", "_sdc_extracted_at"))
                .containsExactly(tuple("a", micros("2020-01-13T21:25:03Z")));
    }

    @Test
    void extractedAt_anExistingColumnGetsNullWhenNotSent() {
        List<Column> columns = new ArrayList<>(withSdc(col("id", BIGINT)));
        columns.add(col("_sdc_extracted_at", TIMESTAMPTZ));
        var warehouse = emptyWarehouse().table("customers", columns, List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("b2").upsert(2, """
                {"id":2}
                """));

        TablePlan customers = table(load, "customers");
        assertThat(customers.change().isEmpty()).isTrue();
        assertThat(values(customers, "id", "_sdc_extracted_at")).containsExactly(tuple(2L, null));
    }

    @Test
    void keyedTablesHaveNoGeneratedKey() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").upsert(1, """
                {"id":1,"tags":["a"]}
                """));

        assertThat(columnNames(table(load, "customers"))).doesNotContain("__sdc_primary_key");
        assertThat(columnNames(table(load, "customers__tags"))).doesNotContain("__sdc_primary_key", "_sdc_source_key___sdc_primary_key");
    }

    @Test
    void keylessTablesGetAGeneratedUuidInSdcPrimaryKey() {
        PreparedLoad load = load("events", List.of(), batch("b1")
                .upsert(1, """
                        {"name":"signup"}
                        """)
                .upsert(1, """
                        {"name":"signup"}
                        """));

        TablePlan events = table(load, "events");
        assertThat(typeOf(events, "__sdc_primary_key")).isEqualTo(TEXT);
        assertThat(events.change().keyColumns()).isEmpty();
        assertThat(events.rows().columns()).containsAll(SDC);
        List<Object> keys = rows(events).stream().map(r -> r.get("__sdc_primary_key")).toList();
        assertThat(keys).hasSize(2).doesNotHaveDuplicates().allSatisfy(k -> UUID.fromString((String) k));
    }

    @Test
    void theGeneratedKeyIsDeterministicPerBatchKeyAndMessageIndex() {
        String first = generatedKeys("batch-A", 2).get(1);

        assertThat(generatedKeys("batch-A", 2).get(1)).as("same batch, same index, planned again").isEqualTo(first);
        assertThat(generatedKeys("batch-A", 3).get(1)).as("same batch, same index, longer batch").isEqualTo(first);
        assertThat(generatedKeys("batch-A", 2).get(0)).as("same batch, other index").isNotEqualTo(first);
        assertThat(generatedKeys("batch-B", 2).get(1)).as("other batch, same index").isNotEqualTo(first);
    }

    @Test
    void plannedRowsAreTheSameEachTimeTheyAreRead() {
        LoadFixture.Batch b = batch("b1");
        for (int i = 0; i < 3; i++) {
            b.upsert(i, "{\"n\":" + i + "}");
        }
        TablePlan events = table(load("events", List.of(), b), "events");

        assertThat(rows(events)).as("read again").isEqualTo(rows(events));
        assertThat(rows(events).stream().map(r -> r.get("__sdc_primary_key")).toList()).containsExactly(
                UUID.nameUUIDFromBytes("b1#0".getBytes(StandardCharsets.UTF_8)).toString(),
                UUID.nameUUIDFromBytes("b1#1".getBytes(StandardCharsets.UTF_8)).toString(),
                UUID.nameUUIDFromBytes("b1#2".getBytes(StandardCharsets.UTF_8)).toString());
        assertThat(values(events, "n", "_sdc_sequence")).containsExactly(tuple(0L, 0L), tuple(1L, 1L), tuple(2L, 2L));
    }

    private static List<String> generatedKeys(String batchKey, int records) {
        LoadFixture.Batch b = batch(batchKey);
        for (int i = 0; i < records; i++) {
            b.upsert(1, "{\"name\":\"same\"}");
        }
        return rows(table(load("events", List.of(), b), "events")).stream().map(r -> (String) r.get("__sdc_primary_key")).toList();
    }
}
