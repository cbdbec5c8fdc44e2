package dev.bobbin.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The batches of the partitions a node owns that its loader has not acknowledged yet, in memory,
 * and the offsets that may be committed for them.
 *
 * <p>Thread-safe (every method holds this object's monitor, never while calling Kafka): the
 * consumer's thread {@link #assigned assigns}, {@link #add adds}, {@link #revoked revokes} and asks
 * for {@link #commitTargets}; the loader's thread asks for {@link #pending} and {@link #acknowledge
 * acknowledges}. An acknowledgement for a partition that is not (or no longer) assigned is ignored:
 * the next owner reads that batch again, and the destination's ledger makes that load a no-op.
 */
final class PartitionBuffers {
    private final String topicId;
    private final Map<Integer, Partition> partitions = new HashMap<>();
    private long bytes;
    private long count;

    /** One assigned partition: the unacknowledged batches fetched so far, by offset. */
    private static final class Partition {
        final TreeMap<Long, Buffered> unacknowledged = new TreeMap<>();
        /** The offset after the last record fetched; -1 before the first. */
        long next = -1;
        /** The offset last committed by this node for this assignment; -1 before the first commit. */
        long committed = -1;

        /** Every offset before this was fetched and acknowledged (or skipped); -1 when unknown. */
        long commitTarget() {
            return unacknowledged.isEmpty() ? next : unacknowledged.firstKey();
        }
    }

    private record Buffered(LoggedBatch batch, long timestamp) {
    }

    PartitionBuffers(String topicId) {
        this.topicId = topicId;
    }

    synchronized void assigned(int partition) {
        partitions.computeIfAbsent(partition, p -> new Partition());
    }

    /** Drops a partition this node no longer owns, with its unacknowledged batches. */
    synchronized void revoked(int partition) {
        Partition p = partitions.remove(partition);
        if (p != null) {
            for (Buffered b : p.unacknowledged.values()) {
                bytes -= b.batch().payload().length;
                count--;
            }
        }
    }

    synchronized Set<Integer> owned() {
        return Set.copyOf(partitions.keySet());
    }

    /** Buffers a fetched batch (ignored if its partition is not assigned, or it was fetched before). */
    synchronized void add(int partition, long timestamp, LoggedBatch batch) {
        Partition p = partitions.get(partition);
        if (p == null || batch.position() < p.next) {
            return;
        }
        p.unacknowledged.put(batch.position(), new Buffered(batch, timestamp));
        p.next = batch.position() + 1;
        bytes += batch.payload().length;
        count++;
    }

    /** Passes over a fetched record that holds no batch: it counts as acknowledged. */
    synchronized void skip(int partition, long offset) {
        Partition p = partitions.get(partition);
        if (p != null && offset >= p.next) {
            p.next = offset + 1;
        }
    }

    /**
     * Up to {@code max} unacknowledged batches: each partition's in offset order, the partitions
     * merged by the time their batches were appended (oldest first).
     */
    synchronized List<LoggedBatch> pending(int max) {
        record Head(Buffered current, Iterator<Buffered> rest) {
        }
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> Long.compare(a.current().timestamp(), b.current().timestamp()));
        for (Partition p : partitions.values()) {
            Iterator<Buffered> it = p.unacknowledged.values().iterator();
            if (it.hasNext()) {
                heads.add(new Head(it.next(), it));
            }
        }
        List<LoggedBatch> out = new ArrayList<>(Math.min(max, (int) Math.min(count, Integer.MAX_VALUE)));
        while (out.size() < max && !heads.isEmpty()) {
            Head h = heads.poll();
            out.add(h.current().batch());
            if (h.rest().hasNext()) {
                heads.add(new Head(h.rest().next(), h.rest()));
            }
        }
        return out;
    }

    /** Marks batches loaded; ignores batches of other topics and of partitions not assigned here. Idempotent. */
    synchronized void acknowledge(Collection<LoggedBatch> batches) {
        for (LoggedBatch b : batches) {
            Optional<KafkaRecords.Position> at = KafkaRecords.position(topicId, b.key());
            if (at.isEmpty()) {
                continue;
            }
            Partition p = partitions.get(at.get().partition());
            Buffered removed = p == null ? null : p.unacknowledged.remove(at.get().offset());
            if (removed != null) {
                bytes -= removed.batch().payload().length;
                count--;
            }
        }
    }

    /**
     * For each assigned partition whose acknowledged prefix grew since its last commit, the offset to
     * commit: the first unacknowledged offset, or the offset after the last fetched record.
     */
    synchronized Map<Integer, Long> commitTargets() {
        Map<Integer, Long> targets = new HashMap<>();
        partitions.forEach((partition, p) -> {
            long target = p.commitTarget();
            if (target > p.committed) {
                targets.put(partition, target);
            }
        });
        return targets;
    }

    /** Records a successful commit (ignored if the partition was revoked meanwhile). */
    synchronized void committed(int partition, long offset) {
        Partition p = partitions.get(partition);
        if (p != null && offset > p.committed) {
            p.committed = offset;
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long count() {
        return count;
    }
}
