package dev.bobbin.destination;

import java.util.List;
import java.util.Optional;

/**
 * Schema changes for one table, applied before any row is written in the same transaction.
 * Renames run first, then the table is created (if {@code create}) or the columns are added.
 *
 * @param create     the table does not exist yet: create it with {@code addColumns} and {@code keyColumns}
 * @param renames    existing columns to rename (a type split, DECISIONS L1)
 * @param addColumns columns to create, appended at the end of the table
 * @param keyColumns the primary key when creating; ignored otherwise
 * @param subtableOf when creating a subtable: the top-level table it belongs to, recorded so that
 *                   {@link TableShape#subtables()} lists it
 */
public record TableChange(TableRef table, boolean create, List<Rename> renames, List<Column> addColumns, List<String> keyColumns,
                          Optional<String> subtableOf) {

    /** Renames column {@code from} to {@code to}. */
    public record Rename(String from, String to) {
    }

    public boolean isEmpty() {
        return !create && renames.isEmpty() && addColumns.isEmpty();
    }
}
