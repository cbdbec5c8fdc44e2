package dev.bobbin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.json.Json;
import java.math.BigInteger;

/**
 * Builds {@code POST /v2/import/batch} bodies for tests: a table, its schema, optional key names and
 * messages, serialized in the order they were added.
 */
public final class BatchBody {
    /** The docs' quick-start schema (import-api.md §6.6): id, name, age, has_magic. */
    public static final String CUSTOMERS_SCHEMA = """
            {"properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                            "age": {"type": "integer"}, "has_magic": {"type": "boolean"}}}""";

    private final ObjectNode root = Json.MAPPER.createObjectNode();
    private final ArrayNode messages;

    private BatchBody(String table, String schemaJson) {
        root.put("table_name", table);
        root.set("schema", JsonText.parse(schemaJson));
        messages = root.putArray("messages");
    }

    public static BatchBody table(String table, String schemaJson) {
        return new BatchBody(table, schemaJson);
    }

    /** Table {@code customers} with the quick-start schema and {@code key_names ["id"]}. */
    public static BatchBody customers() {
        return table("customers", CUSTOMERS_SCHEMA).keyNames("id");
    }

    public BatchBody keyNames(String... names) {
        ArrayNode keys = root.putArray("key_names");
        for (String name : names) {
            keys.add(name);
        }
        return this;
    }

    public BatchBody set(String field, JsonNode value) {
        root.set(field, value);
        return this;
    }

    public BatchBody upsert(long sequence, String dataJson) {
        return upsert(BigInteger.valueOf(sequence), dataJson);
    }

    public BatchBody upsert(BigInteger sequence, String dataJson) {
        ObjectNode m = messages.addObject();
        m.put("action", "upsert");
        m.put("sequence", sequence);
        m.set("data", JsonText.parse(dataJson));
        return this;
    }

    /** Adds a message exactly as given (for malformed or unusual messages). */
    public BatchBody message(String messageJson) {
        messages.add(JsonText.parse(messageJson));
        return this;
    }

    public String json() {
        return Json.write(root);
    }

    @Override
    public String toString() {
        return json();
    }
}
