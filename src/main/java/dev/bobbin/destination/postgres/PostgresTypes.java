package dev.bobbin.destination.postgres;

import dev.bobbin.destination.ColumnType;

/**
 * The one home of the type mapping: PostgreSQL's type for each {@link ColumnType} (DECISIONS L3),
 * and back from the catalog's type name ({@code format_type}, which for these types is also what
 * {@code information_schema.columns.data_type} says).
 */
final class PostgresTypes {
    private PostgresTypes() {
    }

    static String sql(ColumnType type) {
        return switch (type) {
            case BIGINT -> "bigint";
            case DOUBLE -> "double precision";
            case DECIMAL -> "numeric";
            case BOOLEAN -> "boolean";
            case TIMESTAMPTZ -> "timestamp with time zone";
            case TEXT -> "text";
        };
    }

    /**
     * The element type for a JDBC array of values in the {@code TableRows} representation, and the SQL
     * that turns an element {@code x} of it into the column's type.
     */
    static String arrayElement(ColumnType type) {
        return switch (type) {
            case BIGINT, TIMESTAMPTZ -> "int8";
            case DOUBLE -> "float8";
            case DECIMAL -> "numeric";
            case BOOLEAN -> "bool";
            case TEXT -> "text";
        };
    }

    static String fromArrayElement(ColumnType type, String x) {
        return type == ColumnType.TIMESTAMPTZ ? "(timestamptz 'epoch' + " + x + " * interval '1 microsecond')" : x;
    }

    /** The {@link ColumnType} of a column Bobbin created; any other type means someone else made the column. */
    static ColumnType fromSql(String typeName) {
        return switch (typeName) {
            case "bigint" -> ColumnType.BIGINT;
            case "double precision" -> ColumnType.DOUBLE;
            case "numeric" -> ColumnType.DECIMAL;
            case "boolean" -> ColumnType.BOOLEAN;
            case "timestamp with time zone" -> ColumnType.TIMESTAMPTZ;
            case "text" -> ColumnType.TEXT;
            default -> {
                if (typeName.startsWith("numeric(")) {
                    yield ColumnType.DECIMAL;
                }
                throw new IllegalStateException("a column of type " + typeName + " was not created by Bobbin");
            }
        };
    }
}
