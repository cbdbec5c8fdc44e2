package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transit on {@code POST /v2/import/push} over HTTP and into the warehouse (import-api.md §4, §7.2,
 * DECISIONS I8): a Transit value loads the same way as the equivalent JSON value, that is the JSON
 * value a batch would type with its schema ({@code ~m}/{@code ~t} as a {@code date-time} string,
 * {@code ~f} as a {@code singer.decimal} number, {@code ~i} as an integer).
 */
final class TransitPushTest {
    private static final String TRANSIT = "application/transit+json";
    private static final String UUID_1 = "5a2d0c1e-7d2b-4c43-9d3f-0e6c1b2a3f4d";
    private static final String UUID_2 = "00000000-0000-0000-0000-000000000000";
    private static final List<List<String>> COLUMNS = List.of(
            List.of("id", "BIGINT"), List.of("at", "TIMESTAMP WITH TIME ZONE"), List.of("amount", "DECIMAL(38,9)"),
            List.of("count", "BIGINT"), List.of("kind", "VARCHAR"), List.of("uuid", "VARCHAR"));
    private static final String ROWS = "SELECT id, \"at\", CAST(amount AS VARCHAR), count, kind, uuid, _sdc_sequence FROM import_api.%s ORDER BY id";

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
    void theCompactFormWithCacheCodesLoadsLikeTheEquivalentJson() {
        // Cache codes, in the order a writer assigns them: map keys longer than 3 characters and
        // keywords. ^0 client_id, ^1 table_name, ^2 sequence, ^3 action, ^4 key_names, ^5 data,
        // ^6 amount, ^7 count, ^8 kind, ^9 ~:click, ^: uuid ("id" and "at" are too short to cache).
        String transit = """
                [["^ ","client_id",%1$d,"table_name","transit_events","sequence","~i1565880017000000001","action","upsert",
                  "key_names",["id"],"data",["^ ","id","~i9007199254740993","at","~m1578950703123","amount","~f12.50",
                  "count","~i42","kind","~:click","uuid","~u%2$s"]],
                 ["^ ","^0",%1$d,"^1","transit_events","^2","~i1565880017000000002","^3","upsert","^4",["id"],
                  "^5",["^ ","id",2,"at","~m-1000","^6","~f-0.000000001","^7","~i-9223372036854775808","^8","^9","^:","~u%3$s"]]]
                """.formatted(clientId, UUID_1, UUID_2);

        HttpReply transitReply = bobbin.postImport("/v2/import/push", transit, TRANSIT);
        HttpReply jsonReply = bobbin.postBatch(equivalentJson("json_events"));

        assertAccepted(transitReply);
        assertAccepted(jsonReply);
        assertThat(bobbin.loadNow()).isEqualTo(2);
        assertThat(dataColumns("transit_events")).isEqualTo(COLUMNS);
        assertThat(dataColumns("json_events")).isEqualTo(COLUMNS);
        assertThat(bobbin.rows(ROWS.formatted("transit_events"))).containsExactly(
                List.of("2", "1969-12-31 23:59:59+00", "-0.000000001", "-9223372036854775808", "click", UUID_2, "1565880017000000002"),
                List.of("9007199254740993", "2020-01-13 21:25:03.123+00", "12.500000000", "42", "click", UUID_1, "1565880017000000001"));
        assertThat(bobbin.rows(ROWS.formatted("transit_events"))).isEqualTo(bobbin.rows(ROWS.formatted("json_events")));
    }

    @Test
    void theVerboseFormLoadsTheSame() {
        String transit = """
                [{"client_id":%1$d,"table_name":"verbose_events","sequence":"~i1565880017000000001","action":"upsert",
                  "key_names":["id"],"data":{"id":"~i9007199254740993","at":"~t2020-01-13T21:25:03.123Z","amount":"~f12.50",
                  "count":42,"kind":"~:click","uuid":"~u%2$s"}}]
                """.formatted(clientId, UUID_1);

        assertAccepted(bobbin.postImport("/v2/import/push", transit, TRANSIT));
        bobbin.loadNow();

        assertThat(dataColumns("verbose_events")).isEqualTo(COLUMNS);
        assertThat(bobbin.rows(ROWS.formatted("verbose_events"))).containsExactly(
                List.of("9007199254740993", "2020-01-13 21:25:03.123+00", "12.500000000", "42", "click", UUID_1, "1565880017000000001"));
    }

    @Test
    void aGzipTransitBodyIsAccepted() {
        String transit = "[[\"^ \",\"client_id\"," + clientId + ",\"table_name\",\"zipped\",\"sequence\",1,\"action\",\"upsert\","
                + "\"key_names\",[\"id\"],\"data\",[\"^ \",\"id\",\"~n12345678901234567890\",\"at\",\"~m0\"]]]";

        HttpReply reply = bobbin.post("/v2/import/push", HttpRequest.BodyPublishers.ofByteArray(PushEndpointTest.gzip(transit)),
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", TRANSIT, "Content-Encoding", "gzip");

        assertAccepted(reply);
        bobbin.loadNow();
        assertThat(bobbin.rows("SELECT CAST(id AS VARCHAR), \"at\" FROM import_api.zipped"))
                .containsExactly(List.of("12345678901234567890.000000000", "1970-01-01 00:00:00+00"));
    }

    /** The batch that types the same values by its JSON Schema. */
    private static String equivalentJson(String table) {
        return BatchBody.table(table, """
                        {"properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                                        "amount": {"type": "number", "format": "singer.decimal"}, "count": {"type": "integer"},
                                        "kind": {"type": "string"}, "uuid": {"type": "string"}}}""")
                .keyNames("id")
                .message("{\"action\":\"upsert\",\"sequence\":1565880017000000001,\"data\":{\"id\":9007199254740993,"
                        + "\"at\":\"2020-01-13T21:25:03.123Z\",\"amount\":12.50,\"count\":42,\"kind\":\"click\",\"uuid\":\"" + UUID_1 + "\"}}")
                .message("{\"action\":\"upsert\",\"sequence\":1565880017000000002,\"data\":{\"id\":2,"
                        + "\"at\":\"1969-12-31T23:59:59Z\",\"amount\":-0.000000001,\"count\":-9223372036854775808,\"kind\":\"click\","
                        + "\"uuid\":\"" + UUID_2 + "\"}}")
                .json();
    }

    private List<List<String>> dataColumns(String table) {
        return bobbin.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'import_api'"
                + " AND table_name = '" + table + "' AND column_name NOT LIKE '\\_sdc\\_%' ESCAPE '\\' ORDER BY ordinal_position");
    }

    private static void assertAccepted(HttpReply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}"));
    }
}
