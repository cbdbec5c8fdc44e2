package dev.bobbin.http;

import java.util.Map;

/**
 * A documented error answer: thrown by a handler, rendered by {@link HttpApi} exactly as given.
 *
 * <p>{@code body} is either a JSON-serializable value (rendered as {@code application/json}) or, for
 * the few errors the docs give as plain text, a {@link String} with {@code plainText} set.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final Object body;
    private final boolean plainText;
    private final Map<String, String> headers;

    private ApiError(int status, Object body, boolean plainText, Map<String, String> headers) {
        super("HTTP " + status, null, false, false);
        this.status = status;
        this.body = body;
        this.plainText = plainText;
        this.headers = headers;
    }

    public static ApiError json(int status, Object body) {
        return new ApiError(status, body, false, Map.of());
    }

    public static ApiError json(int status, Object body, Map<String, String> headers) {
        return new ApiError(status, body, false, headers);
    }

    public static ApiError plainText(int status, String body) {
        return new ApiError(status, body, true, Map.of());
    }

    public int status() {
        return status;
    }

    public Object body() {
        return body;
    }

    public boolean isPlainText() {
        return plainText;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
