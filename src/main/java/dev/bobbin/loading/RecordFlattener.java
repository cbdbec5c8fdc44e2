package dev.bobbin.loading;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.json.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        private final Map<CellLayout, CellLayout> layouts = new HashMap<>();
        private CellLayout lastLayout;

        /** The shared layout of {@code cells}: nearly always the previous record's. */
        CellLayout layout(List<Cell> cells) {
            if (lastLayout != null && lastLayout.matches(cells)) {
                return lastLayout;
            }
            CellLayout layout = CellLayout.of(cells);
            CellLayout known = layouts.get(layout);
            if (known != null) {
                layout = known;
            } else if (layouts.size() < MAX_CACHED) {
                layouts.put(layout, layout);
            }
            lastLayout = layout;
            return layout;
        }

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

    /**
     * A row's column names so far by lower-cased name, for collision checks: an array scanned in order
     * while the row is narrow, as most rows are (the keys come from {@link FieldNames}, so they are
     * mostly the same instances and compare at once), a map beyond that.
     */
    private static final class Seen {
        private static final int SCANNED = 16;
        private String[] pairs = new String[8];
        private int size;
        private Map<String, String> map;

        /** Notes {@code column} under {@code key}; returns the column noted under it before, or null. */
        String putIfAbsent(String key, String column) {
            if (map != null) {
                return map.putIfAbsent(key, column);
            }
            for (int i = 0; i < size; i += 2) {
                if (pairs[i].equals(key)) {
                    return pairs[i + 1];
                }
            }
            if (size == pairs.length) {
                if (size / 2 >= SCANNED) {
                    map = new HashMap<>();
                    for (int i = 0; i < size; i += 2) {
                        map.put(pairs[i], pairs[i + 1]);
                    }
                    map.put(key, column);
                    return null;
                }
                pairs = java.util.Arrays.copyOf(pairs, size * 2);
            }
            pairs[size++] = key;
            pairs[size++] = column;
            return null;
        }
    }

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
        try (JsonParser p = data.traverse()) {
            p.nextToken();
            return new RecordFlattener(names).record(p, schema);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a JSON tree", e); // a tree is never malformed
        }
    }

    /**
     * Flattens the record the parser is on, read from JSON text, without building a tree of it. The
     * cells are those {@link #flatten(JsonNode, JsonNode, FieldNames)} gives for the tree Bobbin's
     * {@link dev.bobbin.json.Json#MAPPER} reads from the same text; in particular a decimal number
     * loses its trailing zeros, as it does in such a tree.
     */
    static FlatRecord flatten(JsonParser p, JsonNode schema, FieldNames names) throws RejectedException, IOException {
        return new RecordFlattener(names).record(p, schema);
    }

    /** A record that is not an object has no cells. */
    private FlatRecord record(JsonParser p, JsonNode schema) throws RejectedException, IOException {
        List<Cell> cells = new ArrayList<>();
        if (p.currentToken() == JsonToken.START_OBJECT) {
            object(p, schema, "", "", List.of(), cells, new Seen());
        }
        CellLayout layout = names.layout(cells);
        return new FlatRecord(Cells.of(cells, layout), children.isEmpty() ? Map.of() : children, dropped.isEmpty() ? List.of() : dropped, layout);
    }

    /**
     * Flattens the object the parser is on (START_OBJECT) into {@code row}, leaving the parser on its END_OBJECT.
     *
     * @param columnPrefix prefix of the columns produced ({@code address__} inside {@code address})
     * @param table        the subtable being filled, relative to the record's table ("" for the record's own row)
     * @param seen         the row's column names so far, lower-cased, for collision checks
     */
    private void object(JsonParser p, JsonNode schema, String columnPrefix, String table, List<Integer> levels,
                        List<Cell> row, Seen seen) throws RejectedException, IOException {
        JsonNode properties = schema == null ? null : schema.get("properties");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            Field field = names.field(columnPrefix, name);
            if (field.nameProblem().isPresent()) {
                throw new RejectedException(field.nameProblem().get());
            }
            String column = field.column();
            JsonToken value = p.nextToken();
            JsonNode fieldSchema = properties == null ? null : properties.get(name);
            if (value == JsonToken.START_OBJECT) {
                object(p, fieldSchema, column + Names.SEPARATOR, table, levels, row, seen);
            } else if (value == JsonToken.START_ARRAY) {
                String subtable = table.isEmpty() ? column : table + Names.SEPARATOR + column;
                children.computeIfAbsent(subtable, k -> new ArrayList<>());
                array(p, fieldSchema == null ? null : fieldSchema.get("items"), subtable, levels);
            } else {
                if (field.reservedSuffix().isPresent()) {
                    throw new RejectedException(field.reservedSuffix().get());
                }
                add(row, seen, column, field.key(), cell(p, value, column, fieldSchema));
            }
        }
    }

    /** Turns the array the parser is on (START_ARRAY) into subtable rows, leaving the parser on its END_ARRAY. */
    private void array(JsonParser p, JsonNode itemSchema, String subtable, List<Integer> levels) throws RejectedException, IOException {
        int i = 0;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken(), i++) {
            List<Integer> elementLevels = new ArrayList<>(levels);
            elementLevels.add(i);
            List<Cell> row = new ArrayList<>();
            Seen seen = new Seen();
            if (element == JsonToken.START_OBJECT) {
                object(p, itemSchema, "", subtable, elementLevels, row, seen);
            } else if (element == JsonToken.START_ARRAY) {
                String inner = subtable + Names.SEPARATOR + VALUE;
                children.computeIfAbsent(inner, k -> new ArrayList<>());
                array(p, itemSchema == null ? null : itemSchema.get("items"), inner, elementLevels);
            } else {
                add(row, seen, VALUE, VALUE_KEY, cell(p, element, VALUE, itemSchema));
            }
            children.get(subtable).add(new FlatRecord.ChildRow(List.copyOf(elementLevels), Cells.of(row, names.layout(row))));
        }
    }

    /** @param key {@code column} lower-cased ({@link Names#key}) */
    private void add(List<Cell> row, Seen seen, String column, String key, Cell cell) throws RejectedException {
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

    /** The cell of the scalar value the parser is on ({@code token}). */
    private Cell cell(JsonParser p, JsonToken token, String field, JsonNode schema) throws RejectedException, IOException {
        switch (token) {
            case VALUE_NULL:
                return new Cell(field, null, null);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new Cell(field, ColumnType.BOOLEAN, token == JsonToken.VALUE_TRUE);
            case VALUE_NUMBER_INT:
                if (isDecimal(schema)) {
                    return decimalCell(field, new BigDecimal(p.getBigIntegerValue()));
                }
                if (!allows(schema, "integer")) {
                    return doubleCell(field, p.getDecimalValue());
                }
                JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                    return new Cell(field, ColumnType.BIGINT, p.getLongValue());
                }
                BigInteger big = p.getBigIntegerValue();
                if (big.bitLength() > 63) {
                    return decimalCell(field, new BigDecimal(big));
                }
                return new Cell(field, ColumnType.BIGINT, big.longValue());
            case VALUE_NUMBER_FLOAT:
                BigDecimal decimal = decimal(p);
                return isDecimal(schema) ? decimalCell(field, decimal) : doubleCell(field, decimal);
            default:
                return textCell(field, p.getText(), schema);
        }
    }

    /** The decimal value the parser is on, as written ({@link dev.bobbin.json.Json#MAPPER} keeps decimals as written too). */
    private BigDecimal decimal(JsonParser p) throws IOException {
        return p.getDecimalValue();
    }

    private static Cell textCell(String field, String text, JsonNode schema) throws RejectedException {
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
     * rejects the same records; otherwise such a value would fail the DuckDB load on every retry
     * (DECISIONS L10, loading.md §9.3: out-of-range decimals reject their records).
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

    private static Cell doubleCell(String field, BigDecimal value) throws RejectedException {
        double d = value.doubleValue();
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
