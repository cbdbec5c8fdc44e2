package dev.bobbin.imports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.ImportLimits;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code POST /v2/import/batch} body (import-api.md §6, DECISIONS I3, I4).
 *
 * <p>{@link #validate} checks the envelope, the schema, every record against the schema, the key
 * properties and the limits, and throws the documented {@link dev.bobbin.http.ApiError} for the first
 * problem. A body that passes is logged exactly as received.
 */
record BatchRequest(String tableName, List<String> keyNames, int messageCount) {
    private static final Set<String> TOP_LEVEL = Set.of("table_name", "schema", "messages", "key_names", "table_version", "bookmark_names");
    private static final List<String> REQUIRED = List.of("table_name", "schema", "messages");
    private static final Set<String> UPSERT_FIELDS = Set.of("action", "sequence", "data", "time_extracted");
    private static final Set<String> ACTIVATE_FIELDS = Set.of("action", "sequence");
    private static final BigInteger MAX_SEQUENCE = BigInteger.valueOf(Long.MAX_VALUE);

    static BatchRequest validate(JsonNode body, ImportLimits limits) {
        if (!body.isObject()) {
            throw ImportErrors.batchValidation("#: expected type: JSONObject, found: " + RecordSchema.Kind.of(body).label);
        }
        for (String field : REQUIRED) {
            if (!body.has(field)) {
                throw ImportErrors.batchValidation("#: required key [" + field + "] not found");
            }
        }
        for (String field : (Iterable<String>) body::fieldNames) {
            if (!TOP_LEVEL.contains(field)) {
                throw ImportErrors.batchValidation("#: extraneous key [" + field + "] is not permitted");
            }
        }
        JsonNode tableName = body.get("table_name");
        requireKind(tableName, RecordSchema.Kind.STRING, "#/table_name");
        if (tableName.asText().isEmpty()) {
            throw ImportErrors.batchValidation("#/table_name: expected minLength: 1, actual: 0");
        }
        JsonNode schema = body.get("schema");
        requireKind(schema, RecordSchema.Kind.OBJECT, "#/schema");
        List<String> keyNames = keyNames(body.get("key_names"));
        if (body.has("table_version")) {
            JsonNode version = body.get("table_version");
            requireKind(version, RecordSchema.Kind.INTEGER, "#/table_version");
            if (!version.canConvertToLong() || version.longValue() < 0) {
                throw ImportErrors.batchValidation("#/table_version: " + version.asText() + " is not a table version (0 to 9223372036854775807)");
            }
        }
        if (body.has("bookmark_names")) {
            JsonNode bookmarks = body.get("bookmark_names");
            requireKind(bookmarks, RecordSchema.Kind.ARRAY, "#/bookmark_names");
            for (int i = 0; i < bookmarks.size(); i++) {
                requireKind(bookmarks.get(i), RecordSchema.Kind.STRING, "#/bookmark_names/" + i);
            }
        }
        JsonNode messages = body.get("messages");
        requireKind(messages, RecordSchema.Kind.ARRAY, "#/messages");
        if (messages.isEmpty()) {
            throw ImportErrors.batchValidation("#/messages: expected minimum item count: 1, found: 0");
        }
        if (messages.size() > limits.maxMessages()) {
            throw ImportErrors.batchValidation("#/messages: expected maximum item count: " + limits.maxMessages()
                    + ", found: " + messages.size());
        }
        RecordSchema recordSchema;
        try {
            recordSchema = RecordSchema.compile(schema);
        } catch (RecordSchema.InvalidSchemaException e) {
            throw ImportErrors.invalidSchema(e.getMessage());
        }
        for (String key : keyNames) {
            if (!recordSchema.declares(key)) {
                // import-api.md §6.1 key_names rule 4: a key missing from the schema gets the same answer as one missing from a record
                throw ImportErrors.recordMissingKey(key);
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            validateMessage(message, i);
            JsonNode data = message.get("data");
            if (data == null) {
                continue;
            }
            Optional<String> violation = recordSchema.violation(data);
            if (violation.isPresent()) {
                throw ImportErrors.recordDidNotConform(i, violation.get());
            }
            for (String key : keyNames) {
                JsonNode value = data.get(key);
                if (value == null || value.isNull()) {
                    throw ImportErrors.recordMissingKey(key);
                }
                if (value.isTextual() && value.asText().length() > limits.maxKeyLength()) {
                    throw ImportErrors.recordRejected(i, "has a key property " + key + " longer than " + limits.maxKeyLength() + " characters");
                }
                if (value.isContainerNode()) {
                    throw ImportErrors.recordRejected(i, "has a key property " + key + " that is an object or array; keys must be scalar values");
                }
            }
            int points = DataPoints.count(data, limits.maxDataPoints());
            if (points > limits.maxDataPoints()) {
                throw ImportErrors.recordRejected(i, "has more than " + limits.maxDataPoints() + " data points");
            }
        }
        return new BatchRequest(tableName.asText(), keyNames, messages.size());
    }

    private static List<String> keyNames(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        requireKind(node, RecordSchema.Kind.ARRAY, "#/key_names");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            requireKind(node.get(i), RecordSchema.Kind.STRING, "#/key_names/" + i);
            String name = node.get(i).asText();
            if (names.contains(name)) {
                throw ImportErrors.batchValidation("#/key_names: array items are not unique");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /**
     * A message is either an upsert (action, sequence, data) or an activate_version (action, sequence).
     * When it is neither, the text lists the activate_version branch first, then the upsert branch, as
     * the documented "Required argument missing from a Message object" error does (import-api.md §6.4):
     * for an upsert without {@code sequence} that is
     * {@code #/messages/0: #: 0 subschemas matched instead of one #/messages/0: 2 schema violations found
     * #/messages/0: required key [sequence] not found #/messages/0: extraneous key [data] is not permitted
     * #/messages/0: required key [sequence] not found}.
     */
    private static void validateMessage(JsonNode message, int index) {
        String path = "#/messages/" + index;
        requireKind(message, RecordSchema.Kind.OBJECT, path);
        JsonNode sequence = message.get("sequence");
        if (sequence != null && sequence.isIntegralNumber() && sequence.bigIntegerValue().compareTo(MAX_SEQUENCE) > 0) {
            throw ImportErrors.sequenceTooLarge();
        }
        List<String> asUpsert = violations(message, path, "upsert", UPSERT_FIELDS, true);
        if (asUpsert.isEmpty()) {
            return;
        }
        List<String> asActivate = violations(message, path, "activate_version", ACTIVATE_FIELDS, false);
        if (asActivate.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder(path).append(": #: 0 subschemas matched instead of one");
        for (List<String> branch : List.of(asActivate, asUpsert)) {
            if (branch.size() > 1) {
                text.append(' ').append(path).append(": ").append(branch.size()).append(" schema violations found");
            }
        }
        for (List<String> branch : List.of(asActivate, asUpsert)) {
            branch.forEach(v -> text.append(' ').append(v));
        }
        throw ImportErrors.batchValidation(text.toString());
    }

    /**
     * The violations of one branch. The value of {@code action} is checked only when the message has
     * the branch's shape (its keys are right), so that a message missing a key is reported by its
     * shape alone, as documented; a message with a branch's shape and the other action still fails.
     */
    private static List<String> violations(JsonNode message, String path, String action, Set<String> allowed, boolean needsData) {
        List<String> out = new ArrayList<>();
        JsonNode actionNode = message.get("action");
        if (actionNode == null) {
            out.add(path + ": required key [action] not found");
        }
        JsonNode sequence = message.get("sequence");
        if (sequence == null) {
            out.add(path + ": required key [sequence] not found");
        } else if (!sequence.isIntegralNumber()) {
            out.add(path + "/sequence: expected type: Integer, found: " + RecordSchema.Kind.of(sequence).label);
        } else if (sequence.bigIntegerValue().signum() < 0) {
            out.add(path + "/sequence: " + sequence.asText() + " is not greater or equal to 0");
        }
        if (needsData) {
            JsonNode data = message.get("data");
            if (data == null) {
                out.add(path + ": required key [data] not found");
            } else if (!data.isObject()) {
                out.add(path + "/data: expected type: JSONObject, found: " + RecordSchema.Kind.of(data).label);
            }
            JsonNode extracted = message.get("time_extracted");
            if (extracted != null && (!extracted.isTextual()
                    || !dev.bobbin.json.Timestamps.parse(extracted.asText()).map(dev.bobbin.json.Timestamps::storable).orElse(false))) {
                out.add(path + "/time_extracted: " + extracted + " is not a valid date-time");
            }
        }
        for (String field : (Iterable<String>) message::fieldNames) {
            if (!allowed.contains(field)) {
                out.add(path + ": extraneous key [" + field + "] is not permitted");
            }
        }
        if (out.isEmpty() && (!actionNode.isTextual() || !actionNode.asText().equals(action))) {
            out.add(path + "/action: " + actionNode + " is not a valid enum value");
        }
        return out;
    }

    private static void requireKind(JsonNode node, RecordSchema.Kind kind, String path) {
        RecordSchema.Kind actual = RecordSchema.Kind.of(node);
        if (actual != kind) {
            throw ImportErrors.batchValidation(path + ": expected type: " + kind.label + ", found: " + actual.label);
        }
    }
}
