package dev.bobbin.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.catalog.IssuedToken;
import dev.bobbin.catalog.NameTakenException;
import dev.bobbin.catalog.Source;
import dev.bobbin.catalog.TooManyTokensException;
import dev.bobbin.json.Json;
import dev.bobbin.catalog.SourceUpdate;
import dev.bobbin.json.Timestamps;
import dev.bobbin.http.DocumentedRoutes;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Connect API endpoints that manage Import API sources and their tokens. Every request is
 * authenticated with a Connect API token and scoped to that token's account: other accounts'
 * objects answer 404 exactly as if they did not exist.
 */
public final class ConnectApi {
    /** At most two active Import API tokens per source, so that clients can rotate (DECISIONS C3). */
    public static final int MAX_ACTIVE_TOKENS = 2;
    private static final Set<String> CREATE_SOURCE_KEYS = Set.of("type", "display_name", "properties", "destination_id");
    private static final Set<String> UPDATE_SOURCE_KEYS = Set.of("display_name", "properties", "paused_at", "destination_id");

    private final Catalog catalog;
    private final ConnectAuth auth;

    public ConnectApi(Catalog catalog) {
        this.catalog = catalog;
        this.auth = new ConnectAuth(catalog);
    }

    public void routes(DocumentedRoutes routes) {
        routes.get("/v4/source-types", "List source types", this::sourceTypes);
        routes.get("/v4/source-types/{type}", "Get a source type's report card", this::sourceType);
        routes.put("/v4/sources/{id}", "Update, pause or unpause a source", this::updateSource);
        routes.delete("/v4/sources/{id}", "Delete a source", this::deleteSource);
        routes.delete("/v4/sources/{id}/tokens/{token_id}", "Revoke an Import API access token", this::revokeToken);
        routes.get("/v4/sources", "List sources", this::listSources);
        routes.post("/v4/sources", "Create a source", this::createSource);
        routes.get("/v4/sources/{id}", "Retrieve a source", this::getSource);
        routes.post("/v4/sources/{id}/tokens", "Generate an Import API access token", this::createToken);
        routes.get("/v4/sources/{id}/tokens", "List a source's active Import API token ids", this::listTokens);
    }

    void sourceType(Context ctx) {
        authenticate(ctx);
        String type = ctx.pathParam("type");
        if (!ConnectViews.IMPORT_API.equals(type)) {
            throw ConnectErrors.sourceTypeNotFound(type);
        }
        json(ctx, ConnectViews.importApiType());
    }

    void sourceTypes(Context ctx) {
        authenticate(ctx);
        json(ctx, List.of(ConnectViews.importApiType()));
    }

    /** {@code PUT /v4/sources/{id}}: display name, properties, pause ({@code paused_at}) and unpause ({@code null}). */
    void updateSource(Context ctx) {
        Account account = authenticate(ctx);
        String id = ctx.pathParam("id");
        long sourceId = sourceId(id);
        JsonNode body = body(ctx);
        if (!body.isObject()) {
            throw ConnectErrors.invalidPutBody();
        }
        for (String key : (Iterable<String>) body::fieldNames) {
            if (!UPDATE_SOURCE_KEYS.contains(key)) {
                throw ConnectErrors.invalidPutBody();
            }
        }
        Optional<String> displayName = Optional.empty();
        if (body.has("display_name")) {
            JsonNode name = body.get("display_name");
            if (!name.isTextual() || name.asText().isBlank()) {
                throw ConnectErrors.invalidDisplayName(name.isTextual() ? name.asText() : name.toString());
            }
            displayName = Optional.of(name.asText());
        }
        Optional<Optional<Instant>> pausedAt = Optional.empty();
        if (body.has("paused_at")) {
            JsonNode paused = body.get("paused_at");
            if (paused.isNull()) {
                pausedAt = Optional.of(Optional.empty());
            } else {
                Optional<Instant> at = paused.isTextual() ? Timestamps.parse(paused.asText()) : Optional.empty();
                if (at.isEmpty()) {
                    throw ConnectErrors.invalidPutBody();
                }
                pausedAt = Optional.of(at);
            }
        }
        Optional<Map<String, String>> properties = Optional.empty();
        if (body.has("properties")) {
            properties = Optional.of(stringMap(body.get("properties")).orElseThrow(ConnectErrors::invalidPutBody));
        }
        if (body.has("destination_id")) {
            checkDestination(account, body.get("destination_id"));
        }
        Source updated = catalog.updateSource(account.clientId(), sourceId, new SourceUpdate(displayName, pausedAt, properties))
                .orElseThrow(() -> ConnectErrors.sourceNotFound(id));
        json(ctx, ConnectViews.source(updated));
    }

    /** {@code DELETE /v4/sources/{id}}: its tokens stop working at once; its schema and data stay (DECISIONS C7). */
    void deleteSource(Context ctx) {
        Account account = authenticate(ctx);
        String id = ctx.pathParam("id");
        Source deleted = catalog.deleteSource(account.clientId(), sourceId(id)).orElseThrow(() -> ConnectErrors.sourceNotFound(id));
        json(ctx, ConnectViews.source(deleted));
    }

