package dev.bobbin.loading;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A row's cells as they are kept until their load commits: the row's {@link CellLayout}, shared with
 * the other rows read with it that have the same, and one array of values. A {@link Cell} is made
 * only when one is asked for. A load unit holds hundreds of thousands of rows (20,000 orders with 12
 * line items are 260,000), and a {@code Cell} object plus a list slot per value made up about a third
 * of the heap a unit took. Immutable.
 */
final class Cells extends AbstractList<Cell> implements RandomAccess {
    private final CellLayout layout;
    private final Object[] values;

    private Cells(CellLayout layout, Object[] values) {
        this.layout = layout;
        this.values = values;
    }

    /** A row of {@code layout} with {@code values}, one for each of its fields, which the row keeps (not copied). */
    static Cells of(CellLayout layout, Object[] values) {
        return new Cells(layout, values);
    }

    CellLayout layout() {
        return layout;
    }

    @Override
    public Cell get(int index) {
        return new Cell(layout.fields().get(index), layout.types().get(index), values[index]);
    }

    @Override
    public int size() {
        return values.length;
    }
}
