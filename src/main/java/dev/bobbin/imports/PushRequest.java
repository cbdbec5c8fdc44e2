package dev.bobbin.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bobbin.config.ImportLimits;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code POST /v2/import/push} (or {@code /validate}) body: an array of records, each
 * with its own table, grouped per table for the batch log (import-api.md §7, DECISIONS I3, I7).
 *
 * <p>{@link #validate} throws the documented {@link dev.bobbin.http.ApiError} for the first problem.
 * Values decoded from Transit keep their types: a Transit timestamp or decimal gets a per-message
 * schema hint ({@code format: date-time} / {@code singer.decimal}) so it loads as the equivalent JSON
 * Schema-typed value would.
 */
record PushRequest(List<TableGroup> tables) {
    private static final Set<String> FIELDS = Set.of("client_id", "table_name", "sequence", "action", "key_names", "data", "table_version", "namespace");
    private static final BigInteger MAX_SEQUENCE = BigInteger.valueOf(Long.MAX_VALUE);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The records of one table, in request order, as the normalized log payload. */
    record TableGroup(String tableName, List<String> keyNames, ArrayNode messages) {
        ObjectNode payload() {
            ObjectNode root = NODES.objectNode();
            root.put("table_name", tableName);
            ArrayNode keys = root.putArray("key_names");
            keyNames.forEach(keys::add);
            root.set("messages", messages);
            return root;
        }
    }

    static PushRequest validate(JsonNode body, long clientId, ImportLimits limits) {
        if (!body.isArray()) {
            throw ImportErrors.arrayExpected();
        }
        if (body.isEmpty() || body.size() > limits.maxMessages()) {
            throw ImportErrors.recordCount(body.size(), limits.maxMessages());
        }
        checkClients(body, clientId);
        Map<String, TableGroup> groups = new LinkedHashMap<>();
        for (JsonNode record : body) {
            Map<String, List<String>> problems = problems(record, limits);
            if (!problems.isEmpty()) {
                throw ImportErrors.invalidRecord(problems);
            }
            String table = record.get("table_name").asText();
            List<String> keys = new ArrayList<>();
            record.get("key_names").forEach(k -> keys.add(k.asText()));
            TableGroup group = groups.computeIfAbsent(table, t -> new TableGroup(t, List.copyOf(keys), NODES.arrayNode()));
            if (!group.keyNames().equals(keys)) {
                throw ImportErrors.keyNamesChanged(keys, group.keyNames(), table);
            }
            group.messages().add(message(record));
        }
        return new PushRequest(List.copyOf(groups.values()));
    }

    /**
     * DECISIONS I7: every record names the token's account; missing → 401, not an integer → 422 (the
     * documented "wrong type" answer, import-api.md §7.4), several → 422, another → 403. Ids are
     * compared as numbers, so {@code 7723} and {@code "7723"} are not one client.
     */
    private static void checkClients(JsonNode body, long clientId) {
        for (JsonNode record : body) {
            JsonNode id = record.isObject() ? record.get("client_id") : null;
            if (id == null || id.isNull()) {
                throw ImportErrors.clientIdMissing();
            }
        }
        Set<BigInteger> clients = new LinkedHashSet<>();
        for (JsonNode record : body) {
            JsonNode id = record.get("client_id");
            if (!id.isIntegralNumber()) {
                throw ImportErrors.invalidRecord(Map.of("client_id", List.of("should be an integer")));
            }
            clients.add(id.bigIntegerValue());
        }
        if (clients.size() > 1) {
            throw ImportErrors.multipleClients(clientId);
        }
        if (!clients.contains(BigInteger.valueOf(clientId))) {
            throw ImportErrors.clientMismatch();
        }
    }

    /** The record's problems as the documented 422 reason map (empty when it is valid). */
    private static Map<String, List<String>> problems(JsonNode record, ImportLimits limits) {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        if (!record.isObject()) {
            problems.put("record", List.of("each record must be an object"));
            return problems;
        }
        for (String field : (Iterable<String>) record::fieldNames) {
            if (!FIELDS.contains(field)) {
                add(problems, field, "unknown key");
            }
        }
        JsonNode table = record.get("table_name");
        if (table == null || table.isNull() || (table.isTextual() && table.asText().isBlank())) {
            add(problems, "table_name", "can't be blank");
        } else if (!table.isTextual()) {
            add(problems, "table_name", "should be a string");
        }
        JsonNode sequence = record.get("sequence");
        if (sequence == null || sequence.isNull()) {
            add(problems, "sequence", "can't be blank");
        } else if (!isInteger(sequence)) {
            add(problems, "sequence", "should be an integer");
            add(problems, "sequence", "should be a number");
        } else if (sequence.bigIntegerValue().signum() < 0 || sequence.bigIntegerValue().compareTo(MAX_SEQUENCE) > 0) {
            add(problems, "sequence", "should be between 0 and 9223372036854775807");
        }
        JsonNode action = record.get("action");
        boolean switchView = action != null && "switch_view".equals(action.asText());
        if (action == null || action.isNull()) {
            add(problems, "action", "can't be blank");
        } else if (!action.isTextual() || !(action.asText().equals("upsert") || switchView)) {
            add(problems, "action", "should be upsert or switch_view");
        }
        JsonNode version = record.get("table_version");
        if (version != null && !version.isNull() && (!isInteger(version) || version.bigIntegerValue().signum() < 0
                || version.bigIntegerValue().compareTo(MAX_SEQUENCE) > 0)) {
            add(problems, "table_version", "should be an integer between 0 and 9223372036854775807");
        }
        if (switchView && (version == null || version.isNull())) {
            add(problems, "table_version", "can't be blank");
        }
        JsonNode namespace = record.get("namespace");
        if (namespace != null && !namespace.isNull() && !namespace.isTextual()) {
            add(problems, "namespace", "should be a string");
        }
        JsonNode keys = record.get("key_names");
        if (keys == null || keys.isNull()) {
            add(problems, "key_names", "can't be blank");
        } else if (!keys.isArray()) {
            add(problems, "key_names", "should be an array");
        } else {
            for (JsonNode k : keys) {
                if (!k.isTextual()) {
                    add(problems, "key_names", "should be an array of strings");
                    break;
                }
            }
        }
        JsonNode data = record.get("data");
        if (switchView && data == null) {
            return problems;
        }
        if (data == null || data.isNull()) {
            add(problems, "data", "can't be blank");
        } else if (!data.isObject()) {
            add(problems, "data", "data must be an object");
        } else if (keys != null && keys.isArray()) {
            for (JsonNode k : keys) {
                JsonNode value = data.get(k.asText());
                if (value == null) {
                    add(problems, "data", "data must include keys");
                } else if (value.isNull()) {
                    add(problems, "data", "keys cannot not be null in data");
                } else if (value.isTextual() && value.asText().length() > limits.maxKeyLength()) {
                    add(problems, "data", "String keys cannot be longer than " + limits.maxKeyLength() + " characters");
                } else if (value.isContainerNode()) {
                    add(problems, "data", "keys must be scalar values, not objects or arrays");
                }
            }
            if (DataPoints.count(data, limits.maxDataPoints()) > limits.maxDataPoints()) {
                add(problems, "data", "data must not contain more than " + limits.maxDataPoints() + " data points");
            }
        }
        return problems;
    }

    private static boolean isInteger(JsonNode node) {
        return node.isIntegralNumber();
    }

    private static void add(Map<String, List<String>> problems, String field, String problem) {
        List<String> list = problems.computeIfAbsent(field, f -> new ArrayList<>());
        if (!list.contains(problem)) {
            list.add(problem);
        }
    }

    /** The log message for a record: plain JSON data, plus a schema hint for Transit-typed values. */
    private static ObjectNode message(JsonNode record) {
        ObjectNode m = NODES.objectNode();
        boolean switchView = "switch_view".equals(record.get("action").asText());
        m.put("action", switchView ? "activate_version" : "upsert");
        m.set("sequence", record.get("sequence"));
        JsonNode version = record.get("table_version");
        if (version != null && !version.isNull()) {
            m.set("table_version", version);
        }
        JsonNode data = record.get("data");
        if (!switchView && data != null) {
            ObjectNode schema = NODES.objectNode();
            m.set("data", plain(data, schema));
            if (!schema.isEmpty()) {
                m.set("schema", schema);
            }
        }
        return m;
    }

    /**
     * Replaces Transit-only values (Instant, BigDecimal held in POJO nodes) with their JSON form, and
     * records in {@code schema} (JSON Schema shape: properties / items) the type each one had.
     */
    private static JsonNode plain(JsonNode value, ObjectNode schema) {
        if (value instanceof POJONode pojo) {
            Object v = pojo.getPojo();
            if (v instanceof Instant instant) {
                schema.put("type", "string").put("format", "date-time");
                return TextNode.valueOf(instant.toString());
            }
            if (v instanceof BigDecimal decimal) {
                schema.put("type", "number").put("format", "singer.decimal");
                return NODES.numberNode(decimal);
            }
            return TextNode.valueOf(String.valueOf(v));
        }
        if (value.isObject()) {
            ObjectNode out = NODES.objectNode();
            ObjectNode properties = NODES.objectNode();
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                ObjectNode child = NODES.objectNode();
                out.set(e.getKey(), plain(e.getValue(), child));
                if (!child.isEmpty()) {
                    properties.set(e.getKey(), child);
                }
            }
            if (!properties.isEmpty()) {
                schema.set("properties", properties);
            }
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = NODES.arrayNode();
            ObjectNode items = NODES.objectNode();
            for (JsonNode element : value) {
                out.add(plain(element, items));
            }
            if (!items.isEmpty()) {
                schema.set("items", items);
            }
            return out;
        }
        return value;
    }
}
