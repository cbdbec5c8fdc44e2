package dev.bobbin.loading;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableRef;
import java.util.List;
import java.util.Optional;

/**
 * What one load unit does to the warehouse, decided without touching it.
 *
 * @param tables          the top-level table first, then its subtables
 * @param childDeletes    stale subtable rows of replaced parents, deleted before the new rows are written (L6)
 * @param activateVersion the table version an {@code activate_version} message made current, if any
 * @param versionedTables the tables {@code activateVersion} applies to (the table and all its subtables)
 */
record PreparedLoad(List<TablePlan> tables, List<ChildDelete> childDeletes, Optional<Long> activateVersion,
                    List<TableRef> versionedTables, List<RejectedRecord> rejects) {

    /** Delete the rows of {@code subtable} whose source-key columns equal one of {@code parentKeys}. */
    record ChildDelete(TableRef subtable, List<Column> sourceKeyColumns, List<List<Object>> parentKeys) {
    }
}
