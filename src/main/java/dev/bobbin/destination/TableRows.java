package dev.bobbin.destination;

import java.util.List;

/**
 * Rows to write into one table. Each row holds one value per column of {@code columns}, in order:
 * {@link Long} for BIGINT, {@link Double} for DOUBLE, {@link java.math.BigDecimal} for DECIMAL,
 * {@link Boolean}, {@link Long} microseconds since the epoch for TIMESTAMPTZ, {@link String} for
 * TEXT, or null.
 *
 * <p>With key columns, no two rows share a key, and a row replaces a stored row with the same key
 * only when its {@code _sdc_sequence} is strictly greater (DECISIONS L2); the replacement is the whole
 * row (L12). Without key columns every row is appended.
 */
public record TableRows(TableRef table, List<Column> columns, List<String> keyColumns, List<Object[]> rows) {
}
