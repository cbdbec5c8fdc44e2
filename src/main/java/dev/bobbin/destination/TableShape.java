package dev.bobbin.destination;

import java.util.List;
import java.util.Optional;

/** A table's columns in table order, and its primary-key columns (empty for an append-only table). */
public record TableShape(List<Column> columns, List<String> keyColumns) {

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
