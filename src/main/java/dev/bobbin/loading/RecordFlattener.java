package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.json.Timestamps;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one record into typed, flattened cells and subtable rows (DECISIONS L3, L4, L5,
 * loading.md §7):
 * <ul>
 *   <li>types come from the JSON Schema where it declares the field, otherwise from the JSON value;</li>
 *   <li>objects flatten into {@code parent__child} columns;</li>
 *   <li>arrays become subtable rows ({@code field}, {@code field__inner}), each element with its index
 *       in every enclosing array; scalar elements go to a {@code value} column, and an element that is
 *       itself an array is read as an object with that array in {@code value};</li>
 *   <li>names are cleaned; a name that collides (case-insensitively) with another in the same row,
 *       or that is reserved, rejects the record; a column name over 59 characters drops that value only;</li>
 *   <li>nulls produce a cell of no type: they never create a column (DECISIONS L8).</li>
 * </ul>
 */
final class RecordFlattener {
    static final String VALUE = "value";

    /** A record that cannot be loaded at all; the message says why, for {@code _sdc_rejected}. */
    static final class RejectedException extends Exception {
        RejectedException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * What flattening works out from a field name alone: its cleaned column name under a prefix, the
     * lower-cased form collisions are checked on, and why the name cannot be used, if it cannot.
     * Records of one load share their field names, so {@link Preparation#collect} keeps one cache for
     * all of them instead of cleaning and checking every name of every record again. Not thread-safe.
     */
    static final class FieldNames {
        /** Field names from clients are unbounded; past this many, names are worked out each time. */
        private static final int MAX_CACHED = 10_000;
        private final Map<String, Map<String, Field>> byPrefix = new HashMap<>();
        private int cached;

        Field field(String columnPrefix, String raw) {
            Map<String, Field> fields = byPrefix.get(columnPrefix);
            Field field = fields == null ? null : fields.get(raw);
            if (field == null) {
                field = Field.of(columnPrefix, raw);
                if (cached < MAX_CACHED) {
                    byPrefix.computeIfAbsent(columnPrefix, k -> new HashMap<>()).put(raw, field);
                    cached++;
                }
            }
            return field;
        }
    }

    /**
     * @param nameProblem    why the client's name cannot be used at all (checked first)
     * @param reservedSuffix why the column cannot hold a value, if it ends in a type-split suffix
     */
    record Field(String column, String key, Optional<String> nameProblem, Optional<String> reservedSuffix) {
        static Field of(String columnPrefix, String raw) {
            String cleaned = Names.clean(raw);
            Optional<String> problem = Names.fieldProblem(raw, cleaned);
            String column = columnPrefix + cleaned;
            return new Field(column, Names.key(column), problem, Names.reservedSuffixProblem(column));
        }
    }

    private static final String VALUE_KEY = Names.key(VALUE);

    private final FieldNames names;
    private final Map<String, List<FlatRecord.ChildRow>> children = new LinkedHashMap<>();
    private final List<String> dropped = new ArrayList<>();

    private RecordFlattener(FieldNames names) {
        this.names = names;
    }

    static FlatRecord flatten(JsonNode data, JsonNode schema) throws RejectedException {
        return flatten(data, schema, new FieldNames());
    }

    /** As {@link #flatten(JsonNode, JsonNode)}, reusing what {@code names} already knows about field names. */
    static FlatRecord flatten(JsonNode data, JsonNode schema, FieldNames names) throws RejectedException {
        RecordFlattener f = new RecordFlattener(names);
        List<Cell> cells = new ArrayList<>(data.size());
        f.object(data, schema, "", "", List.of(), cells, new HashMap<>());
        return new FlatRecord(cells, f.children, f.dropped);
    }

    /**
     * Flattens {@code object} into {@code row}.
     *
     * @param columnPrefix prefix of the columns produced ({@code address__} inside {@code address})
     * @param table        the subtable being filled, relative to the record's table ("" for the record's own row)
     * @param seen         the row's column names so far, lower-cased, for collision checks
     */
    private void object(JsonNode object, JsonNode schema, String columnPrefix, String table, List<Integer> levels,
                        List<Cell> row, Map<String, String> seen) throws RejectedException {
        JsonNode properties = schema == null ? null : schema.get("properties");
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            Field field = names.field(columnPrefix, e.getKey());
            if (field.nameProblem().isPresent()) {
                throw new RejectedException(field.nameProblem().get());
            }
            String column = field.column();
            JsonNode value = e.getValue();
            JsonNode fieldSchema = properties == null ? null : properties.get(e.getKey());
            if (value.isObject()) {
                object(value, fieldSchema, column + Names.SEPARATOR, table, levels, row, seen);
            } else if (value.isArray()) {
                String subtable = table.isEmpty() ? column : table + Names.SEPARATOR + column;
                children.computeIfAbsent(subtable, k -> new ArrayList<>());
                array(value, fieldSchema == null ? null : fieldSchema.get("items"), subtable, levels);
            } else {
                if (field.reservedSuffix().isPresent()) {
                    throw new RejectedException(field.reservedSuffix().get());
                }
                add(row, seen, column, field.key(), cell(column, value, fieldSchema));
            }
        }
    }

