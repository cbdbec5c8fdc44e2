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
     * What flattening works out once per place in a record rather than once per value: each field's
     * cleaned column name and name problems ({@link Field}), what its schema says about its values
     * ({@link ValueSchema}), and the rows' shared {@link CellLayout}s. Records of one load share their
     * field names and schema, so {@link Preparation#collect} and {@link BatchPayloads} keep one of these
     * for all of them. The places form a tree from each schema's root ({@link Scope}): a field is found
     * with one lookup by its raw name in its object's scope. Not thread-safe.
     */
    static final class FieldNames {
        /** Field names and schemas from clients are unbounded; past this many places, they are worked out each time. */
        private static final int MAX_CACHED = 10_000;
        private final Map<JsonNode, Scope> roots = new HashMap<>();
        private JsonNode lastSchema;
        private Scope lastRoot;
        private Scope nullRoot;
        private int cached;
        private final Map<CellLayout, CellLayout> layouts = new HashMap<>();
        /** Rows being filled, by depth of array nesting (0: a record's own row). */
        private final List<Row> rows = new ArrayList<>();

        /** The empty row to fill at {@code depth}. */
        Row row(int depth) {
            while (rows.size() <= depth) {
                rows.add(new Row());
            }
            return rows.get(depth).reset();
        }

        /** The scope of a record's top-level object under {@code schema}: nearly always the previous record's. */
        Scope root(JsonNode schema) {
            if (schema == lastSchema && lastRoot != null) {
                return lastRoot;
            }
            Scope root;
            if (schema == null) {
                if (nullRoot == null) {
                    nullRoot = new Scope(this, "", "", null);
                }
                root = nullRoot;
            } else {
                // a push message brings its own schema instance: equal schemas share a scope
                root = roots.get(schema);
                if (root == null) {
                    root = new Scope(this, "", "", schema);
                    if (reserve()) {
                        roots.put(schema, root);
                    }
                }
            }
            lastSchema = schema;
            lastRoot = root;
            return root;
        }

        /** Whether one more place may be kept; counts it if so. */
        private boolean reserve() {
            if (cached >= MAX_CACHED) {
                return false;
            }
            cached++;
            return true;
        }

        /** The shared layout of {@code row}: nearly always {@code last}, the previous layout of rows of the same place. */
        CellLayout layout(Row row, CellLayout last) {
            if (last != null && row.matches(last)) {
                return last;
            }
            CellLayout layout = row.layout();
            CellLayout known = layouts.get(layout);
            if (known != null) {
                layout = known;
            } else if (layouts.size() < MAX_CACHED) {
                layouts.put(layout, layout);
            }
            return layout;
        }
    }

    /** What a field's schema says about its scalar values, worked out once per field instead of per value. */
    record ValueSchema(boolean decimal, boolean dateTime, boolean allowsInteger) {
        private static final ValueSchema NONE = new ValueSchema(false, false, true);

        static ValueSchema of(JsonNode schema) {
            return schema == null ? NONE : new ValueSchema(isDecimal(schema), isDateTime(schema), allows(schema, "integer"));
        }
    }

    /**
     * An object at one place of a record: its column prefix ({@code address__} inside {@code address}),
     * the subtable its columns go to ("" for the record's own row), its schema, and what is known about
     * the fields met in it.
     */
    static final class Scope {
        private final FieldNames names;
        private final String columnPrefix;
        private final String table;
        private final JsonNode properties;
        private final Map<String, Slot> slots = new HashMap<>();
        /** The slot of the first field of the object last met here. */
        private Slot first;
        /** The layout of the last row this scope began (the record's row, for a root). */
        private CellLayout lastLayout;

        private Scope(FieldNames names, String columnPrefix, String table, JsonNode schema) {
            this.names = names;
            this.columnPrefix = columnPrefix;
            this.table = table;
            this.properties = schema == null ? null : schema.get("properties");
        }

        /**
         * The slot of the field named {@code raw}, which follows the field of {@code previous} (null for
         * the object's first field). Records of one load mostly list their fields in the same order, so
         * the field that followed {@code previous} last time is tried before a lookup by name.
         */
        Slot slot(Slot previous, String raw) {
            Slot expected = previous == null ? first : previous.next;
            if (expected != null && expected.raw.equals(raw)) {
                return expected;
            }
            Slot slot = slots.get(raw);
            if (slot == null) {
                slot = new Slot(this, raw);
                if (names.reserve()) {
                    slots.put(raw, slot);
                }
            }
            if (previous == null) {
                first = slot;
            } else {
                previous.next = slot;
            }
            return slot;
        }
    }

    /** A field of a {@link Scope}, and the object or array it may hold, found once. */
    static final class Slot {
        /** The field's name as the client wrote it. */
        final String raw;
        final Field field;
        final ValueSchema values;
        private final Scope owner;
        private final JsonNode schema;
        private Scope object;
        private Items array;
        /** The slot of the field that followed this one in the object last met with it. */
        private Slot next;

        private Slot(Scope owner, String raw) {
            this.raw = raw;
            this.owner = owner;
            this.field = Field.of(owner.columnPrefix, raw);
            this.schema = owner.properties == null ? null : owner.properties.get(raw);
            this.values = ValueSchema.of(schema);
        }

        /** The scope of the object this field holds. */
        Scope object() {
            if (object == null) {
                object = new Scope(owner.names, field.column() + Names.SEPARATOR, owner.table, schema);
            }
            return object;
        }

        /** The elements of the array this field holds. */
        Items array() {
            if (array == null) {
                String subtable = owner.table.isEmpty() ? field.column() : owner.table + Names.SEPARATOR + field.column();
                array = new Items(owner.names, subtable, schema == null ? null : schema.get("items"));
            }
            return array;
        }
    }

    /** The elements of an array at one place of a record: the subtable they go to and their schema. */
    static final class Items {
        private final FieldNames names;
        final String subtable;
        final ValueSchema values;
        private final JsonNode schema;
        private Scope object;
        private Items array;
        /** The layout of the last element row. */
        private CellLayout lastLayout;

        private Items(FieldNames names, String subtable, JsonNode schema) {
            this.names = names;
            this.subtable = subtable;
            this.schema = schema;
            this.values = ValueSchema.of(schema);
        }

        /** The scope of an element that is an object. */
        Scope object() {
            if (object == null) {
                object = new Scope(names, "", subtable, schema);
            }
            return object;
        }

        /** The elements of an element that is an array (read as an object with that array in {@code value}). */
        Items array() {
            if (array == null) {
                array = new Items(names, subtable + Names.SEPARATOR + VALUE, schema == null ? null : schema.get("items"));
            }
            return array;
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
     * The row being filled: its cells as parallel arrays (no {@link Cell} per value), and its column
     * names so far by lower-cased name, for collision checks: scanned in order while the row is narrow,
     * as most rows are (the keys come from {@link FieldNames}, so they are mostly the same instances and
     * compare at once), a map beyond that. The column names include those of values dropped for a name
     * too long, which are not cells. One per depth of array nesting, reused from row to row.
     */
    static final class Row {
        private static final int SCANNED = 16;
        private String[] fields = new String[8];
        private ColumnType[] types = new ColumnType[8];
        private Object[] values = new Object[8];
        private int size;
        private String[] keys = new String[8];
        private String[] columns = new String[8];
        /** The keys' hash codes, compared before the keys. */
        private int[] hashes = new int[8];
        private int seen;
        private Map<String, String> map;

        /** Empties the row for the next one. */
        Row reset() {
            java.util.Arrays.fill(values, 0, size, null);
            size = 0;
            seen = 0;
            map = null;
            return this;
        }

        /** Notes {@code column} under {@code key}; returns the column noted under it before, or null. */
        String putIfAbsent(String key, String column) {
            if (map != null) {
                return map.putIfAbsent(key, column);
            }
            int hash = key.hashCode();
            for (int i = 0; i < seen; i++) {
                if (hashes[i] == hash && keys[i].equals(key)) {
                    return columns[i];
                }
            }
            if (seen == keys.length) {
                if (seen >= SCANNED) {
                    map = new HashMap<>();
                    for (int i = 0; i < seen; i++) {
                        map.put(keys[i], columns[i]);
                    }
                    map.put(key, column);
                    return null;
                }
                keys = java.util.Arrays.copyOf(keys, seen * 2);
                columns = java.util.Arrays.copyOf(columns, seen * 2);
                hashes = java.util.Arrays.copyOf(hashes, seen * 2);
            }
            keys[seen] = key;
            columns[seen] = column;
            hashes[seen] = hash;
            seen++;
            return null;
        }

        void add(String field, ColumnType type, Object value) {
            if (size == fields.length) {
                fields = java.util.Arrays.copyOf(fields, size * 2);
                types = java.util.Arrays.copyOf(types, size * 2);
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            fields[size] = field;
            types[size] = type;
            values[size] = value;
            size++;
        }

        /** Whether the row's cells have {@code layout}. */
        boolean matches(CellLayout layout) {
            return layout.matches(fields, types, size);
        }

        CellLayout layout() {
            return CellLayout.of(fields, types, size);
        }

        Cells cells(CellLayout layout) {
            return Cells.of(layout, java.util.Arrays.copyOf(values, size));
        }
    }

    private final FieldNames names;
    /** The record's subtable rows; made when the first array is met (most records have none). */
    private Map<String, List<FlatRecord.ChildRow>> children = Map.of();
    /** Why values were dropped; made when the first is. */
    private List<String> dropped = List.of();
    /** The type of the value {@link #value} returned last. */
    private ColumnType type;

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
        Scope root = names.root(schema);
        Row row = names.row(0);
        if (p.currentToken() == JsonToken.START_OBJECT) {
            object(p, root, List.of(), row);
        }
        CellLayout layout = names.layout(row, root.lastLayout);
        root.lastLayout = layout;
        return new FlatRecord(row.cells(layout), children, dropped, layout);
    }

    /** Flattens the object the parser is on (START_OBJECT) into {@code row}, leaving the parser on its END_OBJECT. */
    private void object(JsonParser p, Scope scope, List<Integer> levels, Row row) throws RejectedException, IOException {
        Slot slot = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            slot = scope.slot(slot, p.currentName());
            Field field = slot.field;
            if (field.nameProblem().isPresent()) {
                throw new RejectedException(field.nameProblem().get());
            }
            JsonToken token = p.nextToken();
            if (token == JsonToken.START_OBJECT) {
                object(p, slot.object(), levels, row);
            } else if (token == JsonToken.START_ARRAY) {
                array(p, slot.array(), levels);
            } else {
                if (field.reservedSuffix().isPresent()) {
                    throw new RejectedException(field.reservedSuffix().get());
                }
                String column = field.column();
                add(row, column, field.key(), value(p, token, column, slot.values));
            }
        }
    }

    /** Turns the array the parser is on (START_ARRAY) into subtable rows, leaving the parser on its END_ARRAY. */
    private void array(JsonParser p, Items items, List<Integer> levels) throws RejectedException, IOException {
        if (children.isEmpty()) {
            children = new LinkedHashMap<>();
        }
        List<FlatRecord.ChildRow> subtableRows = children.computeIfAbsent(items.subtable, k -> new ArrayList<>());
        int i = 0;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken(), i++) {
            List<Integer> elementLevels = appended(levels, i);
            Row row = names.row(elementLevels.size());
            if (element == JsonToken.START_OBJECT) {
                object(p, items.object(), elementLevels, row);
            } else if (element == JsonToken.START_ARRAY) {
                array(p, items.array(), elementLevels);
            } else {
                add(row, VALUE, VALUE_KEY, value(p, element, VALUE, items.values));
            }
            CellLayout layout = names.layout(row, items.lastLayout);
            items.lastLayout = layout;
            subtableRows.add(new FlatRecord.ChildRow(elementLevels, row.cells(layout)));
        }
    }

    /** {@code levels} and then {@code index}, immutable. */
    private static List<Integer> appended(List<Integer> levels, int index) {
        Integer[] out = levels.toArray(new Integer[levels.size() + 1]);
        out[levels.size()] = index;
        return List.of(out);
    }

    /**
     * Adds the cell of {@code value} (of {@link #type}) to the row, or drops it when its column name is too long.
     *
     * @param key {@code column} lower-cased ({@link Names#key})
     */
    private void add(Row row, String column, String key, Object value) throws RejectedException {
        String previous = row.putIfAbsent(key, column);
        if (previous != null) {
            throw new RejectedException("Field collision on " + previous);
        }
        if (column.length() > Names.MAX_COLUMN_LENGTH) {
            if (dropped.isEmpty()) {
                dropped = new ArrayList<>();
            }
            dropped.add("Column name " + Names.abbreviate(column) + " is longer than " + Names.MAX_COLUMN_LENGTH + " characters");
            return;
        }
        row.add(column, type, value);
    }

    /**
     * The value of the scalar the parser is on ({@code token}), in the representation of its cell's type,
     * which is left in {@link #type} (null for a JSON null).
     */
    private Object value(JsonParser p, JsonToken token, String field, ValueSchema schema) throws RejectedException, IOException {
        switch (token) {
            case VALUE_NULL:
                type = null;
                return null;
            case VALUE_TRUE:
            case VALUE_FALSE:
                type = ColumnType.BOOLEAN;
                return token == JsonToken.VALUE_TRUE;
            case VALUE_NUMBER_INT: {
                if (schema.decimal()) {
                    return decimal(field, new BigDecimal(p.getBigIntegerValue()));
                }
                JsonParser.NumberType numberType = p.getNumberType();
                boolean fitsLong = numberType == JsonParser.NumberType.INT || numberType == JsonParser.NumberType.LONG;
                if (!schema.allowsInteger()) {
                    // a long converts to the nearest double, as the BigDecimal of its digits does
                    return fitsLong ? doubleValue(field, (double) p.getLongValue()) : doubleValue(field, p.getDecimalValue().doubleValue());
                }
                if (fitsLong) {
                    type = ColumnType.BIGINT;
                    return p.getLongValue();
                }
                BigInteger big = p.getBigIntegerValue();
                if (big.bitLength() > 63) {
                    return decimal(field, new BigDecimal(big));
                }
                type = ColumnType.BIGINT;
                return big.longValue();
            }
            case VALUE_NUMBER_FLOAT:
                return schema.decimal() ? decimal(field, p.getDecimalValue()) : doubleValue(field, DoubleText.of(p));
            default:
                return text(field, p.getText(), schema);
        }
    }

    private Object text(String field, String text, ValueSchema schema) throws RejectedException {
        if (text.indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold U+0000: reject the record rather than fail the whole load on every retry
            throw new RejectedException("field " + field + " holds the character U+0000, which PostgreSQL text cannot store");
        }
        if (schema.dateTime()) {
            Optional<Instant> instant = Timestamps.parse(text);
            if (instant.isEmpty()) {
                throw new RejectedException("field " + field + " is declared as a date-time but holds '" + Names.abbreviate(text) + "'");
            }
            if (!Timestamps.storable(instant.get())) {
                // loading.md §9.3: the record is rejected, instead of failing the whole load on every retry
                throw new RejectedException("timestamp out of range for PostgreSQL on " + field);
            }
            type = ColumnType.TIMESTAMPTZ;
            return Timestamps.toMicros(instant.get());
        }
        type = ColumnType.TEXT;
        return text;
    }

    /**
     * A DECIMAL value (and {@link #type}), or a rejected record when the value does not fit every destination's DECIMAL
     * column: the narrowest, the embedded warehouse's {@code DECIMAL(38,9)}, holds 29 digits before
     * the point and 9 after. The check is here, not in a destination, so that every destination
     * rejects the same records; otherwise such a value would fail the DuckDB load on every retry
     * (DECISIONS L10, loading.md §9.3: out-of-range decimals reject their records).
     */
    private Object decimal(String field, BigDecimal value) throws RejectedException {
        BigDecimal stripped = value.stripTrailingZeros();
        int fractionDigits = Math.max(stripped.scale(), 0);
        int integerDigits = stripped.precision() - stripped.scale();
        if (fractionDigits > MAX_DECIMAL_FRACTION_DIGITS || integerDigits > MAX_DECIMAL_INTEGER_DIGITS) {
            throw new RejectedException("field " + field + " holds a decimal out of range (at most " + MAX_DECIMAL_INTEGER_DIGITS
                    + " digits before the point and " + MAX_DECIMAL_FRACTION_DIGITS + " after)");
        }
        type = ColumnType.DECIMAL;
        return value;
    }

    private Object doubleValue(String field, double d) throws RejectedException {
        if (Double.isInfinite(d)) {
            throw new RejectedException("field " + field + " holds a number too large for double precision");
        }
        type = ColumnType.DOUBLE;
        return d;
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
