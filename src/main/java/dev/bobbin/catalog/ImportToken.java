package dev.bobbin.catalog;

import java.time.Instant;

/** An active Import API token's listing entry: its id and creation time, never its value. */
public record ImportToken(long id, long sourceId, Instant createdAt) {
}