    private void array(JsonNode array, JsonNode itemSchema, String subtable, List<Integer> levels) throws RejectedException {
        for (int i = 0; i < array.size(); i++) {
            List<Integer> elementLevels = new ArrayList<>(levels);
            elementLevels.add(i);
            JsonNode element = array.get(i);
            List<Cell> row = new ArrayList<>();
            Map<String, String> seen = new HashMap<>();
            if (element.isObject()) {
                object(element, itemSchema, "", subtable, elementLevels, row, seen);
            } else if (element.isArray()) {
                String inner = subtable + Names.SEPARATOR + VALUE;
                children.computeIfAbsent(inner, k -> new ArrayList<>());
                array(element, itemSchema == null ? null : itemSchema.get("items"), inner, elementLevels);
            } else {
                add(row, seen, VALUE, VALUE_KEY, cell(VALUE, element, itemSchema));
            }
            children.get(subtable).add(new FlatRecord.ChildRow(List.copyOf(elementLevels), row));
        }
    }

    /** @param key {@code column} lower-cased ({@link Names#key}) */
    private void add(List<Cell> row, Map<String, String> seen, String column, String key, Cell cell) throws RejectedException {
        String previous = seen.putIfAbsent(key, column);
        if (previous != null) {
            throw new RejectedException("Field collision on " + previous);
        }
        if (column.length() > Names.MAX_COLUMN_LENGTH) {
            dropped.add("Column name " + Names.abbreviate(column) + " is longer than " + Names.MAX_COLUMN_LENGTH + " characters");
            return;
        }
        row.add(cell);
    }

    private static Cell cell(String field, JsonNode value, JsonNode schema) throws RejectedException {
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
                return doubleCell(field, value);
            }
            if (!value.canConvertToLong()) {
                return new Cell(field, ColumnType.DECIMAL, new BigDecimal(value.bigIntegerValue()));
            }
            return new Cell(field, ColumnType.BIGINT, value.longValue());
        }
        if (value.isNumber()) {
            return isDecimal(schema) ? new Cell(field, ColumnType.DECIMAL, value.decimalValue()) : doubleCell(field, value);
        }
        String text = value.asText();
        if (isDateTime(schema)) {
            Optional<Instant> instant = Timestamps.parse(text);
            if (instant.isEmpty()) {
                throw new RejectedException("field " + field + " is declared as a date-time but holds '" + Names.abbreviate(text) + "'");
            }
            return new Cell(field, ColumnType.TIMESTAMPTZ, Timestamps.toMicros(instant.get()));
        }
        return new Cell(field, ColumnType.TEXT, text);
    }

    private static Cell doubleCell(String field, JsonNode value) throws RejectedException {
        double d = value.decimalValue().doubleValue();
        if (Double.isInfinite(d)) {
            throw new RejectedException("field " + field + " holds a number too large for double precision");
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
}
