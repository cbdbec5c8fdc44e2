package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.ImportGrant;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.BearerToken;
import dev.bobbin.json.Json;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LogHealth;
import dev.bobbin.log.LogUnavailableException;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Import API endpoints ({@code /v2/import/*}): authenticate, read and validate the body, append
 * it durably to the batch log, and only then answer 2xx (DECISIONS I1).
 */
public final class ImportApi {
    private final Catalog catalog;
    private final BatchLog log;
    private final ImportLimits limits;
    private final Clock clock;
    private final String version;
    private final String revision;

    public ImportApi(Catalog catalog, BatchLog log, ImportLimits limits, Clock clock, String version, String revision) {
        this.catalog = catalog;
        this.log = log;
        this.limits = limits;
        this.clock = clock;
        this.version = version;
        this.revision = revision;
    }

    public void routes(RoutesConfig routes) {
        routes.get("/v2/import/status", this::status);
        routes.post("/v2/import/batch", this::batch);
        routes.post("/v2/import/push", ctx -> push(ctx, false));
        routes.post("/v2/import/validate", ctx -> push(ctx, true));
    }

    /** {@code GET /v2/import/status} (DECISIONS I11): no token; 503 while the log cannot take writes. */
    void status(Context ctx) {
        LogHealth health = log.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "bobbin");
        body.put("version", version);
        body.put("revision", revision);
        body.put("status", health.writable() ? "OK" : "ERROR");
        body.put("reason", health.reason().orElse(null));
        ctx.status(health.writable() ? 200 : 503).contentType("application/json").result(Json.write(body));
    }

    /** {@code POST /v2/import/batch}: one table, a JSON Schema, 1 to 20,000 messages. */
    void batch(Context ctx) throws IOException {
        ImportGrant grant = authenticate(ctx);
        if (!isJson(ctx.header("Content-Type"))) {
            throw ImportErrors.batchUnsupportedContentType();
        }
        byte[] body = RequestBodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(),
                ctx.header("Content-Encoding"), limits, ImportErrors::batchMalformedJson);
        JsonNode root = parse(body);
        BatchRequest batch = BatchRequest.validate(root, limits);
        long sourceId = grant.source().id();
        Optional<List<String>> fixedKeys = catalog.keyNames(sourceId, batch.tableName());
        if (fixedKeys.isPresent() && !fixedKeys.get().equals(batch.keyNames())) {
            throw ImportErrors.keyNamesChanged(batch.keyNames(), fixedKeys.get(), batch.tableName());
        }
        try {
            log.append(List.of(new NewBatch(grant.clientId(), sourceId, batch.tableName(), PayloadFormat.BATCH_JSON,
                    clock.instant(), body)));
        } catch (LogUnavailableException e) {
            throw ImportErrors.logUnavailable(e.getMessage());
        }
        if (fixedKeys.isEmpty()) {
            catalog.fixKeyNames(sourceId, batch.tableName(), batch.keyNames());
        }
        ctx.status(201).contentType("application/json").result("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}");
    }

    /**
     * {@code POST /v2/import/push}: an array of records for any tables of the token's source, as JSON
     * or Transit; with {@code validateOnly} ({@code /v2/import/validate}) the same checks, nothing
     * stored, 200 (DECISIONS I2).
     */
    void push(Context ctx, boolean validateOnly) throws IOException {
        ImportGrant grant = authenticate(ctx);
        String contentType = ctx.header("Content-Type");
        PushFormat format = PushFormat.of(contentType).orElseThrow(
                () -> ImportErrors.pushUnsupportedContentType(contentType == null ? "(none)" : contentType.split(";", 2)[0].strip()));
        byte[] body = RequestBodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(),
                ctx.header("Content-Encoding"), limits, ImportErrors::pushMalformed);
        PushRequest push = PushRequest.validate(format.parse(body), grant.clientId(), limits);
        long sourceId = grant.source().id();
        for (PushRequest.TableGroup group : push.tables()) {
            Optional<List<String>> fixedKeys = catalog.keyNames(sourceId, group.tableName());
            if (fixedKeys.isPresent() && !fixedKeys.get().equals(group.keyNames())) {
                throw ImportErrors.keyNamesChanged(group.keyNames(), fixedKeys.get(), group.tableName());
            }
        }
        if (validateOnly) {
            ctx.status(200).contentType("application/json").result("{\"status\":\"OK\",\"message\":\"Batch is valid!\"}");
            return;
        }
        List<NewBatch> batches = new ArrayList<>();
        for (PushRequest.TableGroup group : push.tables()) {
            batches.add(new NewBatch(grant.clientId(), sourceId, group.tableName(), PayloadFormat.PUSH_JSON, clock.instant(),
                    Json.writeBytes(group.payload())));
        }
        try {
            log.append(batches);
        } catch (LogUnavailableException e) {
            throw ImportErrors.logUnavailable(e.getMessage());
        }
        for (PushRequest.TableGroup group : push.tables()) {
            catalog.fixKeyNames(sourceId, group.tableName(), group.keyNames());
        }
        ctx.status(201).contentType("application/json").result("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}");
    }

    private ImportGrant authenticate(Context ctx) {
        Optional<String> token = BearerToken.from(ctx.header("Authorization"));
        if (token.isEmpty()) {
            throw ImportErrors.notAuthorized();
        }
        ImportGrant grant = catalog.grantForImportToken(token.get()).orElseThrow(ImportErrors::notAuthorized);
        if (!grant.source().active()) {
            throw ImportErrors.connectionNotActive();
        }
        return grant;
    }

    private static JsonNode parse(byte[] body) {
        Optional<String> notUtf8 = Utf8.problem(body);
        if (notUtf8.isPresent()) {
            throw ImportErrors.batchMalformedJson(notUtf8.get());
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw ImportErrors.batchMalformedJson("the body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw ImportErrors.batchMalformedJson(e.getOriginalMessage());
        } catch (IOException e) {
            throw ImportErrors.batchMalformedJson(e.getMessage());
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].strip();
        return mediaType.equalsIgnoreCase("application/json");
    }
}
