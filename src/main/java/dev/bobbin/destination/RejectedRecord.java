package dev.bobbin.destination;

import java.time.Instant;

/** A record that could not be loaded, kept in the schema's {@code _sdc_rejected} table (DECISIONS L10). */
public record RejectedRecord(Instant rejectedAt, String tableName, String reason, String record) {
}
