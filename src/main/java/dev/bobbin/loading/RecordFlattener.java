package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.json.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
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
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** Digits a DECIMAL column holds after the point (DuckDB's DECIMAL(38,9); PostgreSQL's numeric holds more). */
    static final int MAX_DECIMAL_FRACTION_DIGITS = 9;
    /** Digits a DECIMAL column holds before the point: 38 − 9. */
    static final int MAX_DECIMAL_INTEGER_DIGITS = 29;

    /** A record that cannot be loaded at all; the message says why, for {@code _sdc_rejected}. */
    static final class RejectedException extends Exception {
        RejectedException(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Map<String, List<FlatRecord.ChildRow>> children = new LinkedHashMap<>();
    private final List<String> dropped = new ArrayList<>();

    private RecordFlattener() {
    }

    static FlatRecord flatten(JsonNode data, JsonNode schema) throws RejectedException {
        RecordFlattener f = new RecordFlattener();
        List<Cell> cells = new ArrayList<>();
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
            String cleaned = Names.clean(e.getKey());
            Optional<String> problem = Names.fieldProblem(e.getKey(), cleaned);
            if (problem.isPresent()) {
                throw new RejectedException(problem.get());
            }
            String column = columnPrefix + cleaned;
            JsonNode value = e.getValue();
            JsonNode fieldSchema = properties == null ? null : properties.get(e.getKey());
            if (value.isObject()) {
                object(value, fieldSchema, column + Names.SEPARATOR, table, levels, row, seen);
            } else if (value.isArray()) {
                String subtable = table.isEmpty() ? column : table + Names.SEPARATOR + column;
                children.computeIfAbsent(subtable, k -> new ArrayList<>());
                array(value, fieldSchema == null ? null : fieldSchema.get("items"), subtable, levels);
            } else {
                Optional<String> reserved = Names.reservedSuffixProblem(column);
                if (reserved.isPresent()) {
                    throw new RejectedException(reserved.get());
                }
                add(row, seen, column, cell(column, value, fieldSchema));
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
                add(row, seen, VALUE, cell(VALUE, element, itemSchema));
            }
            children.get(subtable).add(new FlatRecord.ChildRow(List.copyOf(elementLevels), row));
        }
    }

    private void add(List<Cell> row, Map<String, String> seen, String column, Cell cell) throws RejectedException {
        String previous = seen.putIfAbsent(Names.key(column), column);
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
                return decimalCell(field, new BigDecimal(value.bigIntegerValue()));
            }
            if (!allows(schema, "integer")) {
                return doubleCell(field, value);
            }
            BigInteger big = value.bigIntegerValue();
            if (big.compareTo(LONG_MIN) < 0 || big.compareTo(LONG_MAX) > 0) {
                return decimalCell(field, new BigDecimal(big));
            }
            return new Cell(field, ColumnType.BIGINT, value.longValue());
        }
        if (value.isNumber()) {
            return isDecimal(schema) ? decimalCell(field, value.decimalValue()) : doubleCell(field, value);
        }
        String text = value.asText();
        if (text.indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold U+0000: reject the record rather than fail the whole load on every retry
            throw new RejectedException("field " + field + " holds the character U+0000, which PostgreSQL text cannot store");
        }
        if (isDateTime(schema)) {
            Optional<Instant> instant = Timestamps.parse(text);
            if (instant.isEmpty()) {
                throw new RejectedException("field " + field + " is declared as a date-time but holds '" + Names.abbreviate(text) + "'");
            }
            if (!Timestamps.storable(instant.get())) {
                // loading.md §9.3: the record is rejected, instead of failing the whole load on every retry
                throw new RejectedException("timestamp out of range for PostgreSQL on " + field);
            }
            return new Cell(field, ColumnType.TIMESTAMPTZ, Timestamps.toMicros(instant.get()));
        }
        return new Cell(field, ColumnType.TEXT, text);
    }

    /**
     * A DECIMAL cell, or a rejected record when the value does not fit every destination's DECIMAL
     * column: the narrowest, the embedded warehouse's {@code DECIMAL(38,9)}, holds 29 digits before
     * the point and 9 after. The check is here, not in a destination, so that every destination
     * rejects the same records (DECISIONS: DuckDB follows the PostgreSQL rules exactly); before, such a
     * value failed the DuckDB load, and the batch stayed in the log, retried for ever, holding up
     * its table (DECISIONS L10, loading.md §9.3: out-of-range decimals reject their records).
     */
    private static Cell decimalCell(String field, BigDecimal value) throws RejectedException {
        BigDecimal stripped = value.stripTrailingZeros();
        int fractionDigits = Math.max(stripped.scale(), 0);
        int integerDigits = stripped.precision() - stripped.scale();
        if (fractionDigits > MAX_DECIMAL_FRACTION_DIGITS || integerDigits > MAX_DECIMAL_INTEGER_DIGITS) {
            throw new RejectedException("field " + field + " holds a decimal out of range (at most " + MAX_DECIMAL_INTEGER_DIGITS
                    + " digits before the point and " + MAX_DECIMAL_FRACTION_DIGITS + " after)");
        }
        return new Cell(field, ColumnType.DECIMAL, value);
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
