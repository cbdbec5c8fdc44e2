package dev.bobbin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.BobbinConfig;
import dev.bobbin.destination.duckdb.QueryResult;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.json.Json;
import dev.bobbin.node.BobbinNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Bobbin node on a loopback port with its own data dir, and a client for it.
 *
 * <p>{@link #start} boots the node from {@link BobbinConfig#resolve} and reads the bootstrap
 * account's Connect API token from {@code <dataDir>/connect-token}. {@link #withImportSource} then
 * creates an {@code import_api} source and an Import API token through the Connect API, as a user
 * would. Requests go over {@link HttpClient}; the warehouse is read with
 * {@code node.warehouse().query(...)}.
 */
public final class RunningBobbin implements AutoCloseable {
    /** The loader looks for batches every 50 ms. */
    public static final Map<String, String> FAST_LOADING = Map.of("BOBBIN_LOAD_INTERVAL_MS", "50");
    /**
     * The loader runs one cycle when the node starts and then sleeps for an hour: batches accepted
     * afterwards (appends do not wake it) load only when the test calls {@link #loadNow()}.
     */
    public static final Map<String, String> MANUAL_LOADING = Map.of("BOBBIN_LOAD_INTERVAL_MS", "3600000", "BOBBIN_LOAD_ON_APPEND", "false");

    /** The password {@link #postgresProperties} sends; it must never come back in a response. */
    public static final String TEST_PASSWORD = "s3cret-never-shown-7f1c";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private BobbinNode node;
    private String connectToken;
    private long sourceId;
    private String importToken;

    private RunningBobbin(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a node on port 0 with {@code env} (plus {@code BOBBIN_HOST=127.0.0.1}). */
    public static RunningBobbin start(Path dataDir, Map<String, String> env) {
        RunningBobbin bobbin = new RunningBobbin(dataDir);
        bobbin.startNode(env);
        return bobbin;
    }

    /** Starts a node and creates the source "Import API" (schema {@code import_api}) with one token. */
    public static RunningBobbin withImportSource(Path dataDir, Map<String, String> env) {
        RunningBobbin bobbin = start(dataDir, env);
        bobbin.createImportSource("Import API");
        return bobbin;
    }

    private void startNode(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("BOBBIN_HOST", "127.0.0.1");
        try {
            node = BobbinNode.start(BobbinConfig.resolve(0, dataDir, all));
            connectToken = Files.readString(dataDir.resolve("connect-token")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the node (as a shutdown would) and starts a new one on the same data dir. */
    public void restart(Map<String, String> env) {
        node.close();
        startNode(env);
    }

    /** Creates an Import API source with this display name and one Import API token for it. */
    public void createImportSource(String displayName) {
        HttpReply source = connectPost("/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"" + displayName + "\"}");
        if (source.status() != 200) {
            throw new AssertionError("creating the source failed: " + source);
        }
        sourceId = source.json().get("id").asLong();
        HttpReply token = connectPost("/v4/sources/" + sourceId + "/tokens", null);
        if (token.status() != 200) {
            throw new AssertionError("creating the token failed: " + token);
        }
        importToken = token.json().get("access_token").asText();
    }

    public BobbinNode node() {
        return node;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String connectToken() {
        return connectToken;
    }

    public long sourceId() {
        return sourceId;
    }

    public String importToken() {
        return importToken;
    }

    /** The account's Stitch client id ({@code stitch_client_id} of the source), which push records carry. */
    public long clientId() {
        HttpReply source = connectGet("/v4/sources/" + sourceId);
        if (source.status() != 200) {
            throw new AssertionError("reading the source failed: " + source);
        }
        return source.json().get("stitch_client_id").asLong();
    }

    /** {@code POST} to an Import API path with this node's Import API token and {@code contentType}. */
    public HttpReply postImport(String path, String body, String contentType) {
        return post(path, body, "Authorization", "Bearer " + importToken, "Content-Type", contentType);
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    /** GET with the given headers, as name/value pairs. */
    public HttpReply get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    /** POST a text body (or no body when null) with the given headers, as name/value pairs. */
    public HttpReply post(String path, String body, String... headers) {
        return send(request(path, headers).POST(body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POST with any body publisher (e.g. a stream, which is sent chunked without Content-Length). */
    public HttpReply post(String path, HttpRequest.BodyPublisher body, String... headers) {
        return send(request(path, headers).POST(body));
    }

    /** PUT a text body with the given headers, as name/value pairs. */
    public HttpReply put(String path, String body, String... headers) {
        return send(request(path, headers).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** PATCH a text body with the given headers, as name/value pairs. */
    public HttpReply patch(String path, String body, String... headers) {
        return send(request(path, headers).method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    /** DELETE with the given headers, as name/value pairs. */
    public HttpReply delete(String path, String... headers) {
        return send(request(path, headers).DELETE());
    }

    /** Any method with any body publisher and the given headers, as name/value pairs. */
    public HttpReply send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        return send(request(path, headers).method(method, body));
    }

    /** {@code POST /v2/import/batch} with this node's Import API token and {@code application/json}. */
    public HttpReply postBatch(String body) {
        return post("/v2/import/batch", body, "Authorization", "Bearer " + importToken, "Content-Type", "application/json");
    }

    public HttpReply postBatch(BatchBody body) {
        return postBatch(body.json());
    }

    /** Posts a batch that must be accepted (201). */
    public void accept(BatchBody body) {
        HttpReply reply = postBatch(body);
        if (reply.status() != 201) {
            throw new AssertionError("expected the batch to be accepted, got " + reply + " for " + body);
        }
    }

    public HttpReply connectGet(String path) {
        return get(path, "Authorization", "Bearer " + connectToken);
    }

    public HttpReply connectPost(String path, String body) {
        return body == null
                ? post(path, (String) null, "Authorization", "Bearer " + connectToken)
                : post(path, body, "Authorization", "Bearer " + connectToken, "Content-Type", "application/json");
    }

    /** PUT a JSON body with the bootstrap account's Connect API token. */
    public HttpReply connectPut(String path, String body) {
        return put(path, body, "Authorization", "Bearer " + connectToken, "Content-Type", "application/json");
    }

    /** DELETE with the bootstrap account's Connect API token. */
    public HttpReply connectDelete(String path) {
        return delete(path, "Authorization", "Bearer " + connectToken);
    }

    // ---- destinations ----------------------------------------------------------------------------

    /** The account's destinations as {@code GET /v4/destinations} lists them. */
    public JsonNode destinations() {
        HttpReply reply = connectGet("/v4/destinations");
        if (reply.status() != 200) {
            throw new AssertionError("listing destinations failed: " + reply);
        }
        return reply.json();
    }

    /** Deletes the account's destination (the embedded duckdb one a new account starts with) through the Connect API. */
    public void deleteDestination() {
        JsonNode list = destinations();
        if (list.size() != 1) {
            throw new AssertionError("expected one destination, got " + list);
        }
        HttpReply deleted = connectDelete("/v4/destinations/" + list.get(0).get("id").asLong());
        if (deleted.status() != 200) {
            throw new AssertionError("deleting the destination failed: " + deleted);
        }
    }

    /** Creates a postgres destination for {@code database} through the Connect API; returns the Destination object. */
    public JsonNode createPostgresDestination(PostgresConnection database) {
        HttpReply created = connectPost("/v4/destinations", "{\"type\":\"postgres\",\"name\":\"Test PostgreSQL\",\"properties\":"
                + postgresProperties(database) + "}");
        if (created.status() != 200) {
            throw new AssertionError("creating the postgres destination failed: " + created);
        }
        return created.json();
    }

    /** Switches the account from its embedded duckdb destination to {@code database}, as a user would. */
    public JsonNode switchToPostgres(PostgresConnection database) {
        deleteDestination();
        return createPostgresDestination(database);
    }

    /**
     * Connect API {@code properties} for a test database. The embedded server trusts local logins, so
     * the password is never checked; it is non-empty because the form requires one.
     */
    public static String postgresProperties(PostgresConnection database) {
        return Json.write(Map.of("host", database.host(), "port", String.valueOf(database.port()), "database", database.database(),
                "username", database.username(), "password", TEST_PASSWORD, "ssl", false));
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(REQUEST_TIMEOUT);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private HttpReply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new HttpReply(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- loading and the warehouse ---------------------------------------------------------------

    /** Runs one loader cycle now; returns the number of batches it acknowledged. */
    public int loadNow() {
        return node.loader().runOnce();
    }

    /** Waits until the loader has acknowledged every accepted batch. */
    public void awaitLoaded() {
        Deadline.await("every accepted batch to be loaded", () -> node.log().pendingCount() == 0);
    }

    public long pendingBatches() {
        return node.log().pendingCount();
    }

    public QueryResult query(String sql) {
        try {
            return node.warehouse().query(sql);
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public List<List<String>> rows(String sql) {
        return query(sql).rows();
    }

    /** Rows of a query on another account's embedded warehouse. */
    public List<List<String>> rows(long clientId, String sql) {
        try {
            return node.warehouse(clientId).query(sql).rows();
        } catch (SQLException e) {
            throw new AssertionError("query failed on the warehouse of account " + clientId + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The single value a query returns. */
    public String value(String sql) {
        List<List<String>> rows = rows(sql);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new AssertionError("expected one value from " + sql + ", got " + rows);
        }
        return rows.get(0).get(0);
    }

    /** Names of the tables in a warehouse schema, sorted. */
    public List<String> tables(String schema) {
        return rows("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "' ORDER BY table_name")
                .stream().map(r -> r.get(0)).toList();
    }

    /** Whether {@code GET /v2/import/status} answers 200 {"status":"OK"}. */
    public boolean statusOk() {
        HttpReply reply = get("/v2/import/status");
        JsonNode body = reply.json();
        return reply.status() == 200 && "OK".equals(body.path("status").asText());
    }

    @Override
    public void close() {
        if (node != null) {
            node.close();
            node = null;
        }
        http.close();
    }
}
