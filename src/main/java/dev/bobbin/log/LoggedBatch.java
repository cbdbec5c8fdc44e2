package dev.bobbin.log;

import java.time.Instant;

/**
 * A durable batch read back from the log.
 *
 * @param position order of acceptance within the log (larger = accepted later)
 * @param key      globally unique, stable identity of this batch; destinations record it in their
 *                 load ledger so that a replayed batch is never loaded twice
 */
public record LoggedBatch(long position, String key, long clientId, long sourceId, String tableName,
                          PayloadFormat format, Instant receivedAt, byte[] payload) {
}
