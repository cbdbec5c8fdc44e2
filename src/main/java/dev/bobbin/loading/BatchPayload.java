package dev.bobbin.loading;

import dev.bobbin.log.LoggedBatch;
import java.util.function.Function;

/**
 * A logged batch's payload bytes, as its records are read from them: held while the batch's load
 * unit is read and collected, then {@link #release released}, so that a unit waiting for or inside
 * its transaction holds its parsed records but not its payload (18 MiB for a 20 MiB body). Asked
 * for again after that (the text of a record the plan rejects, for {@code _sdc_rejected}), the bytes
 * are read again from the log, which keeps every batch until its load commits, and then held.
 * Thread-safe: a unit is read on one thread and loaded on another.
 */
final class BatchPayload {
    private final LoggedBatch batch;
    private final Function<LoggedBatch, byte[]> reader;
    private byte[] bytes;

    /** @param reader reads the payload of a batch from its log ({@link dev.bobbin.log.BatchLog#payload}) */
    BatchPayload(LoggedBatch batch, Function<LoggedBatch, byte[]> reader) {
        this.batch = batch;
        this.reader = reader;
    }

    /** The payload of a batch read with it ({@link LoggedBatch#payload} not null). */
    static BatchPayload of(LoggedBatch batch) {
        return new BatchPayload(batch, LoggedBatch::payload);
    }

    LoggedBatch batch() {
        return batch;
    }

    /** The payload bytes, read from the log when they are not held. */
    synchronized byte[] bytes() {
        if (bytes == null) {
            bytes = reader.apply(batch);
        }
        return bytes;
    }

    /** Stops holding the bytes (they are read again if asked for). */
    synchronized void release() {
        bytes = null;
    }
}
