package dev.bobbin.node;

import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.connect.DestinationCheck;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.destination.postgres.PostgresDestination;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns an account's configured destination into a live {@link Destination}: the account's embedded
 * DuckDB warehouse, or a PostgreSQL connection pool opened on first use and reopened when the destination's
 * properties change. Also performs the Connect API's connection check.
 *
 * <p>When batches come from a log that several nodes load from (Kafka), a node's embedded warehouse
 * would hold only the batches that node happened to load: then an account's {@code duckdb}
 * destination is reported unavailable, and its batches wait in the log until the account configures a
 * shared destination.
 */
final class DestinationRegistry implements Function<DestinationConfig, Optional<Destination>>, DestinationCheck, AutoCloseable {
    private record Open(DestinationConfig config, PostgresDestination destination) {
    }

    static final String EMBEDDED_NOT_SHARED = "the embedded duckdb destination is local to one node and cannot load from a log"
            + " shared by several nodes; configure a postgres destination (PUT /v4/destinations/{id}) and the waiting batches will load";

    private final EmbeddedWarehouses warehouses;
    private final boolean sharedLog;
    private final Map<Long, Open> postgres = new ConcurrentHashMap<>();

    /** @param sharedLog whether other nodes load from the same batch log */
    DestinationRegistry(EmbeddedWarehouses warehouses, boolean sharedLog) {
        this.warehouses = warehouses;
        this.sharedLog = sharedLog;
    }

    /**
     * @throws IllegalStateException when a PostgreSQL destination cannot be reached now, or the destination is the
     *                               embedded warehouse and the log is shared
     */
    @Override
    public Optional<Destination> apply(DestinationConfig config) {
        return switch (config.type()) {
            case DestinationConfig.DUCKDB -> Optional.of(embedded(config));
            case DestinationConfig.POSTGRES -> Optional.of(postgres(config));
            default -> Optional.empty();
        };
    }

    private Destination embedded(DestinationConfig config) {
        if (sharedLog) {
            throw new IllegalStateException(EMBEDDED_NOT_SHARED);
        }
        return warehouses.forAccount(config.clientId());
    }

    private synchronized PostgresDestination postgres(DestinationConfig config) {
        Open open = postgres.get(config.id());
        if (open != null && open.config().updatedAt().equals(config.updatedAt()) && open.config().properties().equals(config.properties())) {
            return open.destination();
        }
        if (open != null) {
            open.destination().close();
            postgres.remove(config.id());
        }
        PostgresDestination destination = PostgresDestination.open(connection(config.properties()));
        postgres.put(config.id(), new Open(config, destination));
        return destination;
    }

    /** Connects with the properties and prepares the ledger schema: proof that Bobbin can log in and create objects. */
    @Override
    public Optional<String> problem(String type, Map<String, String> properties) {
        if (!DestinationConfig.POSTGRES.equals(type)) {
            return Optional.empty();
        }
        try (PostgresDestination probe = PostgresDestination.open(connection(properties))) {
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    static PostgresConnection connection(Map<String, String> p) {
        return new PostgresConnection(p.get("host"), Integer.parseInt(p.getOrDefault("port", "5432")), p.get("database"),
                p.get("username"), p.getOrDefault("password", ""), Boolean.parseBoolean(p.getOrDefault("ssl", "false")));
    }

    @Override
    public synchronized void close() {
        postgres.values().forEach(o -> o.destination().close());
        postgres.clear();
    }
}
