package dev.bobbin.loading;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableRows;
import dev.bobbin.destination.TableShape;
import dev.bobbin.json.Timestamps;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.Function;

/**
 * Stitch's loading rules for one table's messages, as pure functions in two steps.
 *
 * <p>{@link #collect} types and flattens every record and keeps one winner per key: a later record
 * replaces an earlier one only with a strictly greater sequence, so equal sequences keep the first
 * accepted (DECISIONS L2). {@link #plan} then drops winners that do not beat the row already stored
 * (L2 across loads), and decides the schema changes, the rows of the table and of its subtables,
 * and the stale subtable rows to delete (L6).
 *
 * <p>Other rules applied here: typing (L3), names (L4), subtable levels (L5), keyless tables (L7),
 * columns only for non-null values (L8), table versions (L9), rejects (L10), keys that never split
 * (L11), whole-record replacement (L12), type splits (L1, in {@link ColumnResolver}).
 */
final class Preparation {
    static final String SOURCE_KEY_PREFIX = "_sdc_source_key_";

    private Preparation() {
    }

    /** A record that goes on to the plan step. {@code key} is empty for keyless tables. */
    record Candidate(IncomingMessage message, FlatRecord record, List<Object> key) {
    }

    /**
     * The outcome of {@link #collect}.
     *
     * @param rawTable   the table name as the client sent it (what {@code _sdc_rejected.table_name} shows)
     * @param table      the cleaned table name
     * @param keyColumns the cleaned key column names (empty: append-only)
     * @param candidates winners (keyed) or every record (keyless), in acceptance order
     */
    record Collected(String rawTable, String table, List<String> keyColumns, List<Candidate> candidates, Optional<Long> activateVersion,
                     List<RejectedRecord> rejects) {
    }

    static Collected collect(String rawTable, List<String> keyNames, List<IncomingMessage> messages, Instant now) {
        String table = Names.clean(rawTable);
        List<RejectedRecord> rejects = new ArrayList<>();
        Optional<String> tableProblem = Names.tableProblem(rawTable, table);
        List<String> keyColumns = keyNames.stream().map(Names::clean).toList();
        Optional<Long> activate = Optional.empty();
        Map<List<Object>, Candidate> winners = new LinkedHashMap<>();
        List<Candidate> appended = new ArrayList<>();
        RecordFlattener.FieldNames fieldNames = new RecordFlattener.FieldNames();
        KeyPositions keyPositions = new KeyPositions(keyColumns);
        for (IncomingMessage m : messages) {
            if (m.kind() == IncomingMessage.Kind.ACTIVATE_VERSION) {
                activate = Optional.of(Math.max(activate.orElse(Long.MIN_VALUE), m.tableVersion()));
                continue;
            }
            if (tableProblem.isPresent()) {
                rejects.add(reject(now, rawTable, tableProblem.get(), m));
                continue;
            }
            FlatRecord record;
            try {
                record = m.parsed() != null ? m.parsed().get() : RecordFlattener.flatten(m.data(), m.schema(), fieldNames);
                for (String subtable : record.children().isEmpty() ? List.<String>of() : record.children().keySet()) {
                    String name = table + Names.SEPARATOR + subtable;
                    if (name.length() > Names.MAX_TABLE_LENGTH) {
                        throw new RecordFlattener.RejectedException("Table name " + Names.abbreviate(name) + " is longer than "
                                + Names.MAX_TABLE_LENGTH + " characters");
                    }
                }
            } catch (RecordFlattener.RejectedException e) {
                rejects.add(reject(now, rawTable, e.getMessage(), m));
                continue;
            }
            for (String dropped : record.droppedValues()) {
                rejects.add(reject(now, rawTable, dropped, m));
            }
            if (keyColumns.isEmpty()) {
                appended.add(new Candidate(m, record, List.of()));
                continue;
            }
            Optional<List<Object>> key = keyOf(record, keyPositions.of(record.layout()));
            if (key.isEmpty()) {
                rejects.add(reject(now, rawTable, "Record is missing key property " + String.join(", ", keyNames), m));
                continue;
            }
            winners.merge(key.get(), new Candidate(m, record, key.get()),
                    (stored, incoming) -> incoming.message().sequence() > stored.message().sequence() ? incoming : stored);
        }
        List<Candidate> candidates = new ArrayList<>(keyColumns.isEmpty() ? appended : winners.values());
        return new Collected(rawTable, table, keyColumns, candidates, activate, rejects);
    }

