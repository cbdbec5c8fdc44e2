package dev.bobbin.loading;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which column each (field, type) lands in, and the schema changes that requires, starting
 * from the table's current shape (DECISIONS L1, L8):
 * <ul>
 *   <li>a field's first type gets a column named as the field;</li>
 *   <li>when a field arrives with a second type, its column is renamed to {@code field__<suffix>} and a
 *       new {@code field__<suffix of the new type>} column is added; later types add more suffixed columns;</li>
 *   <li>new columns are appended at the end; columns are never dropped.</li>
 * </ul>
 * Pure: it records changes and never touches a database.
 */
final class ColumnResolver {
    private final TableRef table;
    private final boolean create;
    private final List<String> keyColumns;
    private final Optional<String> subtableOf;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final List<TableChange.Rename> renames = new ArrayList<>();
    private final List<Column> added = new ArrayList<>();
    /**
     * {@link #caseClash} answers for the current columns. Every row asks for each of its fields, and
     * the columns change only when a row brings a new field or type, so nearly every question is
     * answered here instead of by lower-casing every column again; cleared whenever columns change.
     */
    private final Map<String, Optional<String>> clashes = new HashMap<>();
    /** Changes whenever a column is added or renamed. */
    private int version;

    ColumnResolver(TableRef table, Optional<TableShape> current, List<String> keyColumns, Optional<String> subtableOf) {
        this.table = table;
        this.subtableOf = subtableOf;
        this.create = current.isEmpty();
        this.keyColumns = current.map(TableShape::keyColumns).filter(k -> !k.isEmpty()).orElse(keyColumns);
        current.ifPresent(shape -> shape.columns().forEach(c -> columns.put(c.name(), c)));
    }

    /** The column that holds values of {@code type} for {@code field}, creating or splitting as needed. */
    String columnFor(String field, ColumnType type) {
        Column plain = columns.get(field);
        if (plain != null && plain.type() == type) {
            return field;
        }
        String suffixed = field + Names.SEPARATOR + type.suffix();
        Column split = columns.get(suffixed);
        if (split != null && split.type() == type) {
            return suffixed;
        }
        if (plain == null && !hasSplitColumns(field)) {
            add(new Column(field, type));
            return field;
        }
        if (plain != null) {
            String renamed = field + Names.SEPARATOR + plain.type().suffix();
            rename(field, renamed);
        }
        add(new Column(suffixed, type));
        return suffixed;
    }

    /** Whether {@code field}'s values already live in type-suffixed columns. */
    private boolean hasSplitColumns(String field) {
        for (ColumnType t : ColumnType.values()) {
            Column c = columns.get(field + Names.SEPARATOR + t.suffix());
            if (c != null && c.type() == t) {
                return true;
            }
        }
        return false;
    }

    /**
     * An existing column that {@code field}'s values would collide with in a case-insensitive
     * warehouse: same name (or same split column) in another case. Such a record is rejected (L4).
     */
    Optional<String> caseClash(String field) {
        Optional<String> known = clashes.get(field);
        if (known == null) {
            known = findCaseClash(field);
            clashes.put(field, known);
        }
        return known;
    }

    private Optional<String> findCaseClash(String field) {
        String lower = Names.key(field);
        for (String existing : columns.keySet()) {
            if (existing.equals(field) || existing.startsWith(field + Names.SEPARATOR)) {
                continue;
            }
            String existingLower = Names.key(existing);
            if (existingLower.equals(lower)) {
                return Optional.of(existing);
            }
            for (ColumnType t : ColumnType.values()) {
                if (existingLower.equals(lower + Names.SEPARATOR + t.suffix())) {
                    return Optional.of(existing);
                }
            }
        }
        return Optional.empty();
    }

    /** Ensures a system column exists (system columns never split). */
    void ensure(Column column) {
        if (!columns.containsKey(column.name())) {
            add(column);
        }
    }

    /** A number that changes whenever the columns change: what was worked out at one version holds while it stays. */
    int version() {
        return version;
    }

    boolean has(String column) {
        return columns.containsKey(column);
    }

    ColumnType typeOf(String column) {
        return columns.get(column).type();
    }

    List<String> keyColumns() {
        return keyColumns;
    }

    /** Every column of the table after the changes, in table order. */
    List<Column> columns() {
        return List.copyOf(columns.values());
    }

    TableChange change() {
        return new TableChange(table, create, List.copyOf(renames), create ? columns() : List.copyOf(added), keyColumns,
                create ? subtableOf : Optional.empty());
    }

    private void add(Column column) {
        clashes.clear();
        version++;
        columns.put(column.name(), column);
        added.add(column);
    }

    private void rename(String from, String to) {
        clashes.clear();
        version++;
        Map<String, Column> reordered = new LinkedHashMap<>();
        for (Map.Entry<String, Column> e : columns.entrySet()) {
            if (e.getKey().equals(from)) {
                reordered.put(to, new Column(to, e.getValue().type()));
            } else {
                reordered.put(e.getKey(), e.getValue());
            }
        }
        columns.clear();
        columns.putAll(reordered);
        boolean pendingAdd = added.removeIf(c -> c.name().equals(from));
        if (pendingAdd) {
            added.add(columns.get(to));
        } else {
            renames.add(new TableChange.Rename(from, to));
        }
    }
}
