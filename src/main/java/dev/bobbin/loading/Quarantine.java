package dev.bobbin.loading;

import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.log.LoggedBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts how often each batch failed to load while its destination was reachable, and turns a batch
 * that keeps failing into rejected records, so that bad data never blocks its table. Counts live in
 * memory: after a restart a poison batch gets its tries again, which costs time, never data.
 */
final class Quarantine {
    static final int MAX_ATTEMPTS = 3;

    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    /** Counts a failure; true when the batch has now failed {@link #MAX_ATTEMPTS} times. */
    boolean failedAgain(LoggedBatch batch) {
        return attempts.merge(batch.key(), 1, Integer::sum) >= MAX_ATTEMPTS;
    }

    void forget(Collection<LoggedBatch> batches) {
        batches.forEach(b -> attempts.remove(b.key()));
    }

    /** Every record of the batch as a reject whose reason names the load error. */
    List<RejectedRecord> rejects(BatchPayload payload, Exception failure, Instant at) {
        LoggedBatch batch = payload.batch();
        String reason = "the batch could not be loaded after " + MAX_ATTEMPTS + " attempts: " + failure.getMessage();
        List<RejectedRecord> out = new ArrayList<>();
        for (IncomingMessage m : BatchPayloads.parse(payload).messages()) {
            if (m.kind() == IncomingMessage.Kind.UPSERT) {
                out.add(new RejectedRecord(at, batch.tableName(), reason, m.recordText()));
            }
        }
        return out;
    }
}
