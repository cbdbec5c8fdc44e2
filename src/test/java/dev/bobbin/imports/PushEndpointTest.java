package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RawHttp;
import dev.bobbin.testing.RunningBobbin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v2/import/push} success paths, over HTTP and into the warehouse (import-api.md §7,
 * DECISIONS I1, I3, I6, I7, I9, L3, L9).
 */
final class PushEndpointTest {
    private static final String PUSH = "/v2/import/push";
    private static final String ACCEPTED = "{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private long clientId;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        clientId = bobbin.clientId();
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void aMultiTableRequestIsAcceptedAndLoadsEveryTable() {
        // the docs' push example (import-api.md §7.3)
        HttpReply reply = push("""
                [{"client_id": %1$d, "table_name": "customers", "sequence": 1565880017,
                  "data": {"id": 4, "name": "BMO"}, "key_names": ["id"], "action": "upsert"},
                 {"client_id": %1$d, "table_name": "orders", "sequence": 1565838645,
                  "data": {"order_id": 561, "customer_id": 4}, "key_names": ["order_id"], "action": "upsert"}]
                """.formatted(clientId));

        assertAccepted(reply);
        assertThat(bobbin.pendingBatches()).as("one batch per table").isEqualTo(2);
        assertThat(bobbin.loadNow()).isEqualTo(2);
        assertThat(bobbin.tables("import_api")).containsExactly("customers", "orders");
        assertThat(bobbin.rows("SELECT id, name, _sdc_sequence FROM import_api.customers")).containsExactly(List.of("4", "BMO", "1565880017"));
        assertThat(bobbin.rows("SELECT order_id, customer_id, _sdc_sequence FROM import_api.orders"))
                .containsExactly(List.of("561", "4", "1565838645"));
    }

    @Test
    void valuesAreTypedByTheirJsonTypeAndAnIsoStringStaysText() {
        // import-api.md §7.2: id (integer) | cost (double) | tax (string) | modified_at (string)
        assertAccepted(push(record("customers", 1, "{\"id\":1,\"cost\":3.14,\"tax\":\"1.00\",\"modified_at\":\"2019-08-13T21:25:03+0000\","
                + "\"active\":true}")));
        bobbin.loadNow();

        assertThat(dataColumns("customers")).containsExactly(
                List.of("id", "BIGINT"), List.of("cost", "DOUBLE"), List.of("tax", "VARCHAR"), List.of("modified_at", "VARCHAR"),
                List.of("active", "BOOLEAN"));
        assertThat(bobbin.rows("SELECT id, cost, tax, modified_at, active FROM import_api.customers"))
                .containsExactly(List.of("1", "3.14", "1.00", "2019-08-13T21:25:03+0000", "true"));
    }

    @Test
    void aNumberWrittenWithAFractionIsADoubleEvenWhenItsFractionIsZero() {
        // loading.md §9.2: a JSON integer is an integer, a JSON non-integer number a double
        assertAccepted(push(record("prices", 1, "{\"id\":1,\"cost\":1.0,\"tax\":11.0,\"zero\":0.0}")));
        bobbin.loadNow();

        assertThat(dataColumns("prices")).containsExactly(
                List.of("id", "BIGINT"), List.of("cost", "DOUBLE"), List.of("tax", "DOUBLE"), List.of("zero", "DOUBLE"));
        assertThat(bobbin.rows("SELECT cost, tax, zero FROM import_api.prices")).containsExactly(List.of("1.0", "11.0", "0.0"));
    }

