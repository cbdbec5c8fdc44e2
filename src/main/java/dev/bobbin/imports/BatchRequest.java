package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import java.io.IOException;
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
    /** A message's fields and actions (import-api.md §6); {@link MessageTokens} reads messages by the same names. */
    static final String ACTION = "action";
    static final String SEQUENCE = "sequence";
    static final String DATA = "data";
    static final String TIME_EXTRACTED = "time_extracted";
    static final String UPSERT = "upsert";
    static final String ACTIVATE_VERSION = "activate_version";
    private static final Set<String> UPSERT_FIELDS = Set.of(ACTION, SEQUENCE, DATA, TIME_EXTRACTED);
    private static final Set<String> ACTIVATE_FIELDS = Set.of(ACTION, SEQUENCE);
    private static final BigInteger MAX_SEQUENCE = BigInteger.valueOf(Long.MAX_VALUE);
    /** Reads one value of a body being streamed: Bobbin's JSON settings, the rest of the body not looked at. */
    private static final ObjectReader PART = Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Validates a parsed body. The Import API validates the bytes with {@link #validate(byte[], ImportLimits)}
     * instead, which gives the same answers without holding the whole body as a tree.
     */
    static BatchRequest validate(JsonNode body, ImportLimits limits) {
        JsonNode messages = body.isObject() ? body.get("messages") : null;
        Envelope envelope = envelope(body, messages != null && messages.isArray() ? messages.size() : 0, limits);
        for (int i = 0; i < messages.size(); i++) {
            envelope.check(messages.get(i), i, limits);
        }
        return new BatchRequest(envelope.tableName(), envelope.keyNames(), messages.size());
    }

    /**
     * Validates a body as it arrived, with the same answers as {@code validate(ImportApi.parse(body), limits)}
     * but without the whole body as a tree: the envelope's small fields are read as trees, the
     * messages one at a time, each checked and dropped (a tree of a 20 MiB batch takes several times
     * its size in heap, and building it was the largest part of a request's CPU time).
     *
     * <p>When {@code schema} and {@code key_names} come before {@code messages} (as clients send
     * them), one pass reads and checks everything; otherwise a first pass reads the envelope and a
     * second checks the messages. A message's problem is reported only after the whole body has been
     * read, because a body that is not JSON, or whose envelope is wrong, has that answer instead. Any
     * body the streaming reader does not take (not JSON, not an object, trailing data) is handed to
     * the tree validation, which gives the documented answer.
     *
     * <p>Each message is first read from the tokens by {@link MessageTokens}, without a tree; only a
     * message it does not settle (one with a problem, or one it is not sure of) is read as a tree and
     * checked by {@link Envelope#check}, which words the answer.
     */
    static BatchRequest validate(byte[] body, ImportLimits limits) {
        Optional<String> notUtf8 = Utf8.problem(body);
        if (notUtf8.isPresent()) {
            throw ImportErrors.batchMalformedJson(notUtf8.get());
        }
        try {
            Pass first = pass(body, limits, null);
            if (first == null) {
                return validate(ImportApi.parse(body), limits);
            }
            Envelope envelope = envelope(first.envelope, first.messageCount, limits);
            if (first.checkedWith == null || first.checkFieldAfterMessages) {
                Pass second = pass(body, limits, envelope);
                if (second == null) {
                    return validate(ImportApi.parse(body), limits);
                }
                first = second;
            }
            if (first.firstProblem != null) {
                throw first.firstProblem;
            }
            return new BatchRequest(envelope.tableName(), envelope.keyNames(), first.messageCount);
        } catch (IOException | NumberFormatException e) {
            return validate(ImportApi.parse(body), limits); // not JSON (or a number not read): the tree validation gives the documented 400
        }
    }

    /** What one streaming pass read. */
    private static final class Pass {
        /** The body's fields in order; an array of messages is stood in for by an empty array. */
        final ObjectNode envelope = Json.MAPPER.createObjectNode();
        int messageCount;
        /** The envelope the messages were checked against in this pass, or null when they were not checked. */
        Envelope checkedWith;
        /** Whether {@code schema} or {@code key_names} came after {@code messages}: the check used an incomplete envelope. */
        boolean checkFieldAfterMessages;
        ApiError firstProblem;
    }

    /**
     * Reads the body once. The messages are checked against {@code given}, or, when null, against the
     * envelope read so far if it is valid; null when the body is not a single JSON object.
     */
    private static Pass pass(byte[] body, ImportLimits limits, Envelope given) throws IOException {
        Pass pass = new Pass();
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            // Jackson's duplicate detection keeps a HashSet per object of three or more keys (a tenth of a
            // request's CPU); this parser leaves it to its readers: every tree is read from the bytes with
            // Bobbin's settings (valueTree), MessageTokens finds duplicates itself, the body's own keys below
            p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT || p.currentTokenLocation().getByteOffset() < 0) {
                return null; // not an object, or not read as bytes (Jackson takes NUL-laden bytes for UTF-16 or UTF-32)
            }
            boolean messagesSeen = false;
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (pass.envelope.has(name)) {
                    return null; // a duplicate key: the tree validation words the answer
                }
                JsonToken value = p.nextToken();
                if (name.equals("messages") && value == JsonToken.START_ARRAY) {
                    messagesSeen = true;
                    pass.envelope.set(name, Json.MAPPER.createArrayNode());
                    Envelope against = given != null ? given : provisional(pass.envelope, limits);
                    pass.checkedWith = against;
                    MessageTokens tokens = against != null ? against.tokens(limits) : MessageTokens.withoutEnvelope(limits);
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode message = tokens.treeUnlessSettled(p, body);
                        if (message != null && against != null && pass.firstProblem == null && i < limits.maxMessages()) {
                            try {
                                against.check(message, i, limits);
                            } catch (ApiError problem) {
                                pass.firstProblem = problem; // reported once the rest of the body has been read
                            }
                        }
                        i++;
                    }
                    pass.messageCount = i;
                } else {
                    if (messagesSeen && (name.equals("schema") || name.equals("key_names"))) {
                        pass.checkFieldAfterMessages = true;
                    }
                    pass.envelope.set(name, valueTree(p, body));
                }
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null; // trailing data: the tree validation words the answer
            }
        }
        return pass;
    }

    /**
     * The value at the current token of a parser over {@code body} that does not look for duplicate
     * keys, as a tree read with Bobbin's JSON settings (which refuse them): an object or array is
     * skipped and read again from its bytes.
     */
    static JsonNode valueTree(JsonParser p, byte[] body) throws IOException {
        if (!p.currentToken().isStructStart()) {
            return PART.readTree(p);
        }
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        return treeOf(body, start, p.currentTokenLocation().getByteOffset() + 1);
    }

    /** The bytes {@code start} (inclusive) to {@code end} (exclusive) of {@code body}, one JSON value, as a tree read with Bobbin's settings. */
    static JsonNode treeOf(byte[] body, long start, long end) throws IOException {
        return PART.readTree(body, Math.toIntExact(start), Math.toIntExact(end - start));
    }

    /** The envelope read so far (before {@code messages}), or null when it is not (yet) valid. */
    private static Envelope provisional(ObjectNode soFar, ImportLimits limits) {
        try {
            return envelope(soFar, 1, limits);
        } catch (ApiError notYet) {
            return null;
        }
    }

    /** What the messages are checked against: the envelope's table name, key names and compiled schema. */
    private record Envelope(String tableName, List<String> keyNames, RecordSchema schema) {
        /** The fast path of {@link #check}, for messages read from the token stream. */
        MessageTokens tokens(ImportLimits limits) {
            return MessageTokens.checking(schema, keyNames, limits);
        }

        /** Checks message {@code i}; throws the documented error for its first problem. */
        void check(JsonNode message, int i, ImportLimits limits) {
            validateMessage(message, i);
            JsonNode data = message.get("data");
            if (data == null) {
                return;
            }
            Optional<String> violation = schema.violation(data);
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
    }

    /**
     * Every check of the body apart from the messages' contents, in the documented order; {@code body}'s
     * {@code messages}, when an array, may be a stand-in (its items are not looked at), and
     * {@code messageCount} is the real number of messages.
     */
    private static Envelope envelope(JsonNode body, int messageCount, ImportLimits limits) {
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
        if (messageCount == 0) {
            throw ImportErrors.batchValidation("#/messages: expected minimum item count: 1, found: 0");
        }
        if (messageCount > limits.maxMessages()) {
            throw ImportErrors.batchValidation("#/messages: expected maximum item count: " + limits.maxMessages()
                    + ", found: " + messageCount);
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
        return new Envelope(tableName.asText(), keyNames, recordSchema);
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
            if (extracted != null && (!extracted.isTextual() || !isTimeExtracted(extracted.asText()))) {
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

    /** Whether {@code text} is a valid {@code time_extracted}: a date-time both warehouses can store. */
    static boolean isTimeExtracted(String text) {
        return Timestamps.parse(text).map(Timestamps::storable).orElse(false);
    }

    private static void requireKind(JsonNode node, RecordSchema.Kind kind, String path) {
        RecordSchema.Kind actual = RecordSchema.Kind.of(node);
        if (actual != kind) {
            throw ImportErrors.batchValidation(path + ": expected type: " + kind.label + ", found: " + actual.label);
        }
    }
}