    /**
     * The keys whose stored {@code _sdc_sequence} {@link #plan} needs to know, out of the candidates of
     * a keyed table that exists with {@code shape}. Whether a candidate loses to the stored row (L2)
     * matters to the plan when, winning, it would do more than replace its own row: add or split a
     * column, be rejected, bring subtable rows or {@code _sdc_extracted_at}, or replace a row whose
     * stale subtable rows must go (the table has subtables). For any other candidate the plan is the
     * same whether it wins or loses but for its row, and a losing row changes nothing: the destination
     * replaces a stored row only with a strictly greater sequence ({@link dev.bobbin.destination.TableRows}).
     * Looking those up would only cost the destination a join per key.
     */
    static List<List<Object>> keysNeedingStoredSequences(Collected collected, TableRef table, TableShape shape) {
        List<List<Object>> keys = new ArrayList<>();
        List<Column> keyColumns = shape.keyColumns().stream().map(k -> shape.column(k).orElseThrow()).toList();
        ColumnResolver current = new ColumnResolver(table, Optional.of(shape), collected.keyColumns(), Optional.empty());
        boolean hasExtractedAt = current.has(SystemColumns.EXTRACTED_AT.name());
        Map<CellLayout, Boolean> fits = new IdentityHashMap<>(); // per layout: fits the table as it is, without a problem
        Map<CellLayout, Boolean> keysMatch = new IdentityHashMap<>(); // per layout: its key values have their columns' types
        for (Candidate c : collected.candidates()) {
            if (!keysMatch.computeIfAbsent(c.record().layout(), layout -> keyTypesMatch(layout, keyColumns))) {
                continue; // a key of another type than its column cannot be looked up; plan rejects it (L11)
            }
            List<Cell> cells = c.record().cells();
            boolean fitsAsItIs = fits.computeIfAbsent(c.record().layout(),
                    layout -> rowProblem(cells, current, true).isEmpty() && fitsAsItIs(cells, current));
            if (!shape.subtables().isEmpty() || !c.record().children().isEmpty()
                    || (c.message().extractedAtMicros().isPresent() && !hasExtractedAt) || !fitsAsItIs) {
                keys.add(c.key());
            }
        }
        return keys;
    }

