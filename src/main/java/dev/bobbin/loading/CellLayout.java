package dev.bobbin.loading;

import dev.bobbin.destination.ColumnType;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The field names and types of a row's cells, in order (a null type for a null value): all that
 * placing the row in a table depends on. Rows read together with equal layouts share one instance
 * ({@link RecordFlattener.FieldNames}), so preparation works a layout out once and then recognizes
 * it by identity.
 */
record CellLayout(List<String> fields, List<ColumnType> types) {

    /** Whether the first {@code size} fields and types are this layout's. */
    boolean matches(String[] fields, ColumnType[] types, int size) {
        if (size != this.fields.size()) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (types[i] != this.types.get(i) || !fields[i].equals(this.fields.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The layout of the first {@code size} fields and types (a null type for a null value). */
    static CellLayout of(String[] fields, ColumnType[] types, int size) {
        return new CellLayout(List.of(Arrays.copyOf(fields, size)), Collections.unmodifiableList(Arrays.asList(Arrays.copyOf(types, size))));
    }
}
