package dev.bobbin.catalog;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The changes of a {@code PUT /v4/sources/{id}}; an empty field leaves that attribute as it is.
 *
 * @param pausedAt present to change the pause state: a time pauses, an empty inner value unpauses
 */
public record SourceUpdate(Optional<String> displayName, Optional<Optional<Instant>> pausedAt, Optional<Map<String, String>> properties) {
}
