package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON Schema a batch sends for its records, compiled once per request and checked against
 * every record, with everit-style violation texts ({@code #/age: expected: Integer, found: String}).
 *
 * <p>Supported keywords: {@code type} (a name or an array of names), {@code properties},
 * {@code items}, {@code format}, {@code multipleOf}. Other keywords are accepted and ignored.
 * Fields a record carries that the schema does not declare are allowed (JSON Schema's default).
 */
final class RecordSchema {

    /** JSON value kinds, named as everit names them in its messages. */
    enum Kind {
        NULL("null", "Null"), BOOLEAN("boolean", "Boolean"), OBJECT("object", "JSONObject"), ARRAY("array", "JSONArray"),
        NUMBER("number", "Number"), INTEGER("integer", "Integer"), STRING("string", "String");

        final String schemaName;
        final String label;

        Kind(String schemaName, String label) {
            this.schemaName = schemaName;
            this.label = label;
        }

        static Optional<Kind> named(String name) {
            for (Kind k : values()) {
                if (k.schemaName.equals(name)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }

        static Kind of(JsonNode value) {
            if (value.isNull()) {
                return NULL;
            } else if (value.isBoolean()) {
                return BOOLEAN;
            } else if (value.isObject()) {
                return OBJECT;
            } else if (value.isArray()) {
                return ARRAY;
            } else if (value.isIntegralNumber()) {
                return INTEGER;
            } else if (value.isNumber()) {
                return NUMBER;
            }
            return STRING;
        }

        /**
         * The kind of the value whose first token is {@code first}, as {@link #of(JsonNode)} gives it for
         * the tree Bobbin's JSON settings read: a number written with a fraction or an exponent
         * ({@code 1.0}, {@code 1e2}) is read as a decimal, which is a Number, never an Integer.
         */
        static Kind of(JsonToken first) {
            return switch (first) {
                case VALUE_NULL -> NULL;
                case VALUE_TRUE, VALUE_FALSE -> BOOLEAN;
                case START_OBJECT -> OBJECT;
                case START_ARRAY -> ARRAY;
                case VALUE_NUMBER_INT -> INTEGER;
                case VALUE_NUMBER_FLOAT -> NUMBER;
                default -> STRING;
            };
        }
    }

    /** Thrown for a schema that is not a usable JSON Schema; the message is the documented problem text. */
    static final class InvalidSchemaException extends Exception {
        InvalidSchemaException(String problem) {
            super(problem, null, false, false);
        }
    }

    private final Set<Kind> types;
    private final Map<String, RecordSchema> properties;
    private final RecordSchema items;

    private RecordSchema(Set<Kind> types, Map<String, RecordSchema> properties, RecordSchema items) {
        this.types = types;
        this.properties = properties;
        this.items = items;
    }

    static RecordSchema compile(JsonNode schema) throws InvalidSchemaException {
        if (!schema.isObject()) {
            throw new InvalidSchemaException("a schema must be an object, found: " + Kind.of(schema).label);
        }
        Set<Kind> types = EnumSet.noneOf(Kind.class);
        JsonNode type = schema.get("type");
        if (type != null) {
            List<JsonNode> names = new ArrayList<>();
            if (type.isArray()) {
                type.forEach(names::add);
            } else {
                names.add(type);
            }
            for (JsonNode name : names) {
                Optional<Kind> kind = name.isTextual() ? Kind.named(name.asText()) : Optional.empty();
                if (kind.isEmpty()) {
                    throw new InvalidSchemaException("unknown type: [" + (name.isTextual() ? name.asText() : name.toString()) + "]");
                }
                types.add(kind.get());
            }
        }
        Map<String, RecordSchema> properties = new LinkedHashMap<>();
        JsonNode props = schema.get("properties");
        if (props != null) {
            if (!props.isObject()) {
                throw new InvalidSchemaException("properties must be an object, found: " + Kind.of(props).label);
            }
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                properties.put(e.getKey(), compile(e.getValue()));
            }
        }
        JsonNode itemsNode = schema.get("items");
        RecordSchema items = itemsNode != null && itemsNode.isObject() ? compile(itemsNode) : null;
        return new RecordSchema(types, properties, items);
    }

    boolean declares(String property) {
        return properties.containsKey(property);
    }

    /** Whether a value of this kind passes this schema's {@code type} (its contents aside). */
    boolean admits(Kind kind) {
        return types.isEmpty() || types.contains(kind) || (kind == Kind.INTEGER && types.contains(Kind.NUMBER));
    }

    /**
     * The schema a property of an object value is checked against, or null when the property is not
     * declared (not checked). Only object values' properties are checked.
     */
    RecordSchema property(String name) {
        return properties.get(name);
    }

    /** The schema every item of an array value is checked against, or null when none is given (not checked). */
    RecordSchema items() {
        return items;
    }

    /** The first violation in {@code value}, as {@code #/path: expected: X, found: Y}; empty when it conforms. */
    Optional<String> violation(JsonNode value) {
        return violation(value, "#");
    }

    private Optional<String> violation(JsonNode value, String path) {
        Kind kind = Kind.of(value);
        if (!admits(kind)) {
            return Optional.of(path + ": expected: " + expected() + ", found: " + kind.label);
        }
        if (kind == Kind.OBJECT && !properties.isEmpty()) {
            for (Map.Entry<String, RecordSchema> e : properties.entrySet()) {
                JsonNode child = value.get(e.getKey());
                if (child != null) {
                    Optional<String> v = e.getValue().violation(child, path + "/" + e.getKey());
                    if (v.isPresent()) {
                        return v;
                    }
                }
            }
        }
        if (kind == Kind.ARRAY && items != null) {
            for (int i = 0; i < value.size(); i++) {
                Optional<String> v = items.violation(value.get(i), path + "/" + i);
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        return Optional.empty();
    }

    private String expected() {
        if (types.size() == 1) {
            return types.iterator().next().label;
        }
        List<String> labels = new ArrayList<>();
        types.forEach(t -> labels.add(t.label));
        return "one of [" + String.join(", ", labels) + "]";
    }
}
