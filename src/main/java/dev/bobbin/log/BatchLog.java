package dev.bobbin.log;

import java.util.Collection;
import java.util.List;

/**
 * The source of truth between "accepted" and "loaded".
 *
 * <p>Thread-safe. {@link #append} returns only once every given batch is durable (fsynced, or
 * acknowledged by a replicated log); a 2xx may be sent only after it returns. Batches stay in the log
 * until {@link #acknowledge acknowledged}, which a loader does only after the destination transaction
 * that loaded them committed. Within one source and table, {@link #pending} returns batches in the
 * order they were appended.
 */
public interface BatchLog extends AutoCloseable {

    /**
     * Appends all batches atomically (all or none) and durably.
     *
     * @throws LogUnavailableException when they could not be made durable, or when the log is full
     *                                 (its size cap counts batches not yet loaded); then none was appended
     */
    void append(List<NewBatch> batches) throws LogUnavailableException;

    /**
     * Up to {@code maxBatches} unacknowledged batches, oldest first; an implementation may return
     * fewer (at least one when any is pending) to bound the payload bytes of one part of the log. A
     * batch may come without its payload ({@link #payload} reads it).
     */
    List<LoggedBatch> pending(int maxBatches);

    /**
     * Up to {@code maxBatches} unacknowledged batches appended after {@code last} (a batch that
     * {@link #pending} returned), oldest first, bounded in bytes as {@link #pending} is: what a loader
     * loading the batches up to {@code last} takes next. An implementation whose positions do not
     * order the whole log may return none; the loader then reads {@link #pending} once it is done.
     */
    default List<LoggedBatch> pendingAfter(LoggedBatch last, int maxBatches) {
        return List.of();
    }

    /**
     * The payload of a batch that {@link #pending} or {@link #pendingAfter} returned, read now when it
     * came without it ({@link LoggedBatch#payload} null).
     *
     * @throws IllegalStateException when it cannot be read (the batch is no longer in the log, or the
     *                               log cannot be read)
     */
    byte[] payload(LoggedBatch batch);

    /** Marks batches as loaded. Idempotent. */
    void acknowledge(Collection<LoggedBatch> batches);

    /** Number of batches appended and not yet acknowledged. */
    long pendingCount();

    /** Payload bytes appended and not yet acknowledged. */
    long pendingBytes();

    LogHealth health();

    /** Stops accepting appends, lets appends in flight finish, and releases the log's files. */
    @Override
    void close();
}
