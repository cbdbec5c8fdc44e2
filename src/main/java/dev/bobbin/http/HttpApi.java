package dev.bobbin.http;

import dev.bobbin.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.router.EndpointNotFound;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin on Jetty with virtual threads, the routes of each API, and one mapping
 * from errors to answers. Every answer is JSON except the two plain-text ones the docs give; an
 * unexpected failure is logged and answered 500 without internals.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /**
     * The endpoints whose 405 the docs give as the plain string {@code Method not allowed.}: push
     * (import-api.md §7.4) and validate, which has push's errors (§8). Every other 405 is JSON
     * (DECISIONS I5).
     */
    private static final Set<String> PLAIN_TEXT_405 = Set.of("/v2/import/push", "/v2/import/validate");

    /** How long {@link #close} waits for requests in flight. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private final Javalin app;

    private HttpApi(Javalin app) {
        this.app = app;
    }

    /** Starts serving the given route sets on {@code host:port} (port 0 picks a free port). */
    public static HttpApi start(String host, int port, String version, List<Consumer<DocumentedRoutes>> routeSets) {
        Javalin app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.http.prefer405over404 = true;
            config.http.defaultContentType = "application/json";
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new JsonErrorHandler());
                // A stop lets the requests in flight finish (and their answers reach the clients)
                // before connections close; new requests meanwhile get 503. Without a graceful
                // handler Jetty closes in-flight connections at once, so a batch that was made
                // durable could lose its 2xx and be sent again by its client.
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(STOP_TIMEOUT.toMillis());
            });
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
            });
            DocumentedRoutes routes = new DocumentedRoutes(config.routes);
            routeSets.forEach(r -> r.accept(routes));
            AtomicReference<String> openApi = new AtomicReference<>();
            routes.publicGet("/openapi.json", "This API description (OpenAPI 3.1), generated from the served routes",
                    ctx -> ctx.contentType("application/json").result(openApi.get()));
            openApi.set(Json.write(OpenApiDocument.of(routes.routes(), version)));
            config.routes.exception(ApiError.class, (e, ctx) -> render(ctx, e));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                json(ctx, 500, Map.of("status", "ERROR", "message", "internal error; the server log has the details"));
            });
            // Javalin answers an unknown path by throwing EndpointNotFound, whose own mapper writes
            // Javalin's problem JSON before any error(404) handler runs; map it here instead.
            config.routes.exception(EndpointNotFound.class, (e, ctx) -> noSuchEndpoint(ctx));
            config.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    noSuchEndpoint(ctx);
                }
            });
            config.routes.error(405, ctx -> {
                if (PLAIN_TEXT_405.contains(stripTrailingSlash(ctx.path()))) {
                    ctx.status(405).contentType("text/plain").result("Method not allowed.");
                } else if (ctx.path().startsWith("/v4/")) {
                    // connect-api.md §3, §8.2: the Connect API answers a method the endpoint does not allow with 404
                    noSuchEndpoint(ctx);
                } else {
                    json(ctx, 405, Map.of("message", "Method not allowed."));
                }
            });
        });
        app.start();
        return new HttpApi(app);
    }

    private static void noSuchEndpoint(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "NotFound");
        body.put("data", Map.of("message", "no such endpoint: " + ctx.method() + " " + ctx.path()));
        json(ctx, 404, body);
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    public int port() {
        return app.port();
    }


    private static void render(Context ctx, ApiError e) {
        e.headers().forEach(ctx::header);
        if (e.isPlainText()) {
            ctx.status(e.status()).contentType("text/plain").result((String) e.body());
        } else {
            json(ctx, e.status(), e.body());
        }
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    /** Stops taking new requests and waits (up to {@link #STOP_TIMEOUT}) for the ones in flight to finish. */
    @Override
    public void close() {
        app.stop();
    }
}