    /** Whether every non-null cell has a column of its own name and type already. */
    private static boolean fitsAsItIs(List<Cell> cells, ColumnResolver columns) {
        for (Cell cell : cells) {
            if (cell.type() != null && (!columns.has(cell.field()) || columns.typeOf(cell.field()) != cell.type())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Plans the load.
     *
     * @param storedSequences {@code _sdc_sequence} of the candidates' keys already in the table, at least
     *                        of those {@link #keysNeedingStoredSequences} names (a key missing here is taken as new)
     * @param shapes          current shape of a table of the schema by name, empty if it does not exist
     */
    static PreparedLoad plan(String schema, Collected collected, Map<List<Object>, Long> storedSequences,
                             Function<String, Optional<TableShape>> shapes, Instant batchedAt) {
        String rootName = collected.table();
        TableRef root = new TableRef(schema, rootName);
        Optional<TableShape> rootShape = shapes.apply(rootName);
        List<RejectedRecord> rejects = new ArrayList<>(collected.rejects());
        ColumnResolver rootColumns = new ColumnResolver(root, rootShape, collected.keyColumns(), Optional.empty());
        boolean keyed = !rootColumns.keyColumns().isEmpty();

        List<Candidate> kept = new ArrayList<>();
        List<List<Object>> replacedKeys = new ArrayList<>();
        // per layout, the columns' version at which a row of it was registered without a problem: while the
        // columns stay at that version, another row of that layout has no problem and registers nothing new
        Map<CellLayout, Integer> registered = new IdentityHashMap<>();
        Map<CellLayout, List<Cell>> layouts = new IdentityHashMap<>(); // the kept rows' layouts, each with one row's cells
        boolean anyExtractedAt = false;
        boolean anyChildren = false;
        for (Candidate c : collected.candidates()) {
            Long stored = keyed ? storedSequences.get(c.key()) : null;
            if (stored != null && c.message().sequence() <= stored) {
                continue; // L2: an equal or lower sequence never replaces the stored row
            }
            Integer at = registered.get(c.record().layout());
            if (at == null || at != rootColumns.version()) {
                Optional<String> problem = rowProblem(c.record().cells(), rootColumns, true);
                if (problem.isPresent()) {
                    rejects.add(reject(batchedAt, collected.rawTable(), problem.get(), c.message()));
                    continue;
                }
                int before = rootColumns.version();
                register(c.record().cells(), rootColumns); // its columns; a later record may still split them (L1)
                if (rootColumns.version() == before) {
                    registered.put(c.record().layout(), before);
                }
            }
            kept.add(c);
            layouts.putIfAbsent(c.record().layout(), c.record().cells());
            anyExtractedAt |= c.message().extractedAtMicros().isPresent();
            anyChildren |= !c.record().children().isEmpty();
            if (stored != null) {
                replacedKeys.add(c.key());
            }
        }
        List<TablePlan> tables = new ArrayList<>();
        List<PreparedLoad.ChildDelete> deletes = new ArrayList<>();
        if (kept.isEmpty() && rootShape.isEmpty()) {
            return new PreparedLoad(tables, deletes, Optional.empty(), List.of(), rejects);
        }
        if (!keyed) {
            rootColumns.ensure(SystemColumns.PRIMARY_KEY);
        }
        ensureSystemColumns(rootColumns, anyExtractedAt);
        List<Column> rootCols = rootColumns.columns();
        Map<String, Integer> rootIndex = indexOf(rootCols);
        SystemPositions rootSystem = new SystemPositions(rootIndex, batchedAt);
        Map<CellLayout, int[]> positions = new IdentityHashMap<>(); // the columns are final now
        layouts.forEach((layout, cells) -> positions.put(layout, positions(cells, rootColumns, rootIndex)));
        Integer generatedKeyAt = keyed ? null : rootIndex.get(SystemColumns.PRIMARY_KEY.name());
        List<Object[]> rootRows = new RootRows(kept, positions, rootCols.size(), generatedKeyAt, rootSystem);
        tables.add(new TablePlan(rootColumns.change(), new TableRows(root, rootCols, rootColumns.keyColumns(), rootRows)));

        List<Column> sourceKeys = sourceKeyColumns(rootColumns, keyed);
        Set<String> subtables = new LinkedHashSet<>(rootShape.map(TableShape::subtables).orElse(List.of()));
        Map<String, ColumnResolver> childColumns = new LinkedHashMap<>();
        Map<String, List<ChildPlacement>> childRows = new LinkedHashMap<>();
        GeneratedKeys generatedKeys = new GeneratedKeys();
        for (Candidate c : anyChildren ? kept : List.<Candidate>of()) {
            if (c.record().children().isEmpty()) {
                continue;
            }
            List<Object> parentKey = keyed ? c.key() : List.of(generatedKeys.of(c.message().batchKey(), c.message().index()));
            for (Map.Entry<String, List<FlatRecord.ChildRow>> e : c.record().children().entrySet()) {
                String name = rootName + Names.SEPARATOR + e.getKey();
                subtables.add(name);
                for (FlatRecord.ChildRow child : e.getValue()) {
                    ColumnResolver resolver = childColumns.computeIfAbsent(name,
                            n -> subtableColumns(new TableRef(schema, n), shapes.apply(n), sourceKeys, child.levels().size(), rootName));
                    Optional<String> problem = rowProblem(child.cells(), resolver, false);
                    if (problem.isPresent()) {
                        rejects.add(reject(batchedAt, collected.rawTable(), problem.get() + " in subtable " + name, c.message()));
                        continue;
                    }
                    register(child.cells(), resolver);
                    childRows.computeIfAbsent(name, n -> new ArrayList<>())
                            .add(new ChildPlacement(parentKey, child.levels(), c.message(), child.cells()));
                }
            }
        }
        for (Map.Entry<String, ColumnResolver> e : childColumns.entrySet()) {
            ColumnResolver resolver = e.getValue();
            List<ChildPlacement> placements = childRows.getOrDefault(e.getKey(), List.of());
            ensureSystemColumns(resolver, placements.stream().anyMatch(p -> p.message().extractedAtMicros().isPresent()));
            List<Column> cols = resolver.columns();
            Map<String, Integer> index = indexOf(cols);
            SystemPositions system = new SystemPositions(index, batchedAt);
            List<Object[]> rows = new ArrayList<>(placements.size());
            for (ChildPlacement p : placements) {
                Object[] row = new Object[cols.size()];
                for (int k = 0; k < sourceKeys.size(); k++) {
                    row[index.get(sourceKeys.get(k).name())] = p.parentKey().get(k);
                }
                for (int level = 0; level < p.levels().size(); level++) {
                    row[index.get(levelColumn(level).name())] = (long) p.levels().get(level);
                }
                place(p.cells(), resolver, index, row);
                system.fill(row, p.message());
                rows.add(row);
            }
            tables.add(new TablePlan(resolver.change(), new TableRows(new TableRef(schema, e.getKey()), cols, List.of(), rows)));
        }
        if (!replacedKeys.isEmpty()) {
            for (String name : subtables) {
                if (shapes.apply(name).isPresent()) {
                    deletes.add(new PreparedLoad.ChildDelete(new TableRef(schema, name), sourceKeys, replacedKeys));
                }
            }
        }
        List<TableRef> versioned = new ArrayList<>();
        versioned.add(root);
        subtables.forEach(s -> versioned.add(new TableRef(schema, s)));
        return new PreparedLoad(tables, deletes, collected.activateVersion(), versioned, rejects);
    }

    /**
     * The rows of the top-level table, each built from its record when it is asked for: the destination
     * builds them as it sends them (into PostgreSQL while the server works on the COPY data already
     * sent) instead of the loader building every row before the first is sent, and a unit's rows are
     * never all in memory as arrays at once. Each {@code get} builds a new array from the immutable
     * candidates, so the rows are the same however often they are read; a keyless table's generated
     * key ({@link GeneratedKeys}) is computed again each time. Not thread-safe.
     */
    private static final class RootRows extends AbstractList<Object[]> implements RandomAccess {
        private final List<Candidate> kept;
        private final Map<CellLayout, int[]> positions;
        private final int width;
        private final Integer generatedKeyAt;
        private final SystemPositions system;
        private final GeneratedKeys generatedKeys = new GeneratedKeys();

        /**
         * @param positions      where each cell of a layout goes ({@link #positions}), for every layout of {@code kept}
         * @param generatedKeyAt the position of {@code __sdc_primary_key} in a keyless table, null in a keyed one
         */
        RootRows(List<Candidate> kept, Map<CellLayout, int[]> positions, int width, Integer generatedKeyAt, SystemPositions system) {
            this.kept = kept;
            this.positions = positions;
            this.width = width;
            this.generatedKeyAt = generatedKeyAt;
            this.system = system;
        }

        @Override
        public Object[] get(int index) {
            Candidate c = kept.get(index);
            IncomingMessage m = c.message();
            Object[] row = new Object[width];
            int[] at = positions.get(c.record().layout());
            List<Cell> cells = c.record().cells();
            for (int i = 0; i < at.length; i++) {
                if (at[i] >= 0) {
                    row[at[i]] = cells.get(i).value(); // in cell order: a later cell for the same column wins, as in place
                }
            }
            if (generatedKeyAt != null) {
                row[generatedKeyAt] = generatedKeys.of(m.batchKey(), m.index());
            }
            system.fill(row, m);
            return row;
        }

        @Override
        public int size() {
            return kept.size();
        }
    }

    /** One subtable row before the subtable's columns are final. */
    private record ChildPlacement(List<Object> parentKey, List<Integer> levels, IncomingMessage message, List<Cell> cells) {
    }

    /** A subtable's columns: source keys and levels first (its primary key, L5), then the element's own. */
    private static ColumnResolver subtableColumns(TableRef table, Optional<TableShape> shape, List<Column> sourceKeys, int depth, String root) {
        ColumnResolver resolver = new ColumnResolver(table, shape, childKeyNames(sourceKeys, depth), Optional.of(root));
        sourceKeys.forEach(resolver::ensure);
        for (int level = 0; level < depth; level++) {
            resolver.ensure(levelColumn(level));
        }
        return resolver;
    }

    /** {@code _sdc_source_key_<pk>} columns, typed like the parent's key columns (or the generated key, L7). */
    private static List<Column> sourceKeyColumns(ColumnResolver root, boolean keyed) {
        if (!keyed) {
            return List.of(new Column(SOURCE_KEY_PREFIX + SystemColumns.PRIMARY_KEY.name(), ColumnType.TEXT));
        }
        List<Column> out = new ArrayList<>();
        for (String key : root.keyColumns()) {
            out.add(new Column(SOURCE_KEY_PREFIX + key, root.has(key) ? root.typeOf(key) : ColumnType.TEXT));
        }
        return out;
    }

    private static List<String> childKeyNames(List<Column> sourceKeys, int depth) {
        List<String> names = new ArrayList<>();
        sourceKeys.forEach(c -> names.add(c.name()));
        for (int level = 0; level < depth; level++) {
            names.add(levelColumn(level).name());
        }
        return names;
    }

    static Column levelColumn(int level) {
        return new Column("_sdc_level_" + level + "_id", ColumnType.BIGINT);
    }

    private static void ensureSystemColumns(ColumnResolver columns, boolean anyExtractedAt) {
        columns.ensure(SystemColumns.RECEIVED_AT);
        columns.ensure(SystemColumns.BATCHED_AT);
        columns.ensure(SystemColumns.SEQUENCE);
        columns.ensure(SystemColumns.TABLE_VERSION);
        if (anyExtractedAt) {
            columns.ensure(SystemColumns.EXTRACTED_AT);
        }
    }

    /** Where a table's {@code _sdc_*} columns are, worked out once per table rather than once per row. */
    private static final class SystemPositions {
        private final int receivedAt;
        private final int batchedAt;
        private final int sequence;
        private final int tableVersion;
        private final Integer extractedAt;
        private final Long batchedAtMicros;

        SystemPositions(Map<String, Integer> index, Instant batchedAt) {
            this.receivedAt = index.get(SystemColumns.RECEIVED_AT.name());
            this.batchedAt = index.get(SystemColumns.BATCHED_AT.name());
            this.sequence = index.get(SystemColumns.SEQUENCE.name());
            this.tableVersion = index.get(SystemColumns.TABLE_VERSION.name());
            this.extractedAt = index.get(SystemColumns.EXTRACTED_AT.name());
            this.batchedAtMicros = Timestamps.toMicros(batchedAt);
        }

        void fill(Object[] row, IncomingMessage m) {
            row[receivedAt] = m.receivedAtMicros();
            row[batchedAt] = batchedAtMicros;
            row[sequence] = m.sequence();
            row[tableVersion] = m.tableVersion();
            if (extractedAt != null) {
                row[extractedAt] = m.extractedAtMicros().orElse(null);
            }
        }
    }

    private static Map<String, Integer> indexOf(List<Column> columns) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i).name(), i);
        }
        return index;
    }

