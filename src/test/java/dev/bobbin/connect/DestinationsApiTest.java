package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.json.Json;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connect API destination types and destinations over real HTTP (connect-api.md §8–§10, DECISIONS
 * C5, C7): the report cards, the embedded duckdb destination a new account starts with, the
 * one-destination limit, deletes, a postgres destination that is accepted only after a real
 * connection check against a real server, updates, and the documented plain-string errors.
 */
final class DestinationsApiTest {
    private static final String NOT_AUTHORIZED = """
            {"error": "NotAuthorized",
             "data": {"message": "a valid Connect API access token is required (Authorization: Bearer ac_...)"}}""";
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final String HOST_SCHEMA = """
            {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"},
                       {"type": "string", "format": "hostname"}]}""";
    private static final String DIGITS_SCHEMA = "{\"type\": \"string\", \"pattern\": \"^\\\\d+$\"}";

    /** connect-api.md §9.2: name, required, credential, json_schema; every one user_provided. */
    private static final List<Object[]> POSTGRES_FORM = List.of(
            new Object[] {"database", true, false, "{\"type\": \"string\"}"},
            new Object[] {"host", true, false, HOST_SCHEMA},
            new Object[] {"port", true, false, DIGITS_SCHEMA},
            new Object[] {"username", true, false, "{\"type\": \"string\"}"},
            new Object[] {"password", true, true, "{\"type\": \"string\"}"},
            new Object[] {"ssl", true, false, "{\"type\": \"boolean\"}"},
            new Object[] {"sslrootcert", false, false, "{\"type\": \"string\"}"},
            new Object[] {"encryption_type", true, false, "{\"type\": \"string\", \"pattern\": \"^(ssh|none)$\"}"},
            new Object[] {"encryption_host", false, false, HOST_SCHEMA},
            new Object[] {"encryption_port", false, false, DIGITS_SCHEMA},
            new Object[] {"encryption_username", false, false, "{\"type\": \"string\"}"});

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    // ---- destination types ----------------------------------------------------------------------

    @Test
    void listsTheDuckDbAndPostgresReportCards() {
        HttpReply reply = bobbin.connectGet("/v4/destination-types");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode cards = reply.json();
        assertThat(cards.isArray()).isTrue();
        assertThat(cards).hasSize(2);
        Map<String, JsonNode> byType = new TreeMap<>();
        cards.forEach(card -> byType.put(card.get("type").asText(), card));
        assertThat(byType.keySet()).containsExactly("duckdb", "postgres");
        assertThat(byType.get("duckdb")).isEqualTo(JsonText.parse("""
                {"type": "duckdb", "current_step": 1, "current_step_type": "form",
                 "steps": [{"type": "form", "properties": []}, {"type": "fully_configured", "properties": []}],
                 "details": {"pricing_tier": "standard", "pipeline_state": "released", "protocol": "duckdb", "access": true}}"""));
        assertPostgresTypeCard(byType.get("postgres"));
    }

    @Test
    void getsThePostgresReportCard() {
        HttpReply reply = bobbin.connectGet("/v4/destination-types/postgres");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertPostgresTypeCard(reply.json());
    }

    @Test
    void anUnknownDestinationTypeIs404() {
        assertThat(bobbin.connectGet("/v4/destination-types/snowflake").status()).isEqualTo(404);
        assertThat(bobbin.connectGet("/v4/destination-types/Postgres").status()).isEqualTo(404);
    }

    /** connect-api.md §9.1 and §9.2: step 1 of 2, the documented form properties, none provided yet. */
    private static void assertPostgresTypeCard(JsonNode card) {
        ObjectNode withoutForm = card.deepCopy();
        withoutForm.remove("steps");
        assertThat(withoutForm).isEqualTo(JsonText.parse("""
                {"type": "postgres", "current_step": 1, "current_step_type": "form",
                 "details": {"pricing_tier": "standard", "pipeline_state": "released", "protocol": "postgres", "access": true}}"""));
        assertThat(card.get("steps")).hasSize(2);
        assertThat(card.get("steps").get(0).get("type").asText()).isEqualTo("form");
        assertThat(card.get("steps").get(1)).isEqualTo(JsonText.parse("{\"type\": \"fully_configured\", \"properties\": []}"));
        assertThat(formByName(card)).isEqualTo(expectedForm(Map.of()));
    }

