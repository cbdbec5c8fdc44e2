package dev.bobbin.destination.duckdb;

import dev.bobbin.destination.ColumnType;

/** DuckDB's SQL type for each {@link ColumnType}, and back from {@code information_schema}. */
final class DuckDbTypes {
    /** Fractional digits of every DECIMAL column. */
    static final int DECIMAL_SCALE = 9;

    private DuckDbTypes() {
    }

    static String sql(ColumnType type) {
        return switch (type) {
            case BIGINT -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case DECIMAL -> "DECIMAL(38," + DECIMAL_SCALE + ")";
            case BOOLEAN -> "BOOLEAN";
            case TIMESTAMPTZ -> "TIMESTAMPTZ";
            case TEXT -> "VARCHAR";
        };
    }

    static ColumnType fromSql(String dataType) {
        return switch (dataType) {
            case "BIGINT" -> ColumnType.BIGINT;
            case "DOUBLE" -> ColumnType.DOUBLE;
            case "BOOLEAN" -> ColumnType.BOOLEAN;
            case "TIMESTAMP WITH TIME ZONE" -> ColumnType.TIMESTAMPTZ;
            case "VARCHAR" -> ColumnType.TEXT;
            default -> {
                if (dataType.startsWith("DECIMAL")) {
                    yield ColumnType.DECIMAL;
                }
                throw new IllegalStateException("a column of type " + dataType + " was not created by Bobbin");
            }
        };
    }
}
