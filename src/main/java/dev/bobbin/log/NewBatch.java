package dev.bobbin.log;

import java.time.Instant;

/**
 * A batch accepted by the Import API, about to be appended: all of it belongs to one table of one source.
 *
 * @param payload the request's records, in {@code format}; never modified after construction
 */
public record NewBatch(long clientId, long sourceId, String tableName, PayloadFormat format, Instant receivedAt, byte[] payload) {
}
