package dev.bobbin.loading;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;

/** Stitch's {@code _sdc_*} columns (loading.md §3, DECISIONS L3, L7). */
final class SystemColumns {
    static final Column RECEIVED_AT = new Column("_sdc_received_at", ColumnType.TIMESTAMPTZ);
    static final Column BATCHED_AT = new Column("_sdc_batched_at", ColumnType.TIMESTAMPTZ);
    static final Column SEQUENCE = new Column("_sdc_sequence", ColumnType.BIGINT);
    static final Column TABLE_VERSION = new Column("_sdc_table_version", ColumnType.BIGINT);
    static final Column EXTRACTED_AT = new Column("_sdc_extracted_at", ColumnType.TIMESTAMPTZ);
    /** Two leading underscores: the generated key of a table loaded without key names. */
    static final Column PRIMARY_KEY = new Column("__sdc_primary_key", ColumnType.TEXT);

    private SystemColumns() {
    }
}
