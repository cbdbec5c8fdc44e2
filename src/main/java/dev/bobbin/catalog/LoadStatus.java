package dev.bobbin.catalog;

import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of the most recent load attempt of one table (connect-api.md §11.3).
 *
 * @param lastBatchLoadedAt when a batch of it last committed; empty while the table is in an error state
 * @param errorState        the failure of the last attempt, as a JSON object text; empty when it succeeded
 */
public record LoadStatus(long clientId, String sourceName, String streamName, Optional<Instant> lastBatchLoadedAt,
                         Optional<String> errorState) {
}