    /**
     * Gives each non-null cell its column, creating or splitting columns as needed (L1). Every row of a
     * table is registered before any row is built, because a later row can split (rename) a column an
     * earlier row used; {@link #place} after that only looks up the final names and changes nothing.
     */
    private static void register(List<Cell> cells, ColumnResolver columns) {
        for (Cell cell : cells) {
            if (cell.type() != null) {
                columns.columnFor(cell.field(), cell.type());
            }
        }
    }

    /** Where each cell's value goes in a row ({@code index}), -1 for a null cell, as {@link #place} puts it. */
    private static int[] positions(List<Cell> cells, ColumnResolver columns, Map<String, Integer> index) {
        int[] at = new int[cells.size()];
        for (int i = 0; i < at.length; i++) {
            Cell cell = cells.get(i);
            at[i] = cell.type() == null ? -1 : index.get(columns.columnFor(cell.field(), cell.type()));
        }
        return at;
    }

    /** Puts each non-null cell's value into {@code row} at its column's position ({@code index}); a later cell for the same column wins. */
    private static void place(List<Cell> cells, ColumnResolver columns, Map<String, Integer> index, Object[] row) {
        for (Cell cell : cells) {
            if (cell.type() != null) {
                row[index.get(columns.columnFor(cell.field(), cell.type()))] = cell.value();
            }
        }
    }

