package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.json.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a record into typed cells (DECISIONS L3): types come from the JSON Schema where it declares
 * the field, otherwise from the JSON value. Nested objects are flattened into {@code parent__child}
 * fields. Nulls produce a cell of no type (they never create a column, DECISIONS L8).
 */
final class RecordTyper {
    static final String SEPARATOR = "__";
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** A record that cannot be typed; the message says why, for {@code _sdc_rejected}. */
    static final class UntypableRecordException extends Exception {
        UntypableRecordException(String reason) {
            super(reason, null, false, false);
        }
    }

    private RecordTyper() {
    }

    static List<Cell> type(JsonNode data, JsonNode schema) throws UntypableRecordException {
        List<Cell> cells = new ArrayList<>();
        flatten(data, schema, "", cells);
        return cells;
    }

    private static void flatten(JsonNode object, JsonNode schema, String prefix, List<Cell> out) throws UntypableRecordException {
        JsonNode properties = schema == null ? null : schema.get("properties");
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            String field = prefix + e.getKey();
            JsonNode value = e.getValue();
            JsonNode fieldSchema = properties == null ? null : properties.get(e.getKey());
            if (value.isObject()) {
                flatten(value, fieldSchema, field + SEPARATOR, out);
            } else if (value.isArray()) {
                throw new UntypableRecordException("field " + field + " holds an array; nested arrays are not loaded into subtables yet");
            } else {
                out.add(cell(field, value, fieldSchema));
            }
        }
    }

    private static Cell cell(String field, JsonNode value, JsonNode schema) throws UntypableRecordException {
        if (value.isNull()) {
            return new Cell(field, null, null);
        }
        if (value.isBoolean()) {
            return new Cell(field, ColumnType.BOOLEAN, value.booleanValue());
        }
        if (value.isIntegralNumber()) {
            if (isDecimal(schema)) {
                return new Cell(field, ColumnType.DECIMAL, new BigDecimal(value.bigIntegerValue()));
            }
            if (!allows(schema, "integer")) {
                return numberCell(field, value, schema);
            }
            BigInteger big = value.bigIntegerValue();
            if (big.compareTo(LONG_MIN) < 0 || big.compareTo(LONG_MAX) > 0) {
                return new Cell(field, ColumnType.DECIMAL, new BigDecimal(big));
            }
            return new Cell(field, ColumnType.BIGINT, value.longValue());
        }
        if (value.isNumber()) {
            return numberCell(field, value, schema);
        }
        String text = value.asText();
        if (isDateTime(schema)) {
            Optional<Instant> instant = Timestamps.parse(text);
            if (instant.isEmpty()) {
                throw new UntypableRecordException("field " + field + " is declared as a date-time but holds '" + abbreviate(text) + "'");
            }
            return new Cell(field, ColumnType.TIMESTAMPTZ, Timestamps.toMicros(instant.get()));
        }
        return new Cell(field, ColumnType.TEXT, text);
    }

    private static Cell numberCell(String field, JsonNode value, JsonNode schema) throws UntypableRecordException {
        BigDecimal decimal = value.decimalValue();
        if (isDecimal(schema)) {
            return new Cell(field, ColumnType.DECIMAL, decimal);
        }
        double d = decimal.doubleValue();
        if (Double.isInfinite(d)) {
            throw new UntypableRecordException("field " + field + " holds a number too large for double precision");
        }
        return new Cell(field, ColumnType.DOUBLE, d);
    }

    private static boolean allows(JsonNode schema, String type) {
        if (schema == null || !schema.has("type")) {
            return true;
        }
        JsonNode t = schema.get("type");
        if (t.isArray()) {
            for (JsonNode n : t) {
                if (type.equals(n.asText())) {
                    return true;
                }
            }
            return false;
        }
        return type.equals(t.asText());
    }

    private static boolean isDecimal(JsonNode schema) {
        return schema != null && (schema.has("multipleOf") || "singer.decimal".equals(schema.path("format").asText()));
    }

    private static boolean isDateTime(JsonNode schema) {
        if (schema == null) {
            return false;
        }
        String format = schema.path("format").asText();
        return "date-time".equals(format) || "date".equals(format);
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
