package dev.bobbin.catalog;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An Import API source. Its {@code name} is the destination schema its tables load into.
 *
 * <p>A source is active when it is neither paused nor deleted; only active sources accept batches.
 */
public record Source(
        long id,
        long clientId,
        String type,
        String name,
        String displayName,
        Map<String, String> properties,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> pausedAt,
        Optional<Instant> deletedAt) {

    public boolean active() {
        return pausedAt.isEmpty() && deletedAt.isEmpty();
    }
}
