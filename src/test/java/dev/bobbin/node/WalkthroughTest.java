package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs' end-to-end flow (connect-api.md §7.4): read the import_api report card, create the
 * source, create a token, push the quick-start batch (import-api.md §6.6), find the row in
 * {@code import_api.customers}.
 */
final class WalkthroughTest {
    private static final String CONNECT_TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    /** import-api.md §6.6 "Quick-start request", verbatim. */
    private static final String QUICK_START = """
            {
              "table_name": "customers",
              "schema": {
                "properties": {
                  "id": {"type": "integer"},
                  "name": {"type": "string"},
                  "age": {"type": "integer"},
                  "has_magic": {"type": "boolean"}
                }
              },
              "messages": [
                {"action": "upsert", "sequence": 1565880017,
                 "data": {"id": 1, "name": "Finn", "age": 15, "has_magic": false}}
              ],
              "key_names": ["id"]
            }""";

    /** import-api.md §6.6 "Single record", verbatim: adds a date-time field. */
    private static final String SINGLE_RECORD = """
            {
              "table_name": "customers",
              "schema": {
                "properties": {
                  "id": {"type": "integer"},
                  "name": {"type": "string"},
                  "age": {"type": "integer"},
                  "has_magic": {"type": "boolean"},
                  "modified_at": {"type": "string", "format": "date-time"}
                }
              },
              "messages": [
                {
                  "action": "upsert",
                  "sequence": 1565880017,
                  "data": {"id": 1, "name": "Finn", "age": 15, "has_magic": false,
                           "modified_at": "2020-01-13T21:25:03+0000"}
                }
              ],
              "key_names": ["id"]
            }""";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.FAST_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void createSourceAndTokenThenPushTheQuickStartBatchAndFindTheRow() {
        // 1. the source type's report card
        HttpReply type = bobbin.connectGet("/v4/source-types/import_api");
        assertThat(type.status()).isEqualTo(200);
        assertThat(type.mediaType()).isEqualTo("application/json");
        assertThat(type.json()).isEqualTo(JsonText.parse("""
                {"type": "import_api", "current_step": 1, "current_step_type": "form",
                 "steps": [{"type": "form", "properties": []}, {"type": "fully_configured", "properties": []}],
                 "details": {"pricing_tier": "standard", "pipeline_state": "released", "default_start_date": "-1 year",
                             "default_scheduling_interval": 60, "protocol": "import_api", "access": true}}"""));

        // 2. the source
        HttpReply created = bobbin.connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.mediaType()).isEqualTo("application/json");
        JsonNode source = created.json();
        assertThat(fieldNames(source)).containsExactly("properties", "updated_at", "schedule", "name", "type", "deleted_at",
                "system_paused_at", "stitch_client_id", "paused_at", "id", "display_name", "created_at", "report_card");
        assertThat(source.get("properties")).isEqualTo(JsonText.parse("{}"));
        assertThat(source.get("schedule").isNull()).isTrue();
        assertThat(source.get("name").asText()).isEqualTo("import_api");
        assertThat(source.get("type").asText()).isEqualTo("import_api");
        assertThat(source.get("deleted_at").isNull()).isTrue();
        assertThat(source.get("system_paused_at").isNull()).isTrue();
        assertThat(source.get("paused_at").isNull()).isTrue();
        assertThat(source.get("stitch_client_id").isIntegralNumber()).isTrue();
        assertThat(source.get("stitch_client_id").asLong()).isEqualTo(bobbin.node().catalog().accounts().get(0).clientId());
        assertThat(source.get("id").isIntegralNumber()).isTrue();
        assertThat(source.get("display_name").asText()).isEqualTo("Import API");
        assertThat(source.get("created_at").asText()).matches(CONNECT_TIMESTAMP);
        assertThat(source.get("updated_at").asText()).matches(CONNECT_TIMESTAMP);
        assertThat(source.get("report_card")).isEqualTo(JsonText.parse("""
                {"type": "import_api", "current_step": 2, "current_step_type": "fully_configured",
                 "steps": [{"type": "form", "properties": []}, {"type": "fully_configured", "properties": []}]}"""));
        long sourceId = source.get("id").asLong();

