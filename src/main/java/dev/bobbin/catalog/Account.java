package dev.bobbin.catalog;

import java.time.Instant;

/** A Stitch client account: it owns Connect API tokens, sources and at most one destination. */
public record Account(long clientId, String name, Instant createdAt) {
}
