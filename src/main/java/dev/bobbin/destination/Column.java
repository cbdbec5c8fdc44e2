package dev.bobbin.destination;

/** A warehouse column: its exact (unquoted) name and its type. */
public record Column(String name, ColumnType type) {
}
