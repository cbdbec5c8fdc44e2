package dev.bobbin.destination;

/**
 * The warehouse column types Bobbin creates (DECISIONS L3), with the suffix a column gets when a
 * field splits across types (DECISIONS L1).
 */
public enum ColumnType {
    BIGINT("bi"),
    DOUBLE("do"),
    DECIMAL("de"),
    BOOLEAN("bo"),
    TIMESTAMPTZ("ti"),
    TEXT("st");

    private final String suffix;

    ColumnType(String suffix) {
        this.suffix = suffix;
    }

    /** The split suffix, e.g. {@code bi} in {@code age__bi}. */
    public String suffix() {
        return suffix;
    }
}