    /** {@code DELETE /v4/sources/{id}/tokens/{token_id}}: answers the Source object with a new {@code updated_at}. */
    void revokeToken(Context ctx) {
        Account account = authenticate(ctx);
        String id = ctx.pathParam("id");
        Source source = source(account, id);
        String tokenId = ctx.pathParam("token_id");
        long token;
        try {
            token = Long.parseLong(tokenId);
        } catch (NumberFormatException e) {
            throw ConnectErrors.tokenNotFound(tokenId);
        }
        Source updated = catalog.revokeImportToken(account.clientId(), source.id(), token)
                .orElseThrow(() -> ConnectErrors.tokenNotFound(tokenId));
        json(ctx, ConnectViews.source(updated));
    }

    void listSources(Context ctx) {
        Account account = authenticate(ctx);
        json(ctx, catalog.sources(account.clientId()).stream().map(ConnectViews::source).toList());
    }

    void getSource(Context ctx) {
        Account account = authenticate(ctx);
        json(ctx, ConnectViews.source(source(account, ctx.pathParam("id"))));
    }

    void createSource(Context ctx) {
        Account account = authenticate(ctx);
        JsonNode body = body(ctx);
        if (!body.isObject()) {
            throw ConnectErrors.invalidPostBody();
        }
        for (String key : (Iterable<String>) body::fieldNames) {
            if (!CREATE_SOURCE_KEYS.contains(key)) {
                throw ConnectErrors.invalidPostBody();
            }
        }
        JsonNode type = body.get("type");
        JsonNode displayName = body.get("display_name");
        if (type == null || !type.isTextual() || type.asText().isBlank()
                || displayName == null || !displayName.isTextual() || displayName.asText().isBlank()) {
            throw ConnectErrors.invalidPostBody();
        }
        JsonNode properties = body.get("properties");
        if (properties != null && !properties.isNull() && stringMap(properties).isEmpty()) {
            throw ConnectErrors.invalidPostBody();
        }
        if (!ConnectViews.IMPORT_API.equals(type.asText())) {
            throw ConnectErrors.invalidType(type.asText());
        }
        if (body.has("destination_id")) {
            checkDestination(account, body.get("destination_id"));
        }
        String name = SourceNames.derive(displayName.asText());
        if (!SourceNames.valid(name)) {
            throw name.isEmpty()
                    ? ConnectErrors.invalidDerivedName(displayName.asText(), name)
                    : ConnectErrors.invalidName();
        }
        try {
            Source source = catalog.createSource(account.clientId(), ConnectViews.IMPORT_API, name, displayName.asText());
            json(ctx, ConnectViews.source(source));
        } catch (NameTakenException e) {
            throw ConnectErrors.nonUniqueDerivedName(displayName.asText(), name);
        }
    }

    void createToken(Context ctx) {
        Account account = authenticate(ctx);
        String id = ctx.pathParam("id");
        long sourceId = sourceId(id);
        try {
            IssuedToken token = catalog.createImportToken(account.clientId(), sourceId, MAX_ACTIVE_TOKENS)
                    .orElseThrow(() -> ConnectErrors.sourceNotFound(id));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", token.id());
            view.put("access_token", token.value());
            json(ctx, view);
        } catch (TooManyTokensException e) {
            throw ConnectErrors.tooManyTokens(e.getMessage());
        }
    }

    void listTokens(Context ctx) {
        Account account = authenticate(ctx);
        String id = ctx.pathParam("id");
        List<Map<String, Object>> tokens = catalog.importTokens(account.clientId(), sourceId(id))
                .orElseThrow(() -> ConnectErrors.sourceNotFound(id))
                .stream().map(ConnectViews::token).toList();
        json(ctx, tokens);
    }

    /** A {@code destination_id} argument must name the account's destination (the only one it can have). */
    private void checkDestination(Account account, JsonNode destinationId) {
        if (destinationId.isNull()) {
            return;
        }
        Optional<DestinationConfig> destination = catalog.destination(account.clientId());
        if (!destinationId.canConvertToExactIntegral() || destination.isEmpty() || destination.get().id() != destinationId.longValue()) {
            throw ConnectErrors.destinationNotFound(destinationId.asText());
        }
    }

    /** A JSON object whose values are all strings, as a map; empty when it is anything else. */
    private static Optional<Map<String, String>> stringMap(JsonNode node) {
        if (!node.isObject()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                return Optional.empty();
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Optional.of(out);
    }

    private Account authenticate(Context ctx) {
        return auth.account(ctx);
    }

    private Source source(Account account, String id) {
        return catalog.source(account.clientId(), sourceId(id)).orElseThrow(() -> ConnectErrors.sourceNotFound(id));
    }

    private static long sourceId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ConnectErrors.sourceNotFound(id);
        }
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (node == null || node.isMissingNode()) {
                throw ConnectErrors.invalidPostBody();
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ConnectErrors.malformedJson(e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ConnectErrors.malformedJson(e.getMessage());
        }
    }

    private static void json(Context ctx, Object value) {
        ctx.status(200).contentType("application/json").result(Json.write(value));
    }
}
