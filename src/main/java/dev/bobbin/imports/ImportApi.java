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
import dev.bobbin.http.DocumentedRoutes;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

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
    private final LongPredicate loadingFailing;
    private final Runnable appended;
    private final IntakeMemory memory = IntakeMemory.forThisHeap();

    /**
     * @param appended       called after every append to the log (the node's loader is woken by it)
     * @param loadingFailing whether loading for a source id is currently failing: its accepted batches
     *                       are answered 202 instead of 201 (DECISIONS I1)
     */
    public ImportApi(Catalog catalog, BatchLog log, ImportLimits limits, Clock clock, String version, String revision,
                     LongPredicate loadingFailing, Runnable appended) {
        this.catalog = catalog;
        this.log = log;
        this.limits = limits;
        this.clock = clock;
        this.version = version;
        this.revision = revision;
        this.loadingFailing = loadingFailing;
        this.appended = appended;
    }

    public void routes(DocumentedRoutes routes) {
        routes.publicGet("/v2/import/status", "Import API status", this::status);
        routes.post("/v2/import/batch", "Create a batch: records for one table with a JSON Schema", this::batch);
        routes.post("/v2/import/push", "Push data: an array of records (JSON or Transit)", ctx -> push(ctx, false));
        routes.post("/v2/import/validate", "Validate a push request without storing it", ctx -> push(ctx, true));
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
        long length = ctx.req().getContentLengthLong();
        String encoding = ctx.header("Content-Encoding");
        try (IntakeMemory.Reservation held = memory.reserve(IntakeMemory.estimate(length, encoding, limits, IntakeMemory.BATCH_FACTOR))) {
            byte[] body = RequestBodies.read(ctx.req().getInputStream(), length, encoding, limits, ImportErrors::batchMalformedJson);
            BatchRequest batch = BatchRequest.validate(body, limits);
            long sourceId = grant.source().id();
            requireKeyNames(sourceId, batch.tableName(), batch.keyNames(), true);
            try {
                log.append(List.of(new NewBatch(grant.clientId(), sourceId, batch.tableName(), PayloadFormat.BATCH_JSON,
                        clock.instant(), body)));
            } catch (LogUnavailableException e) {
                throw ImportErrors.logUnavailable(e.getMessage());
            }
            accepted(ctx, sourceId);
        }
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
        long length = ctx.req().getContentLengthLong();
        String encoding = ctx.header("Content-Encoding");
        try (IntakeMemory.Reservation held = memory.reserve(IntakeMemory.estimate(length, encoding, limits, IntakeMemory.PUSH_FACTOR))) {
            push(ctx, validateOnly, grant, format, RequestBodies.read(ctx.req().getInputStream(), length, encoding, limits,
                    ImportErrors::pushMalformed));
        }
    }

    /** The rest of {@link #push(Context, boolean)}, once the body is read. */
    private void push(Context ctx, boolean validateOnly, ImportGrant grant, PushFormat format, byte[] body) {
        PushRequest push = PushRequest.validate(format.parse(body), grant.clientId(), limits);
        long sourceId = grant.source().id();
        for (PushRequest.TableGroup group : push.tables()) {
            requireKeyNames(sourceId, group.tableName(), group.keyNames(), !validateOnly);
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
        accepted(ctx, sourceId);
    }

    /**
     * DECISIONS I10: the first batch for a table fixes its key names; a later one with other key names
     * is refused. With {@code fix}, the key names are fixed atomically in the same step (so two
     * concurrent first batches cannot both win); validation only reads them.
     */
    private void requireKeyNames(long sourceId, String table, List<String> keyNames, boolean fix) {
        Optional<List<String>> inForce = fix ? Optional.of(catalog.fixKeyNames(sourceId, table, keyNames)) : catalog.keyNames(sourceId, table);
        if (inForce.isPresent() && !inForce.get().equals(keyNames)) {
            throw ImportErrors.keyNamesChanged(keyNames, inForce.get(), table);
        }
    }

    /** The answer once a batch is durable: 201, or 202 while loading for its source is failing (DECISIONS I1). */
    private void accepted(Context ctx, long sourceId) {
        appended.run();
        if (loadingFailing.test(sourceId)) {
            ctx.status(202).contentType("application/json").result("{\"status\":\"Accepted\",\"message\":\"The batch is queued to be processed.\"}");
        } else {
            ctx.status(201).contentType("application/json").result("{\"status\":\"OK\",\"message\":\"Batch Accepted!\"}");
        }
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

    /** A batch body as a JSON tree: strict UTF-8, Bobbin's JSON settings; malformed input gets the documented 400. */
    static JsonNode parse(byte[] body) {
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
        } catch (IOException | NumberFormatException e) {
            // Jackson throws NumberFormatException for a decimal whose exponent a BigDecimal cannot hold (1e-2147483648)
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