        // 3. the Import API token
        HttpReply tokenReply = bobbin.connectPost("/v4/sources/" + sourceId + "/tokens", null);
        assertThat(tokenReply.status()).isEqualTo(200);
        JsonNode token = tokenReply.json();
        assertThat(fieldNames(token)).containsExactly("id", "access_token");
        assertThat(token.get("id").isIntegralNumber()).isTrue();
        assertThat(token.get("access_token").asText()).startsWith("at_").hasSizeGreaterThanOrEqualTo(3 + 43);

        // 4. the push
        HttpReply push = bobbin.post("/v2/import/batch", QUICK_START,
                "Authorization", "Bearer " + token.get("access_token").asText(), "Content-Type", "application/json");
        assertThat(push.status()).isEqualTo(201);
        assertThat(push.mediaType()).isEqualTo("application/json");
        assertThat(push.json()).isEqualTo(JsonText.parse("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}"));

        // 5. the destination
        bobbin.awaitLoaded();
        assertThat(bobbin.rows("SELECT id, name, age, has_magic, _sdc_sequence, _sdc_table_version,"
                + " _sdc_received_at IS NOT NULL, _sdc_batched_at IS NOT NULL FROM import_api.customers"))
                .containsExactly(List.of("1", "Finn", "15", "false", "1565880017", "0", "true", "true"));
        assertThat(bobbin.rows("SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema='import_api' AND table_name='customers' ORDER BY ordinal_position"))
                .containsExactly(
                        List.of("id", "BIGINT"),
                        List.of("name", "VARCHAR"),
                        List.of("age", "BIGINT"),
                        List.of("has_magic", "BOOLEAN"),
                        List.of("_sdc_received_at", "TIMESTAMP WITH TIME ZONE"),
                        List.of("_sdc_batched_at", "TIMESTAMP WITH TIME ZONE"),
                        List.of("_sdc_sequence", "BIGINT"),
                        List.of("_sdc_table_version", "BIGINT"));
        assertThat(bobbin.rows("SELECT array_to_string(constraint_column_names, ',') FROM duckdb_constraints()"
                + " WHERE schema_name='import_api' AND table_name='customers' AND constraint_type='PRIMARY KEY'"))
                .containsExactly(List.of("id"));
    }

    @Test
    void systemTimestampsAreWhenTheBatchWasReceivedAndLoaded() {
        bobbin.createImportSource("Import API");
        Instant before = Instant.now();
        bobbin.accept(BatchBody.customers().upsert(1565880017, "{\"id\":1,\"name\":\"Finn\"}"));
        bobbin.awaitLoaded();
        Instant after = Instant.now();

        List<String> times = bobbin.rows("SELECT epoch_us(_sdc_received_at), epoch_us(_sdc_batched_at) FROM import_api.customers").get(0);
        long receivedMicros = Long.parseLong(times.get(0));
        long batchedMicros = Long.parseLong(times.get(1));

        assertThat(receivedMicros).isBetween(micros(before), micros(after));
        assertThat(batchedMicros).isBetween(receivedMicros, micros(after));
    }

    @Test
    void aDateTimeFieldLandsAsTimestampWithTimeZoneAtTheSameInstant() {
        bobbin.createImportSource("Import API");

        HttpReply push = bobbin.postBatch(SINGLE_RECORD);
        bobbin.awaitLoaded();

        assertThat(push.status()).isEqualTo(201);
        assertThat(bobbin.value("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema='import_api' AND table_name='customers' AND column_name='modified_at'"))
                .isEqualTo("TIMESTAMP WITH TIME ZONE");
        assertThat(bobbin.value("SELECT epoch_us(modified_at) FROM import_api.customers"))
                .isEqualTo(Long.toString(micros(Instant.parse("2020-01-13T21:25:03Z"))));
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
