package dev.bobbin.loading;

import java.util.List;
import java.util.Map;

/**
 * A record after flattening: its top-level cells, the rows it contributes to each subtable, and the
 * values that were dropped because their column name is too long (each with the reason).
 *
 * @param children subtable rows keyed by the subtable's name relative to the record's table
 *                 ({@code line_items}, {@code line_items__tax_lines}), in the order first met
 * @param layout   the layout of {@code cells}, shared with the other records read with it that have the same
 */
record FlatRecord(List<Cell> cells, Map<String, List<ChildRow>> children, List<String> droppedValues, CellLayout layout) {

    /**
     * One element of a nested array.
     *
     * @param levels the element's index in each enclosing array, outermost first ({@code _sdc_level_N_id})
     */
    record ChildRow(List<Integer> levels, List<Cell> cells) {
    }
}