    /**
     * Why a row cannot go into a table, checked before any of its columns is placed: a key whose
     * type differs from its column's (L11), or a field that differs only in case from an existing column.
     */
    private static Optional<String> rowProblem(List<Cell> cells, ColumnResolver columns, boolean checkKeys) {
        for (Cell cell : cells) {
            if (checkKeys && cell.type() != null && columns.keyColumns().contains(cell.field())
                    && columns.has(cell.field()) && columns.typeOf(cell.field()) != cell.type()) {
                return Optional.of("key property " + cell.field() + " has type " + cell.type().name().toLowerCase(Locale.ROOT)
                        + " but the key column has type " + columns.typeOf(cell.field()).name().toLowerCase(Locale.ROOT));
            }
            Optional<String> clash = columns.caseClash(cell.field());
            if (clash.isPresent()) {
                return Optional.of("Field collision on " + clash.get());
            }
        }
        return Optional.empty();
    }

    /** Whether each key value of a row of {@code layout} (its first cell of the key's name) has its key column's type ({@code keyColumns} in key order). */
    static boolean keyTypesMatch(CellLayout layout, List<Column> keyColumns) {
        for (Column key : keyColumns) {
            int at = layout.fields().indexOf(key.name());
            if (at < 0 || layout.types().get(at) != key.type()) {
                return false;
            }
        }
        return true;
    }

