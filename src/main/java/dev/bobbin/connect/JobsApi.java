package dev.bobbin.connect;

import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.LoadStatus;
import dev.bobbin.http.ApiError;
import dev.bobbin.json.Json;
import dev.bobbin.http.DocumentedRoutes;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job status for an account (connect-api.md §11, DECISIONS C6): {@code GET /v4/{client}/loads}, one
 * entry per table with the last successful load or the error of the last failed one, and
 * {@code GET /v4/{client}/extractions}, which lists nothing because Import API sources have no
 * extraction jobs. Both paginate at 100 with {@code ?page=N}; another account's client id is 401.
 */
public final class JobsApi {
    static final int PAGE_SIZE = 100;

    private final Catalog catalog;
    private final ConnectAuth auth;

    public JobsApi(Catalog catalog) {
        this.catalog = catalog;
        this.auth = new ConnectAuth(catalog);
    }

    public void routes(DocumentedRoutes routes) {
        routes.get("/v4/{client_id}/loads", "List the last load of each table", this::loads);
        routes.get("/v4/{client_id}/extractions", "List extraction jobs (none for Import API sources)", this::extractions);
    }

    void loads(Context ctx) throws IOException {
        Account account = authorized(ctx);
        int page = page(ctx);
        int total = catalog.loadCount(account.clientId());
        List<Map<String, Object>> data = catalog.loads(account.clientId(), (page - 1) * PAGE_SIZE, PAGE_SIZE).stream().map(JobsApi::view).toList();
        json(ctx, paginated(data, page, total, "/v4/" + account.clientId() + "/loads"));
    }

    void extractions(Context ctx) {
        Account account = authorized(ctx);
        json(ctx, paginated(List.of(), page(ctx), 0, "/v4/" + account.clientId() + "/extractions"));
    }

    private Account authorized(Context ctx) {
        Account account = auth.account(ctx);
        if (!ctx.pathParam("client_id").equals(String.valueOf(account.clientId()))) {
            throw ConnectErrors.notAuthorized();
        }
        return account;
    }

    private static int page(Context ctx) {
        String raw = ctx.queryParam("page");
        if (raw == null) {
            return 1;
        }
        try {
            int page = Integer.parseInt(raw);
            if (page >= 1) {
                return page;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiError.json(400, Map.of("error", "InvalidPage", "data", Map.of("message", "page must be a whole number from 1 (" + raw + ")")));
    }

    /** {@code {"data": [...], "page": N, "total": T, "links": {...}}} with relative next/previous links. */
    static Map<String, Object> paginated(List<?> data, int page, int total, String path) {
        Map<String, Object> links = new LinkedHashMap<>();
        int pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
        if (page < pages) {
            links.put("next", path + "?page=" + (page + 1));
        }
        if (page > 1 && pages > 0) {
            links.put("previous", path + "?page=" + Math.min(page - 1, pages));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data);
        body.put("page", page);
        body.put("total", total);
        body.put("links", links);
        return body;
    }

    private static Map<String, Object> view(LoadStatus load) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("stitch_client_id", load.clientId());
        view.put("source_name", load.sourceName());
        view.put("stream_name", load.streamName());
        view.put("last_batch_loaded_at", load.lastBatchLoadedAt().map(ConnectViews::timestamp).orElse(null));
        view.put("error_state", load.errorState().map(JobsApi::parse).orElse(null));
        return view;
    }

    private static Object parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return Map.of("message", json);
        }
    }

    private static void json(Context ctx, Object value) {
        ctx.status(200).contentType("application/json").result(Json.write(value));
    }
}
