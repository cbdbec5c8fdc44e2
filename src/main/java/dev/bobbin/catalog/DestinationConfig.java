package dev.bobbin.catalog;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An account's destination as configured through the Connect API.
 *
 * @param type       {@code duckdb} (the embedded warehouse) or {@code postgres}
 * @param properties connection properties, credentials included; never rendered as they are
 */
public record DestinationConfig(long id, long clientId, String type, Optional<String> name, Optional<String> description,
                                Map<String, String> properties, Instant createdAt, Instant updatedAt) {

    public static final String DUCKDB = "duckdb";
    public static final String POSTGRES = "postgres";

    @Override
    public String toString() {
        return "DestinationConfig[id=" + id + ", clientId=" + clientId + ", type=" + type + "]";
    }
}