    @Test
    void nineteenDigitSequencesAreStoredExactly() {
        // above 2^53, where a double would round them (DECISIONS I4)
        assertAccepted(push("[" + String.join(",",
                recordJson("events", "1565880017000000001", "{\"id\":1}"),
                recordJson("events", "9223372036854775807", "{\"id\":2}"),
                recordJson("events", "9007199254740993", "{\"id\":3}")) + "]"));
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT id, _sdc_sequence FROM import_api.events ORDER BY id")).containsExactly(
                List.of("1", "1565880017000000001"), List.of("2", "9223372036854775807"), List.of("3", "9007199254740993"));
    }

    @Test
    void switchViewKeepsOnlyTheNewTableVersion() {
        // DECISIONS I3, L9: switch_view for version V deletes the rows of versions below V
        assertAccepted(push("[" + String.join(",",
                versioned("a", 1, 1), versioned("b", 2, 1)) + "]"));
        assertThat(bobbin.loadNow()).isEqualTo(1);
        assertThat(bobbin.rows("SELECT id, _sdc_table_version FROM import_api.people ORDER BY id"))
                .containsExactly(List.of("a", "1"), List.of("b", "1"));

        assertAccepted(push("[" + String.join(",", versioned("c", 3, 2),
                "{\"client_id\":" + clientId + ",\"table_name\":\"people\",\"sequence\":4,\"action\":\"switch_view\","
                        + "\"key_names\":[\"id\"],\"table_version\":2}") + "]"));
        assertThat(bobbin.loadNow()).isEqualTo(1);

        assertThat(bobbin.rows("SELECT id, _sdc_table_version FROM import_api.people ORDER BY id")).containsExactly(List.of("c", "2"));
    }

    @Test
    void namespaceAndTableVersionAreAcceptedOnUpserts() {
        assertAccepted(push("[{\"client_id\":" + clientId + ",\"namespace\":\"shop\",\"table_name\":\"ns\",\"sequence\":1,"
                + "\"action\":\"upsert\",\"key_names\":[\"id\"],\"table_version\":7,\"data\":{\"id\":1}}]"));
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT id, _sdc_table_version FROM import_api.ns")).containsExactly(List.of("1", "7"));
    }

    @Test
    void aGzipBodyIsAcceptedOnBatchPushAndValidate() {
        byte[] push = gzip(record("zipped_push", 1, "{\"id\":1}"));
        byte[] batch = gzip(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\"}").json());

        HttpReply pushed = bobbin.post(PUSH, HttpRequest.BodyPublishers.ofByteArray(push), "Authorization", "Bearer " + bobbin.importToken(),
                "Content-Type", "application/json", "Content-Encoding", "gzip");
        HttpReply validated = bobbin.post("/v2/import/validate", HttpRequest.BodyPublishers.ofByteArray(push),
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json", "Content-Encoding", "GZIP");
        HttpReply batched = bobbin.post("/v2/import/batch", HttpRequest.BodyPublishers.ofByteArray(batch),
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json", "Content-Encoding", "gzip");

        assertAccepted(pushed);
        assertThat(validated.status()).isEqualTo(200);
        assertThat(validated.mediaType()).isEqualTo("application/json");
        assertThat(validated.json()).isEqualTo(JsonText.parse("{\"status\":\"OK\",\"message\":\"Batch is valid!\"}"));
        assertAccepted(batched);
        assertThat(bobbin.loadNow()).isEqualTo(2);
        assertThat(bobbin.rows("SELECT id FROM import_api.zipped_push")).containsExactly(List.of("1"));
        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers")).containsExactly(List.of("1", "Finn"));
    }

    @Test
    void lowerCaseHeaderNamesAreAccepted() {
        // sent over a raw socket, so the names go out exactly as written (DECISIONS I6)
        byte[] body = record("lower", 1, "{\"id\":1}").getBytes(StandardCharsets.UTF_8);
        HttpReply reply = RawHttp.exchange(bobbin.node().port(), RawHttp.request("POST " + PUSH + " HTTP/1.1", List.of(
                "host: 127.0.0.1", "connection: close", "authorization: Bearer " + bobbin.importToken(),
                "content-type: application/json", "content-length: " + body.length), body), false);

        assertAccepted(reply);
        bobbin.loadNow();
        assertThat(bobbin.rows("SELECT id FROM import_api.lower")).containsExactly(List.of("1"));
    }

    @Test
    void theBearerColonFormAndOtherCasesOfTheSchemeAreAccepted() {
        // import-api.md §3 AMBIGUITY, DECISIONS I6
        int sequence = 1;
        for (String header : List.of("Bearer: " + bobbin.importToken(), "bearer " + bobbin.importToken(), "BEARER " + bobbin.importToken())) {
            HttpReply reply = bobbin.post(PUSH, record("schemes", sequence++, "{\"id\":1}"), "Authorization", header,
                    "Content-Type", "application/json; charset=utf-8");
            assertThat(reply.status()).as(header).isEqualTo(201);
        }
        assertThat(bobbin.pendingBatches()).isEqualTo(3);
        assertThat(bobbin.loadNow()).isEqualTo(3);
        assertThat(bobbin.rows("SELECT id, _sdc_sequence FROM import_api.schemes")).containsExactly(List.of("1", "3"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private HttpReply push(String body) {
        return bobbin.postImport(PUSH, body, "application/json");
    }

    private String record(String table, long sequence, String data) {
        return "[" + recordJson(table, Long.toString(sequence), data) + "]";
    }

    private String recordJson(String table, String sequence, String data) {
        return "{\"client_id\":" + clientId + ",\"table_name\":\"" + table + "\",\"sequence\":" + sequence
                + ",\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":" + data + "}";
    }

    private String versioned(String id, long sequence, long version) {
        return "{\"client_id\":" + clientId + ",\"table_name\":\"people\",\"sequence\":" + sequence + ",\"action\":\"upsert\","
                + "\"key_names\":[\"id\"],\"table_version\":" + version + ",\"data\":{\"id\":\"" + id + "\"}}";
    }

    /** The table's columns and DuckDB types, without the {@code _sdc_} columns, in order. */
    private List<List<String>> dataColumns(String table) {
        return bobbin.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'import_api'"
                + " AND table_name = '" + table + "' AND column_name NOT LIKE '\\_sdc\\_%' ESCAPE '\\' ORDER BY ordinal_position");
    }

    private static void assertAccepted(HttpReply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(ACCEPTED));
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
