package dev.bobbin.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.catalog.DestinationLimitException;
import dev.bobbin.http.ApiError;
import dev.bobbin.json.Json;
import dev.bobbin.http.DocumentedRoutes;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v4/destination-types} and {@code /v4/destinations} (connect-api.md §8–§9, DECISIONS C5):
 * one destination per account; a new account starts with the embedded {@code duckdb} one; a
 * {@code postgres} destination is accepted only after a real connection check. Errors are the
 * documented plain-string 400s.
 */
public final class DestinationsApi {
    private static final Set<String> POST_KEYS = Set.of("type", "name", "description", "properties", "ignore_unmapped_sources");
    private static final Set<String> PUT_KEYS = Set.of("type", "name", "description", "properties");
    private static final Set<String> GET_PARAMS = Set.of("source_id", "destination_id");
    private static final TypeReference<Map<String, Object>> OBJECT_MAP = new TypeReference<>() { };

    private final Catalog catalog;
    private final ConnectAuth auth;
    private final DestinationCheck check;

    public DestinationsApi(Catalog catalog, DestinationCheck check) {
        this.catalog = catalog;
        this.auth = new ConnectAuth(catalog);
        this.check = check;
    }

    public void routes(DocumentedRoutes routes) {
        routes.get("/v4/destination-types", "List destination types", this::listTypes);
        routes.get("/v4/destination-types/{type}", "Get a destination type's report card", this::getType);
        routes.get("/v4/destinations", "List destinations", this::list);
        routes.post("/v4/destinations", "Create the account's destination (after a connection check)", this::create);
        routes.put("/v4/destinations/{id}", "Update a destination's properties", this::update);
        routes.delete("/v4/destinations/{id}", "Delete a destination", this::delete);
    }

    void listTypes(Context ctx) {
        auth.account(ctx);
        json(ctx, DestinationTypes.ALL.stream().map(t -> DestinationTypes.reportCard(t, 1, true, Set.of())).toList());
    }

    void getType(Context ctx) {
        auth.account(ctx);
        String type = ctx.pathParam("type");
        if (!DestinationTypes.known(type)) {
            throw ApiError.json(404, Map.of("error", "NotFound", "data", Map.of("message", "destination type not found (" + type + ")")));
        }
        json(ctx, DestinationTypes.reportCard(type, 1, true, Set.of()));
    }

    void list(Context ctx) {
        Account account = auth.account(ctx);
        for (String param : ctx.queryParamMap().keySet()) {
            if (!GET_PARAMS.contains(param)) {
                throw plain("GET may only include the params: source_id and/or destination_id");
            }
        }
        Optional<DestinationConfig> destination = catalog.destination(account.clientId());
        String wanted = ctx.queryParam("destination_id");
        if (wanted != null && destination.isPresent() && !wanted.equals(String.valueOf(destination.get().id()))) {
            destination = Optional.empty();
        }
        json(ctx, destination.map(d -> List.of(view(d))).orElse(List.of()));
    }

    void create(Context ctx) {
        Account account = auth.account(ctx);
        JsonNode body = body(ctx);
        String invalid = "POST body may only include a type, a name, a description, map of properties, and boolean for unmapped sources";
        if (!body.isObject() || !onlyKeys(body, POST_KEYS) || !body.path("type").isTextual()
                || (body.has("properties") && !body.get("properties").isObject())
                || (body.has("name") && !body.get("name").isTextual())
                || (body.has("description") && !body.get("description").isTextual())
                || (body.has("ignore_unmapped_sources") && !body.get("ignore_unmapped_sources").isBoolean())) {
            throw plain(invalid);
        }
        String type = body.get("type").asText();
        if (!DestinationTypes.known(type)) {
            throw plain("unsupported destination type (" + type + "); Bobbin loads into: " + String.join(", ", DestinationTypes.ALL));
        }
        if (catalog.destination(account.clientId()).isPresent()) {
            throw plain("you are at your destination limit");
        }
        Map<String, String> properties = checkedProperties(type, body.path("properties"));
        try {
            DestinationConfig created = catalog.createDestination(account.clientId(), type,
                    optionalText(body, "name"), optionalText(body, "description"), properties);
            json(ctx, view(created));
        } catch (DestinationLimitException e) {
            throw plain(e.getMessage());
        }
    }

