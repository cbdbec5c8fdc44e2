package dev.bobbin.imports;

import dev.bobbin.http.ApiError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every documented Import API error body (import-api.md §6.4, §7.4; DECISIONS I5), in one place.
 * Bodies are built as ordered maps so that keys appear in the documented order.
 */
public final class ImportErrors {
    private ImportErrors() {
    }

    // ---- authentication (all endpoints) -------------------------------------------------------

    public static ApiError notAuthorized() {
        return ApiError.json(401, Map.of("message", "Not Authorized"));
    }

    public static ApiError connectionNotActive() {
        return ApiError.json(401, ordered("error", "Forbidden", "errors", Map.of("error", "Connection is not active.")));
    }

    // ---- batch --------------------------------------------------------------------------------

    public static ApiError batchUnsupportedContentType() {
        return ApiError.plainText(415, "Content-Type must be application/json");
    }

    /** {@code 400 {"error": "Request failed validation:<violation>"}}; the violation starts with {@code #}. */
    public static ApiError batchValidation(String violation) {
        return ApiError.json(400, Map.of("error", "Request failed validation:" + violation));
    }

    public static ApiError batchMalformedJson(String parserMessage) {
        return ApiError.json(400, Map.of("error", "Request failed validation: malformed JSON: " + parserMessage));
    }

    public static ApiError recordDidNotConform(int index, String violation) {
        return ApiError.json(400, Map.of("error", "Record " + index + " did not conform to schema: " + violation));
    }

    public static ApiError recordMissingKey(String keyName) {
        return ApiError.json(400, Map.of("error", "Record is missing key property " + keyName));
    }

    public static ApiError invalidSchema(String problem) {
        return ApiError.json(400, Map.of("error", "Invalid JSON schema: " + problem));
    }

    public static ApiError sequenceTooLarge() {
        return batchValidation("#: sequence can not be above 9223372036854775807");
    }

    public static ApiError keyNamesChanged(List<String> newKeys, List<String> oldKeys, String table) {
        return ApiError.json(400, Map.of("error", "key_names " + bracketed(newKeys) + " do not match the key_names "
                + bracketed(oldKeys) + " of table " + table));
    }

    /** A record-level problem the docs give no text for (data points, key length); same shape as the others. */
    public static ApiError recordRejected(int index, String problem) {
        return ApiError.json(400, Map.of("error", "Record " + index + " " + problem));
    }

    // ---- push and validate ---------------------------------------------------------------------

    public static ApiError pushUnsupportedContentType(String contentType) {
        return ApiError.json(415, ordered("status", "ERROR", "message", "Unsupported content-type " + contentType
                + ". Please send application/json or application/transit+json"));
    }

    public static ApiError pushMalformed(String parserMessage) {
        return ApiError.json(400, ordered("status", "ERROR", "message", "Malformed json in the body!", "error", parserMessage, "input", null));
    }

    public static ApiError arrayExpected() {
        return ApiError.json(400, ordered("status", "ERROR", "message", "An array of records is expected"));
    }

    public static ApiError recordCount(int count, int max) {
        return ApiError.json(400, ordered("status", "ERROR", "message",
                "A batch must contain between 1 and " + max + " records; this one has " + count));
    }

    public static ApiError clientIdMissing() {
        return ApiError.json(401, ordered("status", "ERROR", "error", "Not Authenticated.", "errors", null));
    }

    public static ApiError clientMismatch() {
        return ApiError.json(403, ordered("status", "ERROR", "error", "Forbidden",
                "errors", Map.of("error", "Access token is not associated with this client.")));
    }

    public static ApiError multipleClients(long allowed) {
        return unprocessable(List.of(Map.of("reason",
                "The batch contains data points for multiple clients. Only client_id " + allowed + " is allowed")));
    }

    /** 422 for one record's field problems: {@code {"reason": {"<field>": ["<problem>", …]}}}. */
    public static ApiError invalidRecord(Map<String, List<String>> problems) {
        return unprocessable(List.of(Map.of("reason", problems)));
    }

    private static ApiError unprocessable(List<Object> errors) {
        return ApiError.json(422, ordered("status", "ERROR", "error", "Request cannot be processed; see errors.", "errors", errors));
    }

    // ---- shared by batch and push -------------------------------------------------------------

    public static ApiError bodyTooLarge(long bytes) {
        return ApiError.json(413, ordered("status", "ERROR",
                "message", "Request rejected: request size (" + bytes + "s bytes) exceeds the maximum"));
    }

    public static ApiError logUnavailable(String reason) {
        return notAcceptedNow(reason);
    }

    /** 503: nothing was stored, the client should send the same request again later. */
    static ApiError notAcceptedNow(String reason) {
        return ApiError.json(503, ordered("status", "ERROR", "message", "The batch was not accepted; retry later: " + reason),
                Map.of("Retry-After", "5"));
    }

    static String bracketed(List<String> names) {
        return "[" + String.join(", ", names) + "]";
    }

    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
