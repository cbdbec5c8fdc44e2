package dev.bobbin.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.destination.duckdb.QueryResult;
import dev.bobbin.http.ApiError;
import dev.bobbin.http.BearerToken;
import dev.bobbin.json.Json;
import dev.bobbin.http.DocumentedRoutes;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * {@code POST /admin/sql}: a read-only query on the embedded warehouse, for {@code bobbin sql} while
 * the server holds the DuckDB file. Only from loopback, and only with the admin token the server
 * writes to its data dir (mode 0600) at start, so only a local user who can read the data dir can
 * query.
 */
public final class AdminApi {
    private final LongFunction<DuckDbWarehouse> warehouses;
    private final long defaultAccount;
    private final byte[] adminToken;

    /**
     * @param warehouses     an account's embedded warehouse by client id
     * @param defaultAccount the account queried when the request names none
     */
    public AdminApi(LongFunction<DuckDbWarehouse> warehouses, long defaultAccount, String adminToken) {
        this.warehouses = warehouses;
        this.defaultAccount = defaultAccount;
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public void routes(DocumentedRoutes routes) {
        routes.post("/admin/sql", "Read-only query on an embedded warehouse (loopback and admin token only)", this::sql);
    }

    void sql(Context ctx) throws java.io.IOException {
        if (!isLoopback(ctx.req().getRemoteAddr()) || !authorized(BearerToken.from(ctx.header("Authorization")))) {
            throw ApiError.json(401, Map.of("message", "Not Authorized"));
        }
        JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
        if (body == null || !body.path("sql").isTextual()) {
            throw ApiError.json(400, Map.of("error", "the body must be {\"sql\": \"SELECT ...\"}"));
        }
        try {
            long account = body.path("account").isIntegralNumber() ? body.get("account").longValue() : defaultAccount;
            QueryResult result = warehouses.apply(account).query(body.get("sql").asText());
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("columns", result.columns());
            view.put("rows", result.rows());
            ctx.status(200).contentType("application/json").result(Json.write(view));
        } catch (SQLException | IllegalArgumentException e) {
            throw ApiError.json(400, Map.of("error", e.getMessage()));
        }
    }

    private boolean authorized(Optional<String> token) {
        return token.isPresent() && MessageDigest.isEqual(adminToken, token.get().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
