package dev.bobbin.loading;

import dev.bobbin.destination.ColumnType;
import java.util.List;

/**
 * The field names and types of a row's cells, in order (a null type for a null value): all that
 * placing the row in a table depends on. Rows read together with equal layouts share one instance
 * ({@link RecordFlattener.FieldNames}), so preparation works a layout out once and then recognizes
 * it by identity.
 */
record CellLayout(List<String> fields, List<ColumnType> types) {

    /** Whether {@code cells} have this layout. */
    boolean matches(List<Cell> cells) {
        if (cells.size() != fields.size()) {
            return false;
        }
        for (int i = 0; i < cells.size(); i++) {
            Cell cell = cells.get(i);
            if (cell.type() != types.get(i) || !cell.field().equals(fields.get(i))) {
                return false;
            }
        }
        return true;
    }

    static CellLayout of(List<Cell> cells) {
        return new CellLayout(cells.stream().map(Cell::field).toList(), cells.stream().map(Cell::type).toList());
    }
}
