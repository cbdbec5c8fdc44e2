package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v4/{client}/loads} and {@code /extractions} (connect-api.md §4, §11; DECISIONS C6, I1):
 * one entry per table with its last load or the error of its last failed load, 100 per page, and the
 * Import API's 202 while a table of the source cannot load.
 */
final class LoadsApiTest {
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final String EMPTY_PAGE = "{\"data\":[],\"page\":1,\"total\":0,\"links\":{}}";
    private static final String CREATED = "{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}";
    private static final String ACCEPTED = "{\"status\":\"Accepted\",\"message\":\"The batch is queued to be processed.\"}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private long clientId;
    private String loads;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        clientId = bobbin.node().catalog().accounts().get(0).clientId();
        loads = "/v4/" + clientId + "/loads";
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    // ---- loads ------------------------------------------------------------------------------------

    @Test
    void oneEntryPerTableOrderedByStreamNameThenSourceName() {
        bobbin.accept(BatchBody.table("products", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id").upsert(1, "{\"id\":1}"));
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1}"));
        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\":2}"));
        bobbin.accept(BatchBody.table("orders", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id").upsert(1, "{\"id\":1}"));
        String firstToken = bobbin.importToken();
        bobbin.createImportSource("Another");
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1}"));
        assertThat(bobbin.importToken()).isNotEqualTo(firstToken);
        assertThat(get(loads).json()).as("nothing is listed before a load was attempted").isEqualTo(JsonText.parse(EMPTY_PAGE));

        bobbin.loadNow();
        HttpReply reply = get(loads);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode page = reply.json();
        assertThat(page.get("page").asInt()).isEqualTo(1);
        assertThat(page.get("total").asInt()).isEqualTo(4);
        assertThat(page.get("links")).isEqualTo(JsonText.parse("{}"));
        assertThat(streams(page)).containsExactly("customers/another", "customers/import_api", "orders/import_api", "products/import_api");
        for (JsonNode load : page.get("data")) {
            List<String> names = new ArrayList<>();
            load.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("stitch_client_id", "source_name", "stream_name", "last_batch_loaded_at", "error_state");
            assertThat(load.get("stitch_client_id").asLong()).isEqualTo(clientId);
            assertThat(load.get("last_batch_loaded_at").asText()).matches(TIMESTAMP);
            assertThat(load.get("error_state").isNull()).isTrue();
        }
    }

    @Test
    void pagesHoldAHundredTablesWithRelativeLinks() {
        assertThat(get(loads).json()).isEqualTo(JsonText.parse(EMPTY_PAGE));

        pushTables(0, 100);
        bobbin.loadNow();
        JsonNode hundred = get(loads).json();

        assertThat(hundred.get("total").asInt()).isEqualTo(100);
        assertThat(hundred.get("page").asInt()).isEqualTo(1);
        assertThat(hundred.get("links")).isEqualTo(JsonText.parse("{}"));
        assertThat(streams(hundred)).containsExactlyElementsOf(tableNames(0, 100, "/import_api"));

        pushTables(100, 101);
        bobbin.loadNow();
        JsonNode first = get(loads).json();
        JsonNode firstExplicit = get(loads + "?page=1").json();
        JsonNode second = get(loads + "?page=2").json();

        assertThat(firstExplicit).isEqualTo(first);
        assertThat(first.get("total").asInt()).isEqualTo(101);
        assertThat(first.get("page").asInt()).isEqualTo(1);
        assertThat(first.get("links")).isEqualTo(JsonText.parse("{\"next\":\"/v4/" + clientId + "/loads?page=2\"}"));
        assertThat(streams(first)).containsExactlyElementsOf(tableNames(0, 100, "/import_api"));
        assertThat(second.get("total").asInt()).isEqualTo(101);
        assertThat(second.get("page").asInt()).isEqualTo(2);
        assertThat(second.get("links")).isEqualTo(JsonText.parse("{\"previous\":\"/v4/" + clientId + "/loads?page=1\"}"));
        assertThat(streams(second)).containsExactly("t100/import_api");
    }

    @Test
    void aPageThatIsNotAWholeNumberFromOneIs400() {
        for (String page : List.of("0", "-1", "abc", "1.5", "")) {
            for (String path : List.of(loads, "/v4/" + clientId + "/extractions")) {
                HttpReply reply = get(path + "?page=" + page);
                assertThat(reply.status()).as(path + "?page=" + page + ": " + reply).isEqualTo(400);
                assertThat(reply.mediaType()).isEqualTo("application/json");
            }
        }
    }

    @Test
    void anotherClientIdIs401() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1}"));
        bobbin.loadNow();
        String notAuthorized = """
                {"error": "NotAuthorized",
                 "data": {"message": "a valid Connect API access token is required (Authorization: Bearer ac_...)"}}""";

        for (String client : List.of(String.valueOf(clientId + 1), "999999", "abc")) {
            for (String path : List.of("/v4/" + client + "/loads", "/v4/" + client + "/extractions", "/v4/" + client + "/loads?page=1")) {
                HttpReply reply = get(path);
                assertThat(reply.status()).as(path + ": " + reply).isEqualTo(401);
                assertThat(reply.json()).isEqualTo(JsonText.parse(notAuthorized));
            }
        }
        assertThat(bobbin.get(loads).status()).as("without a token").isEqualTo(401);
    }

    @Test
    void extractionsListNothingForImportApiSources() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1}"));
        bobbin.loadNow();

        HttpReply reply = get("/v4/" + clientId + "/extractions");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.json()).isEqualTo(JsonText.parse(EMPTY_PAGE));
        assertThat(get(loads).json().get("total").asInt()).isEqualTo(1);
    }

    // ---- error state (PostgreSQL destination that refuses a table's rows) -----------------------------

    @Test
    void aTableThatCannotLoadHasAnErrorStateAndItsSourceGets202UntilItLoadsAgain() throws SQLException {
        PostgresConnection database = TestPostgres.newDatabase();
        usePostgres(database);
        assertThat(postBatch("customers", 1).status()).isEqualTo(201);
        assertThat(postBatch("orders", 1).status()).isEqualTo(201);
        bobbin.loadNow();
        assertThat(errorStates()).containsExactly("customers: null", "orders: null");

        // the warehouse starts refusing every new row of customers (only that table)
        try (Connection admin = TestPostgres.connect(database); Statement st = admin.createStatement()) {
            st.execute("ALTER TABLE import_api.customers ADD CONSTRAINT refuse_rows CHECK (false) NOT VALID");
        }
        assertThat(postBatch("customers", 2).status()).as("no load has failed yet").isEqualTo(201);
        assertThat(postBatch("orders", 2).status()).isEqualTo(201);
        bobbin.loadNow();

        JsonNode failing = load("customers");
        assertThat(failing.get("last_batch_loaded_at").isNull()).as(failing.toString()).isTrue();
        assertThat(failing.get("error_state").isObject()).as(failing.toString()).isTrue();
        assertThat(failing.get("error_state").get("notification_data").get("error").asText()).isEqualTo("LOADER_WAREHOUSE_ERROR");
        assertThat(failing.get("error_state").toString()).contains("refuse_rows");
        JsonNode other = load("orders");
        assertThat(other.get("error_state").isNull()).as(other.toString()).isTrue();
        assertThat(other.get("last_batch_loaded_at").asText()).matches(TIMESTAMP);

        HttpReply batch = postBatch("customers", 3);
        HttpReply push = bobbin.post("/v2/import/push", "[{\"client_id\":" + clientId + ",\"table_name\":\"customers\",\"sequence\":4,"
                        + "\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":4}}]",
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json");
        assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
        assertThat(batch.json()).isEqualTo(JsonText.parse(ACCEPTED));
        assertThat(push.status()).as(push.toString()).isEqualTo(202);
        assertThat(push.json()).isEqualTo(JsonText.parse(ACCEPTED));

        // the warehouse takes rows again: the waiting batches load, pushes are 201 again
        try (Connection admin = TestPostgres.connect(database); Statement st = admin.createStatement()) {
            st.execute("ALTER TABLE import_api.customers DROP CONSTRAINT refuse_rows");
        }
        bobbin.loadNow();

        assertThat(errorStates()).containsExactly("customers: null", "orders: null");
        assertThat(load("customers").get("last_batch_loaded_at").asText()).matches(TIMESTAMP);
        HttpReply after = postBatch("customers", 5);
        assertThat(after.status()).as(after.toString()).isEqualTo(201);
        assertThat(after.json()).isEqualTo(JsonText.parse(CREATED));
        bobbin.loadNow();
        assertThat(ids(database, "customers")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ids(database, "orders")).containsExactly(1L, 2L);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private HttpReply get(String path) {
        return bobbin.get(path, "Authorization", "Bearer " + bobbin.connectToken(), "Accept", "application/json",
                "Content-Type", "application/json");
    }

    /** Replaces the account's embedded destination with a PostgreSQL database, through the Connect API. */
    private void usePostgres(PostgresConnection database) {
        JsonNode destinations = get("/v4/destinations").json();
        assertThat(destinations).hasSize(1);
        assertThat(destinations.get(0).get("type").asText()).isEqualTo("duckdb");
        HttpReply deleted = bobbin.connectDelete("/v4/destinations/" + destinations.get(0).get("id").asLong());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        HttpReply created = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"properties\":{\"host\":\"" + database.host()
                + "\",\"port\":\"" + database.port() + "\",\"username\":\"" + database.username() + "\",\"password\":\"unused\","
                + "\"database\":\"" + database.database() + "\",\"ssl\":false}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.json().get("type").asText()).isEqualTo("postgres");
    }

    private HttpReply postBatch(String table, long id) {
        return bobbin.postBatch(BatchBody.table(table, "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id")
                .upsert(id, "{\"id\":" + id + "}"));
    }

    /** One push request with one record for each table {@code t<from>} .. {@code t<to - 1>}. */
    private void pushTables(int from, int to) {
        String records = String.join(",", IntStream.range(from, to).mapToObj(i -> "{\"client_id\":" + clientId
                + ",\"table_name\":\"" + String.format("t%03d", i) + "\",\"sequence\":1,\"action\":\"upsert\","
                + "\"key_names\":[\"id\"],\"data\":{\"id\":" + i + "}}").toList());
        HttpReply reply = bobbin.post("/v2/import/push", "[" + records + "]",
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    }

    private static List<String> tableNames(int from, int to, String suffix) {
        return IntStream.range(from, to).mapToObj(i -> String.format("t%03d", i) + suffix).toList();
    }

    /** {@code stream_name/source_name} of each entry of a page, in order. */
    private static List<String> streams(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("data").forEach(l -> out.add(l.get("stream_name").asText() + "/" + l.get("source_name").asText()));
        return out;
    }

    private JsonNode load(String stream) {
        for (JsonNode l : get(loads).json().get("data")) {
            if (l.get("stream_name").asText().equals(stream)) {
                return l;
            }
        }
        throw new AssertionError("no load entry for " + stream + " in " + get(loads));
    }

    private List<String> errorStates() {
        List<String> out = new ArrayList<>();
        get(loads).json().get("data").forEach(l -> out.add(l.get("stream_name").asText() + ": " + l.get("error_state")));
        return out;
    }

    private static List<Long> ids(PostgresConnection database, String table) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM import_api." + table + " ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }
}
