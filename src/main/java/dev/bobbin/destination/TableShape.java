package dev.bobbin.destination;

import java.util.List;
import java.util.Optional;

/**
 * A table's columns in table order, its primary-key columns (empty for an append-only table), and,
 * for a top-level table, the subtables that were created for its nested arrays.
 */
public record TableShape(List<Column> columns, List<String> keyColumns, List<String> subtables) {

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
