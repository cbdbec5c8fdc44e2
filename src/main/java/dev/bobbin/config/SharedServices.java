package dev.bobbin.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node keeps its catalog and its batch log when several nodes work together (issue 8). Both
 * empty is the embedded default: {@code catalog.db} in the data directory holds both.
 *
 * @param catalogUrl   a {@code jdbc:postgresql://…} URL of the catalog every node shares; it may carry
 *                     the user and password, so it is never logged whole (see {@link #describeCatalog})
 * @param log          {@code kafka:host:port[,host:port…]}: the batch log is that Kafka cluster
 * @param kafkaTopic   the topic holding accepted batches
 * @param kafkaPartitions partitions of that topic when Bobbin creates it: the most loader nodes that can work at once
 * @param kafkaGroup   consumer group of the loaders: every node of one deployment uses the same
 * @param kafkaSessionTimeout how long the group waits for a silent (dead) node before its partitions move to others
 */
public record SharedServices(Optional<String> catalogUrl, Optional<String> log, String kafkaTopic, int kafkaPartitions,
                             String kafkaGroup, Duration kafkaSessionTimeout) {

    public static final String DEFAULT_KAFKA_TOPIC = "bobbin.batches";
    public static final int DEFAULT_KAFKA_PARTITIONS = 12;
    public static final String DEFAULT_KAFKA_GROUP = "bobbin-loaders";
    public static final long DEFAULT_KAFKA_SESSION_TIMEOUT_MS = 45_000;
    public static final SharedServices EMBEDDED = new SharedServices(Optional.empty(), Optional.empty(), DEFAULT_KAFKA_TOPIC,
            DEFAULT_KAFKA_PARTITIONS, DEFAULT_KAFKA_GROUP, Duration.ofMillis(DEFAULT_KAFKA_SESSION_TIMEOUT_MS));
    private static final String POSTGRES_URL_PREFIX = "jdbc:postgresql://";
    private static final String KAFKA_PREFIX = "kafka:";

    public SharedServices {
        if (catalogUrl.isPresent() && !catalogUrl.get().startsWith(POSTGRES_URL_PREFIX)) {
            throw new IllegalArgumentException("--catalog-url (BOBBIN_CATALOG_URL) must start with " + POSTGRES_URL_PREFIX
                    + ", got '" + catalogUrl.get().split("\\?")[0] + "'");
        }
        if (log.isPresent() && !log.get().startsWith(KAFKA_PREFIX)) {
            throw new IllegalArgumentException("--log (BOBBIN_LOG) must be kafka:host:port[,host:port...] or left out for the"
                    + " embedded log, got '" + log.get() + "'");
        }
        if (log.isPresent() && catalogUrl.isEmpty()) {
            throw new IllegalArgumentException("--log kafka:... needs --catalog-url too: every node that loads from the shared"
                    + " log must see the same sources and tokens");
        }
        if (kafkaTopic.isBlank() || kafkaGroup.isBlank()) {
            throw new IllegalArgumentException("BOBBIN_KAFKA_TOPIC and BOBBIN_KAFKA_GROUP must not be blank");
        }
        if (kafkaSessionTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("BOBBIN_KAFKA_SESSION_TIMEOUT_MS must be positive");
        }
        if (kafkaPartitions < 1) {
            throw new IllegalArgumentException("BOBBIN_KAFKA_PARTITIONS must be at least 1, got " + kafkaPartitions);
        }
    }

    /** Resolves from flags (null when not given), then {@code BOBBIN_CATALOG_URL}, {@code BOBBIN_LOG} and {@code BOBBIN_KAFKA_*}. */
    static SharedServices resolve(String catalogUrlFlag, String logFlag, Map<String, String> env) {
        Optional<String> catalog = firstGiven(catalogUrlFlag, env.get("BOBBIN_CATALOG_URL"));
        Optional<String> log = firstGiven(logFlag, env.get("BOBBIN_LOG"));
        String topic = env.getOrDefault("BOBBIN_KAFKA_TOPIC", DEFAULT_KAFKA_TOPIC).trim();
        String group = env.getOrDefault("BOBBIN_KAFKA_GROUP", DEFAULT_KAFKA_GROUP).trim();
        int partitions = (int) number(env, "BOBBIN_KAFKA_PARTITIONS", DEFAULT_KAFKA_PARTITIONS);
        long sessionMs = number(env, "BOBBIN_KAFKA_SESSION_TIMEOUT_MS", DEFAULT_KAFKA_SESSION_TIMEOUT_MS);
        return new SharedServices(catalog, log, topic, partitions, group, Duration.ofMillis(sessionMs));
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String raw = env.getOrDefault(name, String.valueOf(fallback)).trim();
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw + "'");
        }
    }

    private static Optional<String> firstGiven(String flag, String env) {
        if (flag != null && !flag.isBlank()) {
            return Optional.of(flag.trim());
        }
        return Optional.ofNullable(env).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** Whether batches go to a log other nodes read too (then each node's embedded warehouse cannot be a destination). */
    public boolean sharedLog() {
        return log.isPresent();
    }

    /** The Kafka bootstrap servers of {@link #log}, as written after {@code kafka:}. */
    public Optional<String> kafkaServers() {
        return log.map(l -> l.substring(KAFKA_PREFIX.length()));
    }

    /** The catalog's location without user, password or other parameters: safe to log. */
    public String describeCatalog() {
        return catalogUrl.map(url -> "PostgreSQL at " + url.substring(POSTGRES_URL_PREFIX.length()).split("[?;]")[0]
                .replaceFirst("^[^@/]*@", "")).orElse("the embedded SQLite file");
    }
}
