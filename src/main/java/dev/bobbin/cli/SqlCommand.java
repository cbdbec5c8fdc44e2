package dev.bobbin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.BobbinConfig;
import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.destination.duckdb.QueryResult;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import dev.bobbin.catalog.SqliteCatalog;
import dev.bobbin.node.EmbeddedWarehouses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bobbin sql "SELECT …"}: a read-only query on the embedded warehouse. While a server runs on
 * the data dir it holds the DuckDB file, so the query goes to that server's loopback admin endpoint;
 * otherwise the file is opened read-only directly.
 */
@Command(name = "sql", mixinStandardHelpOptions = true, description = "Run a read-only SQL query on the embedded warehouse.")
final class SqlCommand implements Callable<Integer> {

    enum Format { table, csv }

    @Option(names = "--data-dir", description = "Data directory (default ./bobbin-data, env BOBBIN_DATA_DIR).")
    Path dataDir;

    @Option(names = "--account", paramLabel = "CLIENT_ID", description = "Query this account's warehouse (default: the first account's).")
    Long account;

    @Option(names = "--format", defaultValue = "table", description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Format format;

    @Parameters(index = "0", paramLabel = "QUERY", description = "One read-only statement (SELECT, WITH, SHOW, DESCRIBE, …).")
    String query;

    @Override
    public Integer call() throws Exception {
        Path dir = BobbinConfig.resolveDataDir(dataDir, System.getenv());
        QueryResult result;
        try {
            result = viaServer(dir);
            if (result == null) {
                result = direct(dir);
            }
        } catch (QueryFailed e) {
            System.err.println("bobbin sql: " + e.getMessage());
            return 1;
        }
        PrintStream out = System.out;
        if (format == Format.csv) {
            ResultPrinter.csv(result, out);
        } else {
            ResultPrinter.table(result, out);
        }
        out.flush();
        return 0;
    }

    /** Null when no server runs on the data dir. */
    private QueryResult viaServer(Path dir) throws IOException, InterruptedException, QueryFailed {
        Path serverFile = BobbinConfig.serverFile(dir);
        Path tokenFile = BobbinConfig.adminTokenFile(dir);
        if (!Files.exists(serverFile) || !Files.exists(tokenFile)) {
            return null;
        }
        int port = Json.MAPPER.readTree(Files.readAllBytes(serverFile)).path("port").asInt();
        String token = Files.readString(tokenFile).strip();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/sql"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(account == null ? Map.of("sql", query) : Map.of("sql", query, "account", account))))
                .build();
        HttpResponse<byte[]> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            return null; // a server that crashed left its file behind; the warehouse is free
        }
        JsonNode body = Json.MAPPER.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new QueryFailed(body.path("error").asText(body.path("message").asText("HTTP " + response.statusCode())));
        }
        List<String> columns = new ArrayList<>();
        body.path("columns").forEach(c -> columns.add(c.asText()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : body.path("rows")) {
            List<String> values = new ArrayList<>();
            row.forEach(v -> values.add(v.isNull() ? null : v.asText()));
            rows.add(values);
        }
        return new QueryResult(columns, rows);
    }

    private QueryResult direct(Path dir) throws QueryFailed {
        if (!Files.exists(dir.resolve("catalog.db"))) {
            throw new QueryFailed("no Bobbin data in " + dir + " (start Bobbin with: ./bobbin serve --data-dir " + dir + ")");
        }
        Path warehouse;
        try (SqliteCatalog catalog = SqliteCatalog.open(dir.resolve("catalog.db"), Clock.systemUTC())) {
            OptionalLong client = account != null ? OptionalLong.of(account) : EmbeddedWarehouses.firstAccount(catalog);
            if (client.isEmpty() || catalog.accounts().stream().noneMatch(a -> a.clientId() == client.getAsLong())) {
                throw new QueryFailed("no account " + (account != null ? account : "") + " in " + dir);
            }
            warehouse = EmbeddedWarehouses.file(dir, catalog, client.getAsLong());
        }
        if (!Files.exists(warehouse)) {
            throw new QueryFailed("no warehouse at " + warehouse + " (start Bobbin with: ./bobbin serve --data-dir " + dir + ")");
        }
        try (Connection c = DuckDbWarehouse.openReadOnly(warehouse)) {
            return QueryResult.run(c, query);
        } catch (SQLException e) {
            throw new QueryFailed(e.getMessage());
        }
    }

    private static final class QueryFailed extends Exception {
        QueryFailed(String message) {
            super(message, null, false, false);
        }
    }
}
