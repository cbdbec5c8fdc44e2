package dev.bobbin.durability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.HttpReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A Connect API and Import API client for a server at a base URL (a {@link dev.bobbin.testing.BobbinProcess} or a node). */
final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String connectToken;

    Api(String baseUrl, String connectToken) {
        this.baseUrl = baseUrl;
        this.connectToken = connectToken;
    }

    /** Creates an Import API source and a token for it, as a user would. */
    Workload.Source createSource(String displayName) {
        JsonNode source = ok(send("POST", "/v4/sources", connectToken, "{\"type\":\"import_api\",\"display_name\":\"" + displayName + "\"}"));
        JsonNode token = ok(send("POST", "/v4/sources/" + source.get("id").asLong() + "/tokens", connectToken, null));
        return new Workload.Source(source.get("name").asText(), token.get("access_token").asText(), source.get("stitch_client_id").asLong());
    }

    /** DECISIONS C5: deletes the account's embedded DuckDB destination and creates a PostgreSQL one. */
    void usePostgres(PostgresConnection pg) {
        JsonNode destinations = ok(send("GET", "/v4/destinations", connectToken, null));
        for (JsonNode d : destinations) {
            ok(send("DELETE", "/v4/destinations/" + d.get("id").asLong(), connectToken, null));
        }
        ok(send("POST", "/v4/destinations", connectToken, """
                {"type": "postgres", "properties": {"host": "%s", "port": %d, "database": "%s", "username": "%s",
                 "password": "unused (trust authentication)", "ssl": false}}""".formatted(pg.host(), pg.port(), pg.database(), pg.username())));
    }

    /** {@code GET /v4/{client}/loads}. */
    JsonNode loads(long clientId) {
        return ok(send("GET", "/v4/" + clientId + "/loads", connectToken, null));
    }

    HttpReply status() {
        return send("GET", "/v2/import/status", null, null);
    }

    HttpReply batch(String importToken, String body) {
        return send("POST", "/v2/import/batch", importToken, body);
    }

    HttpReply push(String importToken, String body) {
        return send("POST", "/v2/import/push", importToken, body);
    }

    private static JsonNode ok(HttpReply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("expected 200, got " + reply);
        }
        return reply.json();
    }

    HttpReply send(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new HttpReply(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
