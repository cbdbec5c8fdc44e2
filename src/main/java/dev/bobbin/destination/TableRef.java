package dev.bobbin.destination;

/** A table in the warehouse: the source's schema and the table's name, both unquoted and exact. */
public record TableRef(String schema, String table) {
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
