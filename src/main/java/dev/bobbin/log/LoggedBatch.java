package dev.bobbin.log;

import java.time.Instant;

/**
 * A durable batch read back from the log.
 *
 * @param position     order of acceptance within the log (larger = accepted later)
 * @param key          globally unique, stable identity of this batch; destinations record it in their
 *                     load ledger so that a replayed batch is never loaded twice
 * @param payloadBytes the length of the payload
 * @param payload      the payload, or null when the log did not read it with the batch: then
 *                     {@link BatchLog#payload} reads it, so that a loader holds payload bytes only
 *                     for the batches it is preparing
 */
public record LoggedBatch(long position, String key, long clientId, long sourceId, String tableName,
                          PayloadFormat format, Instant receivedAt, long payloadBytes, byte[] payload) {

    public LoggedBatch {
        if (payload != null && payload.length != payloadBytes) {
            throw new IllegalArgumentException("a payload of " + payload.length + " bytes said to have " + payloadBytes);
        }
    }

    /** A batch read with its payload. */
    public LoggedBatch(long position, String key, long clientId, long sourceId, String tableName,
                       PayloadFormat format, Instant receivedAt, byte[] payload) {
        this(position, key, clientId, sourceId, tableName, format, receivedAt, payload.length, payload);
    }
}
