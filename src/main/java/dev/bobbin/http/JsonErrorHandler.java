package dev.bobbin.http;

import dev.bobbin.json.Json;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests that never reach a route (a malformed request line, a bad
 * {@code Content-Length}, a missing {@code Host}, headers too large): the same JSON error object as
 * every other answer, {@code {"status":"ERROR","message":"<Jetty's reason>"}}, instead of Jetty's
 * HTML page (DECISIONS I5: every response is JSON except the two documented plain-text ones).
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ERROR");
        body.put("message", message == null || message.isBlank() ? HttpStatus.getMessage(code) : message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(Json.writeBytes(body)), callback);
    }
}