    /** The form properties by name, as §6.3 describes each one; {@code provided} true for the names given. */
    private static Map<String, JsonNode> expectedForm(Map<String, Boolean> provided) {
        Map<String, JsonNode> form = new TreeMap<>();
        for (Object[] p : POSTGRES_FORM) {
            String name = (String) p[0];
            form.put(name, JsonText.parse("{\"name\": \"" + name + "\", \"is_required\": " + p[1] + ", \"is_credential\": " + p[2]
                    + ", \"system_provided\": false, \"property_type\": \"user_provided\", \"json_schema\": " + p[3]
                    + ", \"provided\": " + provided.getOrDefault(name, false) + "}"));
        }
        return form;
    }

    private static Map<String, JsonNode> formByName(JsonNode card) {
        Map<String, JsonNode> form = new TreeMap<>();
        JsonNode properties = card.get("steps").get(0).get("properties");
        properties.forEach(p -> form.put(p.get("name").asText(), p));
        assertThat(form).as("one entry per property").hasSize(properties.size());
        return form;
    }

    // ---- the duckdb destination a new account starts with ----------------------------------------

    @Test
    void aNewAccountStartsWithTheEmbeddedDuckDbDestination() {
        HttpReply reply = bobbin.connectGet("/v4/destinations");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        JsonNode list = reply.json();
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(1);
        JsonNode duckdb = list.get(0);
        assertThat(duckdb.get("type").asText()).isEqualTo("duckdb");
        assertThat(duckdb.get("id").isIntegralNumber()).isTrue();
        assertThat(duckdb.get("stitch_client_id").asLong()).isEqualTo(clientId());
        assertThat(duckdb.get("properties")).isEqualTo(JsonText.parse("{}"));
        assertThat(duckdb.get("created_at").asText()).matches(TIMESTAMP);
        assertThat(duckdb.get("updated_at").asText()).matches(TIMESTAMP);
        assertThat(duckdb.get("deleted_at").isNull()).isTrue();
        assertThat(duckdb.get("paused_at").isNull()).isTrue();
        assertThat(duckdb.get("system_paused_at").isNull()).isTrue();
        assertThat(duckdb.get("report_card")).isEqualTo(JsonText.parse("""
                {"type": "duckdb", "current_step": 2, "current_step_type": "fully_configured",
                 "steps": [{"type": "form", "properties": []}, {"type": "fully_configured", "properties": []}]}"""));

        HttpReply byId = bobbin.connectGet("/v4/destinations?destination_id=" + duckdb.get("id").asLong());
        assertThat(byId.status()).isEqualTo(200);
        assertThat(byId.json()).isEqualTo(list);
    }

    @Test
    void aSecondDestinationIsOverTheLimit() {
        PostgresConnection database = TestPostgres.newDatabase();

        HttpReply reply = bobbin.connectPost("/v4/destinations",
                "{\"type\":\"postgres\",\"properties\":" + RunningBobbin.postgresProperties(database) + "}");

        assertPlain(reply, 400, "you are at your destination limit");
        assertThat(bobbin.destinations()).hasSize(1);
        assertThat(bobbin.destinations().get(0).get("type").asText()).isEqualTo("duckdb");
        assertThat(tablesIn(database, "_bobbin")).as("a refused destination is not even probed").isEmpty();
    }