    /** The record's key values ({@code at}: their cells' positions, -1 for a missing one); empty if one is missing or null. */
    private static Optional<List<Object>> keyOf(FlatRecord record, int[] at) {
        Object[] key = new Object[at.length];
        for (int k = 0; k < key.length; k++) {
            Object value = at[k] < 0 ? null : record.cells().get(at[k]).value();
            if (value == null) {
                return Optional.empty();
            }
            key[k] = value;
        }
        return Optional.of(List.of(key));
    }

    /**
     * Where the key columns' cells are in rows of a layout (the first cell of each key's name, -1 if
     * none), remembered for the last layout asked about: the records of a load nearly always share one.
     */
    private static final class KeyPositions {
        private final List<String> keyColumns;
        private CellLayout layout;
        private int[] at;

        KeyPositions(List<String> keyColumns) {
            this.keyColumns = keyColumns;
        }

        int[] of(CellLayout layout) {
            if (layout != this.layout) {
                at = new int[keyColumns.size()];
                for (int k = 0; k < at.length; k++) {
                    at[k] = layout.fields().indexOf(keyColumns.get(k));
                }
                this.layout = layout;
            }
            return at;
        }
    }

    /** The record (as JSON, which escapes U+0000) with its table and reason, U+0000 spelled out: PostgreSQL text cannot store it. */
    private static RejectedRecord reject(Instant at, String table, String reason, IncomingMessage m) {
        return new RejectedRecord(at, table.replace("\0", "\\u0000"), reason.replace("\0", "\\u0000"), m.recordText());
    }
}
