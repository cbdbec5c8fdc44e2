package dev.bobbin.destination;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One open load transaction. Nothing written through it is visible until the {@link Destination}
 * commits it, and all of it is discarded if the work fails. Call order within a transaction:
 * reads, then {@link #apply} schema changes, then row writes, then {@link #recordLoaded}.
 */
public interface DestinationTransaction {

    /** The subset of {@code batchKeys} already committed by an earlier load (the load ledger). */
    Set<String> loadedBatchKeys(Collection<String> batchKeys);

    /** The table's current shape, or empty if it does not exist. */
    Optional<TableShape> table(TableRef table);

    /** Creates the schema if needed and applies the change. */
    void apply(TableChange change);

    /** Upserts (with key columns) or appends (without) the rows; see {@link TableRows}. */
    void write(TableRows rows);

    /** Deletes the rows of {@code table} whose {@code _sdc_table_version} is lower than {@code version} (DECISIONS L9). */
    void deleteOlderVersions(TableRef table, long version);

    /** Appends records to the schema's {@code _sdc_rejected} table, creating it if needed. */
    void reject(String schema, List<RejectedRecord> records);

    /** Adds the batch keys to the load ledger, so that a replay of these batches is a no-op. */
    void recordLoaded(Collection<String> batchKeys);
}
