package dev.bobbin.log;

import dev.bobbin.config.ImportLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link KafkaBatchLog} reaches and uses its Kafka cluster. Immutable; {@link #of} gives the
 * defaults for a list of brokers, the {@code with…} methods change one setting.
 *
 * @param bootstrapServers  {@code host:port} of one or more brokers
 * @param topic             the topic every Bobbin node of one deployment shares (created at open if missing)
 * @param partitions        partitions of the topic when this log creates it (an existing topic keeps its own);
 *                          at most this many nodes load at the same time
 * @param groupId           the consumer group every node's loader joins; the partitions are shared among its members
 * @param retention         how long loaded batches stay in the topic (BOBBIN_LOG_RETENTION_HOURS); unloaded ones
 *                          are never deleted
 * @param maxBatchBytes     the largest batch payload an append must take (the Import API's largest body after
 *                          gzip, {@link ImportLimits#maxInflatedBytes}); sizes the producer's requests and the
 *                          topic's {@code max.message.bytes}; above 100 MiB the brokers' own
 *                          {@code socket.request.max.bytes} must be raised as well
 * @param maxBufferedBytes  payload bytes of unacknowledged batches a node holds in memory for its loader; beyond
 *                          it, fetching pauses until batches are acknowledged
 * @param sessionTimeout    how long the group waits for a silent node before giving its partitions to others
 * @param openTimeout       how long {@link KafkaBatchLog#open} waits for the cluster before it fails
 * @param clientProperties  extra Kafka client properties for every producer, consumer and admin client
 *                          (e.g. {@code security.protocol}, SASL settings); they override Bobbin's own
 */
public record KafkaLogSettings(List<String> bootstrapServers, String topic, int partitions, String groupId,
                               Duration retention, long maxBatchBytes, long maxBufferedBytes, Duration sessionTimeout,
                               Duration openTimeout, Map<String, String> clientProperties) {

    public static final String DEFAULT_TOPIC = "bobbin.batches";
    public static final int DEFAULT_PARTITIONS = 12;
    public static final String DEFAULT_GROUP_ID = "bobbin-loaders";
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(7 * 24);
    /** Like the SQLite log's per-cycle read: the loader parses these while intake runs, in a server of 512 MiB heap. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(30);
    private static final String SCHEME = "kafka:";

    public KafkaLogSettings {
        bootstrapServers = List.copyOf(bootstrapServers);
        clientProperties = Map.copyOf(clientProperties);
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(groupId, "groupId");
        if (bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException("a Kafka batch log needs at least one bootstrap server");
        }
        if (topic.isBlank() || groupId.isBlank()) {
            throw new IllegalArgumentException("the Kafka topic and consumer group id must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("the Kafka topic needs at least one partition, not " + partitions);
        }
        if (retention.isNegative() || maxBatchBytes <= 0 || maxBufferedBytes <= 0
                || sessionTimeout.isNegative() || sessionTimeout.isZero() || openTimeout.isNegative()) {
            throw new IllegalArgumentException("Kafka log sizes and timeouts must be positive (retention may be zero)");
        }
    }

    /** The defaults for these brokers: topic {@value #DEFAULT_TOPIC}, 12 partitions, group {@value #DEFAULT_GROUP_ID}, 168 h retention. */
    public static KafkaLogSettings of(List<String> bootstrapServers) {
        return new KafkaLogSettings(bootstrapServers, DEFAULT_TOPIC, DEFAULT_PARTITIONS, DEFAULT_GROUP_ID, DEFAULT_RETENTION,
                ImportLimits.DEFAULTS.maxInflatedBytes(), DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_SESSION_TIMEOUT,
                DEFAULT_OPEN_TIMEOUT, Map.of());
    }

    /**
     * Reads a {@code --log} value of the form {@code kafka:host:port[,host:port…]} (IPv6 hosts in
     * brackets, {@code kafka:[::1]:9092}) into the defaults for those brokers.
     *
     * @throws IllegalArgumentException naming what is wrong, for any other form
     */
    public static KafkaLogSettings parse(String value) {
        Objects.requireNonNull(value, "value");
        if (!value.startsWith(SCHEME)) {
            throw malformed(value, "it must start with 'kafka:'");
        }
        String list = value.substring(SCHEME.length());
        if (list.isEmpty()) {
            throw malformed(value, "no broker is given");
        }
        List<String> servers = new ArrayList<>();
        for (String server : list.split(",", -1)) {
            servers.add(checkServer(value, server));
        }
        return of(servers);
    }

    private static String checkServer(String value, String server) {
        if (server.isEmpty()) {
            throw malformed(value, "a broker address is empty");
        }
        int colon = server.lastIndexOf(':');
        if (colon < 0) {
            throw malformed(value, "'" + server + "' has no port");
        }
        String host = server.substring(0, colon);
        String port = server.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.isEmpty() || !bracketed && (host.contains(":") || host.contains("[") || host.contains("]"))) {
            throw malformed(value, "'" + server + "' is not host:port (an IPv6 address goes in brackets)");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || c == '/' || c == '@' || c == '?' || c == '#') {
                throw malformed(value, "'" + host + "' is not a host name");
            }
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw malformed(value, "'" + port + "' is not a port (1-65535)");
        }
        return server;
    }

    private static IllegalArgumentException malformed(String value, String why) {
        return new IllegalArgumentException("'" + value + "' is not a Kafka log address (kafka:host:port[,host:port...]): " + why);
    }

    public KafkaLogSettings withTopic(String newTopic) {
        return new KafkaLogSettings(bootstrapServers, newTopic, partitions, groupId, retention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withPartitions(int newPartitions) {
        return new KafkaLogSettings(bootstrapServers, topic, newPartitions, groupId, retention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withGroupId(String newGroupId) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, newGroupId, retention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withRetention(Duration newRetention) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, newRetention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withMaxBatchBytes(long newMaxBatchBytes) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, retention, newMaxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withMaxBufferedBytes(long newMaxBufferedBytes) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, retention, maxBatchBytes, newMaxBufferedBytes,
                sessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withSessionTimeout(Duration newSessionTimeout) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, retention, maxBatchBytes, maxBufferedBytes,
                newSessionTimeout, openTimeout, clientProperties);
    }

    public KafkaLogSettings withOpenTimeout(Duration newOpenTimeout) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, retention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, newOpenTimeout, clientProperties);
    }

    public KafkaLogSettings withClientProperties(Map<String, String> newClientProperties) {
        return new KafkaLogSettings(bootstrapServers, topic, partitions, groupId, retention, maxBatchBytes, maxBufferedBytes,
                sessionTimeout, openTimeout, newClientProperties);
    }

    /** The largest produce request (and record) the producer sends: the largest batch plus room for key and headers. */
    long maxRequestBytes() {
        return Math.min(Integer.MAX_VALUE / 2, maxBatchBytes + 1024 * 1024);
    }
}
