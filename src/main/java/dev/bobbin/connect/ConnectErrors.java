package dev.bobbin.connect;

import dev.bobbin.http.ApiError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Connect API error body (connect-api.md §5.4, DECISIONS C3, C4), in one place. Source and
 * token errors share the shape {@code {"error": "<Code>", "data": {"message": "<text>"}}}.
 */
public final class ConnectErrors {
    private ConnectErrors() {
    }

    public static ApiError notAuthorized() {
        return coded(401, "NotAuthorized", "a valid Connect API access token is required (Authorization: Bearer ac_...)");
    }

    public static ApiError sourceNotFound(String id) {
        return coded(404, "NotFound", "source not found (" + id + ")");
    }

    public static ApiError tokenNotFound(String id) {
        return coded(404, "NotFound", "token not found (" + id + ")");
    }

    public static ApiError invalidPutBody() {
        return coded(400, "InvalidBody", "PUT body many only include the keys: display_name, properties, and paused_at");
    }

    public static ApiError invalidDisplayName(String displayName) {
        return coded(400, "InvalidDisplayName", "invalid display_name (" + displayName + ")");
    }

    public static ApiError sourceTypeNotFound(String type) {
        return coded(404, "NotFound", "source type not found (" + type + ")");
    }

    public static ApiError invalidType(String type) {
        return coded(400, "InvalidType", "invalid source type (" + type + ")");
    }

    public static ApiError invalidPostBody() {
        return coded(400, "InvalidBody", "POST body may only include a non-empty type, a non-empty display_name and map of string properties");
    }

    public static ApiError invalidName() {
        return coded(400, "InvalidName", "The name field must be under 50 characters, and can only contain lowercase letters, "
                + "numbers, underscores, or dollar signs. It must begin with a letter or an underscore.");
    }

    public static ApiError nonUniqueDerivedName(String displayName, String name) {
        return coded(400, "InvalidName", "non-unique name after deriving it from display_name (" + displayName + " -> " + name + ")");
    }

    public static ApiError invalidDerivedName(String displayName, String name) {
        return coded(400, "InvalidDisplayName", "invalid name after deriving it from display_name (" + displayName + " -> " + name + ")");
    }

    public static ApiError destinationNotFound(String id) {
        return coded(400, "InvalidId", "destination not found (" + id + ")");
    }

    public static ApiError tooManyTokens(String message) {
        return coded(400, "TooManyTokens", message);
    }

    public static ApiError malformedJson(String parserMessage) {
        return coded(400, "InvalidBody", "the body is not valid JSON: " + parserMessage);
    }

    private static ApiError coded(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("data", Map.of("message", message));
        return ApiError.json(status, body);
    }
}
