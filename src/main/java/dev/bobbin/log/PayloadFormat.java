package dev.bobbin.log;

/** How a logged batch's payload bytes are to be read. */
public enum PayloadFormat {
    /** The JSON body of {@code POST /v2/import/batch}, exactly as received (after gzip). */
    BATCH_JSON,
    /** A normalized per-table group of {@code /v2/import/push} records. */
    PUSH_JSON
}
