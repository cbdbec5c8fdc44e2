package dev.bobbin.log;

import java.util.List;
import java.util.Queue;
import java.util.function.ToLongFunction;

/**
 * How both batch logs form a group commit: the writer thread takes the first waiting append, then
 * every append already waiting behind it, up to {@link #MAX_REQUESTS} requests or
 * {@link #MAX_BYTES} of payload, and makes them durable together (one fsync, or one Kafka
 * transaction). Nothing waits for more appends to arrive: a lone request is written at once.
 */
final class GroupCommit {
    static final int MAX_REQUESTS = 512;
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private GroupCommit() {
    }

    /** Adds {@code first} and the appends waiting in {@code queue} behind it to the empty {@code group}, within the limits. */
    static <T> void takeWaiting(T first, Queue<T> queue, List<T> group, ToLongFunction<T> bytesOf) {
        group.add(first);
        long bytes = bytesOf.applyAsLong(first);
        T next;
        while (group.size() < MAX_REQUESTS && bytes < MAX_BYTES && (next = queue.poll()) != null) {
            group.add(next);
            bytes += bytesOf.applyAsLong(next);
        }
    }
}
