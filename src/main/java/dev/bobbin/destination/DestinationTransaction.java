package dev.bobbin.destination;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One open load transaction. Nothing written through it is visible until the {@link Destination}
 * commits it, and all of it is discarded if the work fails. Call order within a transaction:
 * reads, then every {@link #apply} schema change, then deletes and row writes, then {@link #recordLoaded}.
 */
public interface DestinationTransaction {

    /**
     * Waits until no other transaction, in any process, loads {@code table}, and keeps others from
     * loading it until this transaction ends. Called first, before {@link #loadedBatchKeys}: when
     * several nodes briefly hold the same batches (a Kafka partition moving between loaders), the
     * second one then sees the first one's ledger entries and loads nothing twice.
     */
    void claim(TableRef table);

    /** The subset of {@code batchKeys} already committed by an earlier load (the load ledger). */
    Set<String> loadedBatchKeys(Collection<String> batchKeys);

    /** The table's current shape, or empty if it does not exist. */
    Optional<TableShape> table(TableRef table);

    /**
     * The stored {@code _sdc_sequence} of each of {@code keys} that has a row in {@code table}.
     * Each key holds one value per key column, in order, in the {@link TableRows} representation.
     */
    Map<List<Object>, Long> storedSequences(TableRef table, List<Column> keyColumns, List<List<Object>> keys);

    /** Creates the schema if needed and applies the change. */
    void apply(TableChange change);

    /** Upserts (with key columns) or appends (without) the rows; see {@link TableRows}. */
    void write(TableRows rows);

    /**
     * Deletes the rows of a subtable that belong to the given parents: those whose
     * {@code sourceKeyColumns} equal one of {@code parentKeys} (DECISIONS L6). Set-based.
     */
    void deleteChildren(TableRef subtable, List<Column> sourceKeyColumns, List<List<Object>> parentKeys);

    /** Deletes the rows of {@code table} whose {@code _sdc_table_version} is lower than {@code version} (DECISIONS L9). */
    void deleteOlderVersions(TableRef table, long version);

    /** Appends records to the schema's {@code _sdc_rejected} table, creating it if needed. */
    void reject(String schema, List<RejectedRecord> records);

    /** Adds the batch keys to the load ledger, so that a replay of these batches is a no-op. */
    void recordLoaded(Collection<String> batchKeys);
}
