package dev.bobbin.loading;

import dev.bobbin.destination.ColumnType;

/**
 * One typed value of a record, under its field name before type splitting.
 * The value is in the representation {@link dev.bobbin.destination.TableRows} documents.
 */
record Cell(String field, ColumnType type, Object value) {
}