    void update(Context ctx) {
        Account account = auth.account(ctx);
        long id = id(ctx.pathParam("id"), () -> plain("invalid connection id"));
        DestinationConfig current = catalog.destination(account.clientId())
                .filter(d -> d.id() == id)
                .orElseThrow(() -> plain("invalid connection id"));
        JsonNode body = body(ctx);
        if (!body.isObject() || !onlyKeys(body, PUT_KEYS) || !body.path("properties").isObject()) {
            throw plain("PUT body must include a map of properties");
        }
        if (body.has("type") && !current.type().equals(body.get("type").asText())) {
            throw plain("this API endpoint does not support modifying destination type");
        }
        Map<String, Object> merged = new LinkedHashMap<>(current.properties());
        merged.putAll(toMap(body.get("properties")));
        Map<String, String> properties = checkedProperties(current.type(), Json.MAPPER.valueToTree(merged));
        DestinationConfig updated = catalog.updateDestination(account.clientId(), id, properties)
                .orElseThrow(() -> plain("invalid connection id"));
        json(ctx, view(updated));
    }

    void delete(Context ctx) {
        Account account = auth.account(ctx);
        String raw = ctx.pathParam("id");
        long id = id(raw, () -> ApiError.json(404, Map.of("error", "NotFound", "data", Map.of("message", "destination not found (" + raw + ")"))));
        if (!catalog.deleteDestination(account.clientId(), id)) {
            throw plain("Unable to locate dest (" + raw + ") for client (" + account.clientId() + ") to delete");
        }
        json(ctx, Map.of());
    }

    private Map<String, String> checkedProperties(String type, JsonNode node) {
        Map<String, String> properties;
        try {
            properties = DestinationTypes.normalize(type, node == null || node.isMissingNode() || node.isNull() ? Map.of() : toMap(node));
        } catch (DestinationTypes.InvalidPropertiesException e) {
            throw plain(e.getMessage());
        }
        Optional<String> problem = check.problem(type, properties);
        if (problem.isPresent()) {
            throw plain("connection check failed: " + problem.get());
        }
        return properties;
    }

    /** The Destination object: properties as strings, never the password (connect-api.md §8.1). */
    static Map<String, Object> view(DestinationConfig d) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("description", d.description().orElse(null));
        view.put("properties", DestinationTypes.visible(d.type(), d.properties()));
        view.put("updated_at", ConnectViews.timestamp(d.updatedAt()));
        view.put("name", d.name().orElse(d.type()));
        view.put("type", d.type());
        view.put("deleted_at", null);
        view.put("system_paused_at", null);
        view.put("stitch_client_id", d.clientId());
        view.put("paused_at", null);
        view.put("id", d.id());
        view.put("display_name", null);
        view.put("created_at", ConnectViews.timestamp(d.createdAt()));
        view.put("report_card", DestinationTypes.reportCard(d.type(), 2, false, d.properties().keySet()));
        return view;
    }

    private static boolean onlyKeys(JsonNode body, Set<String> allowed) {
        for (String key : (Iterable<String>) body::fieldNames) {
            if (!allowed.contains(key)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> optionalText(JsonNode body, String field) {
        return body.hasNonNull(field) ? Optional.of(body.get(field).asText()) : Optional.empty();
    }

    private static Map<String, Object> toMap(JsonNode node) {
        return Json.MAPPER.convertValue(node, OBJECT_MAP);
    }

    private static long id(String raw, java.util.function.Supplier<ApiError> error) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw error.get();
        }
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.bodyAsBytes());
            if (node == null || node.isMissingNode()) {
                throw plain("the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw plain("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw plain("the body could not be read: " + e.getMessage());
        }
    }

    private static ApiError plain(String message) {
        return ApiError.plainText(400, message);
    }

    private static void json(Context ctx, Object value) {
        ctx.status(200).contentType("application/json").result(Json.write(value));
    }
}
