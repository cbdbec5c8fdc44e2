package dev.bobbin.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers routes together with their one-line documentation, so that {@code GET /openapi.json}
 * is generated from exactly the routes that are served and cannot drift from them.
 */
public final class DocumentedRoutes {

    /** One served route: method, Javalin path (with {@code {param}}s), summary, and whether it needs a token. */
    public record Route(String method, String path, String summary, boolean authenticated) {
    }

    private final RoutesConfig routes;
    private final List<Route> documented = new ArrayList<>();

    DocumentedRoutes(RoutesConfig routes) {
        this.routes = routes;
    }

    public void get(String path, String summary, Handler handler) {
        add("get", path, summary, true);
        routes.get(path, handler);
    }

    /** A GET that needs no token (status, the API description). */
    public void publicGet(String path, String summary, Handler handler) {
        add("get", path, summary, false);
        routes.get(path, handler);
    }

    public void post(String path, String summary, Handler handler) {
        add("post", path, summary, true);
        routes.post(path, handler);
    }

    public void put(String path, String summary, Handler handler) {
        add("put", path, summary, true);
        routes.put(path, handler);
    }

    public void delete(String path, String summary, Handler handler) {
        add("delete", path, summary, true);
        routes.delete(path, handler);
    }

    List<Route> routes() {
        return List.copyOf(documented);
    }

    private void add(String method, String path, String summary, boolean authenticated) {
        if (summary == null || summary.isBlank()) {
            throw new IllegalArgumentException("route " + method + " " + path + " has no summary");
        }
        documented.add(new Route(method, path, summary, authenticated));
    }
}