    @Test
    void deletingTheDestinationAnswersAnEmptyObjectAndASecondDeleteIsRefused() {
        long id = bobbin.destinations().get(0).get("id").asLong();

        HttpReply deleted = bobbin.connectDelete("/v4/destinations/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.mediaType()).isEqualTo("application/json");
        assertThat(deleted.json()).isEqualTo(JsonText.parse("{}"));
        assertThat(bobbin.destinations()).isEmpty();

        HttpReply again = bobbin.connectDelete("/v4/destinations/" + id);
        assertPlain(again, 400, "Unable to locate dest (" + id + ") for client (" + clientId() + ") to delete");

        HttpReply unknown = bobbin.connectDelete("/v4/destinations/" + (id + 1000));
        assertPlain(unknown, 400, "Unable to locate dest (" + (id + 1000) + ") for client (" + clientId() + ") to delete");
    }

    @Test
    void deletingAnIdWithIllegalCharactersIs404() {
        assertThat(bobbin.connectDelete("/v4/destinations/abc").status()).isEqualTo(404);
        assertThat(bobbin.connectDelete("/v4/destinations/").status()).isEqualTo(404);
        assertThat(bobbin.destinations()).hasSize(1);
    }

    // ---- creating a postgres destination ----------------------------------------------------------

    @Test
    void badPostgresPropertiesAreRefusedByName() {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();
        ObjectNode properties = (ObjectNode) JsonText.parse(RunningBobbin.postgresProperties(database));

        ObjectNode noHost = properties.deepCopy();
        noHost.remove("host");
        HttpReply missingHost = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"properties\":" + Json.write(noHost) + "}");
        assertThat(missingHost.status()).isEqualTo(400);
        assertThat(missingHost.mediaType()).isEqualTo("text/plain");
        assertThat(missingHost.body()).contains("host").doesNotContain("port").doesNotContain(RunningBobbin.TEST_PASSWORD);

        ObjectNode badPort = properties.deepCopy();
        badPort.put("port", "abc");
        HttpReply notDigits = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"properties\":" + Json.write(badPort) + "}");
        assertThat(notDigits.status()).isEqualTo(400);
        assertThat(notDigits.mediaType()).isEqualTo("text/plain");
        assertThat(notDigits.body()).contains("port").doesNotContain("host").doesNotContain(RunningBobbin.TEST_PASSWORD);

        ObjectNode both = noHost.deepCopy();
        both.put("port", "abc");
        HttpReply twoProblems = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"properties\":" + Json.write(both) + "}");
        assertThat(twoProblems.status()).isEqualTo(400);
        assertThat(twoProblems.body()).contains("host").contains("port");

        assertThat(bobbin.destinations()).isEmpty();
    }

    @Test
    void aServerThatCannotBeReachedFailsTheConnectionCheckAndNothingIsStored() throws IOException {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PostgresConnection nowhere = new PostgresConnection("127.0.0.1", closedPort, database.database(), database.username(), "", false);

        HttpReply reply = bobbin.connectPost("/v4/destinations",
                "{\"type\":\"postgres\",\"properties\":" + RunningBobbin.postgresProperties(nowhere) + "}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.mediaType()).isEqualTo("text/plain");
        assertThat(reply.body()).startsWith("connection check failed:").doesNotContain(RunningBobbin.TEST_PASSWORD);
        assertThat(bobbin.destinations()).isEmpty();
    }

    @Test
    void aReachablePostgresServerIsAcceptedAndItsPasswordIsNeverShown() {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();

        HttpReply reply = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"name\":\"Staging\","
                + "\"description\":\"Postgres database for the staging environment.\",\"properties\":"
                + RunningBobbin.postgresProperties(database) + "}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.body()).doesNotContain(RunningBobbin.TEST_PASSWORD).doesNotContain("\"password\":");
        JsonNode destination = reply.json();
        assertThat(fieldNames(destination)).containsExactlyInAnyOrder("description", "properties", "updated_at", "name", "type",
                "deleted_at", "system_paused_at", "stitch_client_id", "paused_at", "id", "display_name", "created_at", "report_card");
        assertThat(destination.get("type").asText()).isEqualTo("postgres");
        assertThat(destination.get("name").asText()).isEqualTo("Staging");
        assertThat(destination.get("description").asText()).isEqualTo("Postgres database for the staging environment.");
        assertThat(destination.get("stitch_client_id").asLong()).isEqualTo(clientId());
        assertThat(destination.get("id").isIntegralNumber()).isTrue();
        assertThat(destination.get("display_name").isNull()).isTrue();
        assertThat(destination.get("deleted_at").isNull()).isTrue();
        assertThat(destination.get("paused_at").isNull()).isTrue();
        assertThat(destination.get("system_paused_at").isNull()).isTrue();
        assertThat(destination.get("created_at").asText()).matches(TIMESTAMP);
        assertThat(destination.get("updated_at").asText()).matches(TIMESTAMP);

        // connect-api.md §8.1: current properties as strings, credentials left out
        JsonNode properties = destination.get("properties");
        properties.properties().forEach(e -> assertThat(e.getValue().isTextual()).as("property %s is a string", e.getKey()).isTrue());
        assertThat(properties.has("password")).isFalse();
        assertThat(properties.get("host").asText()).isEqualTo(database.host());
        assertThat(properties.get("port").asText()).isEqualTo(String.valueOf(database.port()));
        assertThat(properties.get("database").asText()).isEqualTo(database.database());
        assertThat(properties.get("username").asText()).isEqualTo(database.username());
        assertThat(properties.get("ssl").asText()).isEqualTo("false");
        assertThat(properties.get("encryption_type").asText()).isEqualTo("none");

        // step 2 of 2; "provided" says which properties have a value (the docs' create example)
        JsonNode card = destination.get("report_card");
        ObjectNode withoutForm = card.deepCopy();
        withoutForm.remove("steps");
        assertThat(withoutForm).isEqualTo(JsonText.parse("{\"type\": \"postgres\", \"current_step\": 2, \"current_step_type\": \"fully_configured\"}"));
        assertThat(card.get("steps").get(1)).isEqualTo(JsonText.parse("{\"type\": \"fully_configured\", \"properties\": []}"));
        assertThat(formByName(card)).isEqualTo(expectedForm(Map.of("database", true, "host", true, "port", true, "username", true,
                "password", true, "ssl", true, "encryption_type", true)));

        // it is the account's one destination now, listed the same way (still without the password)
        HttpReply list = bobbin.connectGet("/v4/destinations");
        assertThat(list.body()).doesNotContain(RunningBobbin.TEST_PASSWORD);
        assertThat(list.json()).hasSize(1);
        assertThat(list.json().get(0).get("id")).isEqualTo(destination.get("id"));
        assertThat(list.json().get(0).get("properties")).isEqualTo(properties);
        // the connection check really logged in: the load ledger is there
        assertThat(tablesIn(database, "_bobbin")).contains("ledger");
    }

    @Test
    void anOptionalPropertyIsProvidedOnlyWhenGiven() {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();
        ObjectNode properties = (ObjectNode) JsonText.parse(RunningBobbin.postgresProperties(database));
        properties.put("encryption_username", "tunnel");

        HttpReply reply = bobbin.connectPost("/v4/destinations", "{\"type\":\"postgres\",\"properties\":" + Json.write(properties) + "}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("properties").get("encryption_username").asText()).isEqualTo("tunnel");
        assertThat(formByName(reply.json().get("report_card"))).isEqualTo(expectedForm(Map.of("database", true, "host", true,
                "port", true, "username", true, "password", true, "ssl", true, "encryption_type", true, "encryption_username", true)));
    }

    // ---- updating -----------------------------------------------------------------------------------

    @Test
    void putChangesThePropertiesAfterAConnectionCheck() {
        bobbin.deleteDestination();
        PostgresConnection first = TestPostgres.newDatabase();
        PostgresConnection second = TestPostgres.newDatabase();
        JsonNode created = bobbin.createPostgresDestination(first);
        long id = created.get("id").asLong();

        HttpReply reply = bobbin.connectPut("/v4/destinations/" + id,
                "{\"properties\":" + RunningBobbin.postgresProperties(second) + "}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        assertThat(reply.body()).doesNotContain(RunningBobbin.TEST_PASSWORD);
        JsonNode updated = reply.json();
        assertThat(updated.get("id").asLong()).isEqualTo(id);
        assertThat(updated.get("type").asText()).isEqualTo("postgres");
        assertThat(updated.get("properties").get("database").asText()).isEqualTo(second.database());
        assertThat(updated.get("properties").has("password")).isFalse();
        assertThat(updated.get("created_at")).isEqualTo(created.get("created_at"));
        assertThat(updated.get("updated_at").asText()).matches(TIMESTAMP).isGreaterThanOrEqualTo(created.get("updated_at").asText());
        var stored = bobbin.node().catalog().destination(clientId()).orElseThrow();
        assertThat(stored.updatedAt()).isAfter(stored.createdAt());
        assertThat(bobbin.destinations().get(0).get("properties").get("database").asText()).isEqualTo(second.database());
        assertThat(tablesIn(second, "_bobbin")).as("the new database was checked for real").contains("ledger");
    }

    @Test
    void putToAnUnreachableServerIsRefusedAndChangesNothing() throws IOException {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();
        long id = bobbin.createPostgresDestination(database).get("id").asLong();
        ObjectNode properties = (ObjectNode) JsonText.parse(RunningBobbin.postgresProperties(database));
        try (ServerSocket socket = new ServerSocket(0)) {
            properties.put("port", String.valueOf(socket.getLocalPort()));
        }

        HttpReply reply = bobbin.connectPut("/v4/destinations/" + id, "{\"properties\":" + Json.write(properties) + "}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.mediaType()).isEqualTo("text/plain");
        assertThat(reply.body()).startsWith("connection check failed:");
        assertThat(bobbin.destinations().get(0).get("properties").get("port").asText()).isEqualTo(String.valueOf(database.port()));
    }

    @Test
    void putCannotChangeTheType() {
        bobbin.deleteDestination();
        PostgresConnection database = TestPostgres.newDatabase();
        long id = bobbin.createPostgresDestination(database).get("id").asLong();

        HttpReply reply = bobbin.connectPut("/v4/destinations/" + id,
                "{\"type\":\"duckdb\",\"properties\":" + RunningBobbin.postgresProperties(database) + "}");

        assertPlain(reply, 400, "this API endpoint does not support modifying destination type");
        assertThat(bobbin.destinations().get(0).get("type").asText()).isEqualTo("postgres");
    }

    @Test
    void putToAnUnknownIdIsAnInvalidConnectionId() {
        long id = bobbin.destinations().get(0).get("id").asLong();
        PostgresConnection database = TestPostgres.newDatabase();
        String body = "{\"properties\":" + RunningBobbin.postgresProperties(database) + "}";

        assertPlain(bobbin.connectPut("/v4/destinations/" + (id + 1000), body), 400, "invalid connection id");
        assertPlain(bobbin.connectPut("/v4/destinations/abc", body), 400, "invalid connection id");
        bobbin.deleteDestination();
        assertPlain(bobbin.connectPut("/v4/destinations/" + id, body), 400, "invalid connection id");
    }

    // ---- listing ---------------------------------------------------------------------------------------

    @Test
    void getWithAnotherQueryParameterIsRefused() {
        assertPlain(bobbin.connectGet("/v4/destinations?foo=1"), 400, "GET may only include the params: source_id and/or destination_id");
        assertPlain(bobbin.connectGet("/v4/destinations?destination_id=1&foo=1"), 400,
                "GET may only include the params: source_id and/or destination_id");
    }

    // ---- authentication -----------------------------------------------------------------------------

    @Test
    void withoutAConnectTokenEveryEndpointIs401() {
        bobbin.createImportSource("Import API");
        long id = bobbin.destinations().get(0).get("id").asLong();
        PostgresConnection database = TestPostgres.newDatabase();
        String create = "{\"type\":\"postgres\",\"properties\":" + RunningBobbin.postgresProperties(database) + "}";
        String bad = "Bearer ac_" + "x".repeat(43);
        List<HttpReply> replies = new ArrayList<>();
        for (String[] auth : List.of(new String[0], new String[] {"Authorization", bad},
                new String[] {"Authorization", "Bearer " + bobbin.importToken()})) {
            replies.add(bobbin.get("/v4/destination-types", auth));
            replies.add(bobbin.get("/v4/destination-types/postgres", auth));
            replies.add(bobbin.get("/v4/destinations", auth));
            replies.add(bobbin.post("/v4/destinations", create, with(auth, "Content-Type", "application/json")));
            replies.add(bobbin.put("/v4/destinations/" + id, create, with(auth, "Content-Type", "application/json")));
            replies.add(bobbin.delete("/v4/destinations/" + id, auth));
        }
        for (HttpReply reply : replies) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.mediaType()).isEqualTo("application/json");
            assertThat(reply.json()).isEqualTo(JsonText.parse(NOT_AUTHORIZED));
        }
        assertThat(bobbin.destinations()).hasSize(1);
        assertThat(bobbin.destinations().get(0).get("id").asLong()).isEqualTo(id);
        assertThat(tablesIn(database, "_bobbin")).isEmpty();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private long clientId() {
        return bobbin.node().catalog().accounts().get(0).clientId();
    }

    private static void assertPlain(HttpReply reply, int status, String body) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.mediaType()).as(reply.toString()).isEqualTo("text/plain");
        assertThat(reply.body()).isEqualTo(body);
    }

    private static String[] with(String[] headers, String... more) {
        String[] all = new String[headers.length + more.length];
        System.arraycopy(headers, 0, all, 0, headers.length);
        System.arraycopy(more, 0, all, headers.length, more.length);
        return all;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Tables in a schema of a test database, sorted. */
    private static List<String> tablesIn(PostgresConnection database, String schema) {
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
                     + "' ORDER BY table_name")) {
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            return tables;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
