package dev.bobbin.log;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BatchLog} on an Apache Kafka topic that several Bobbin nodes share (the scale-out
 * deployment). Thread-safe.
 *
 * <p><b>Appending</b>: each batch is one record, keyed by source and table, so one table's batches
 * stay in one partition in append order. An append of one batch (every {@code /batch} request) is
 * sent by the request thread on an idempotent {@code acks=all} producer and returns once the
 * in-sync replicas have it ({@link KafkaSingleAppender}). An append of several batches (a push to
 * several tables) must be all or none: concurrent ones are grouped into one Kafka transaction by a
 * single appender thread ({@link KafkaAppender}), and {@link #append} returns once that transaction
 * is committed, so all batches of an append are visible to loaders or none is. The transactional
 * id is unique to this log instance.
 *
 * <p><b>Loading</b> ({@link KafkaPartitionReader}, {@link PartitionBuffers}): every node's log joins
 * one consumer group ({@code read_committed}, no auto commit); the group spreads the partitions
 * over the nodes. One reader thread owns the consumer and keeps the fetched batches of this node's
 * partitions in memory (up to {@code maxBufferedBytes}, then fetching pauses) until the loader
 * acknowledges them; {@link #pending} serves them, each partition in offset order. Acknowledged
 * offsets are committed as the first unacknowledged offset per partition. Batches returned from a
 * partition that a rebalance moved to another node may still be acknowledged: that commits
 * nothing, and the new owner's replay is a no-op thanks to the destination's ledger.
 *
 * <p><b>Keys</b>: {@code k:<topic id>:<partition>:<offset>}, {@code position} = offset.
 *
 * <p><b>Counts</b>: {@link #pendingCount} and {@link #pendingBytes} count what this node holds in
 * memory and has not seen acknowledged: its share of the backlog as far as fetched. Batches of other
 * nodes' partitions, and batches not fetched yet while fetching is paused, are not counted.
 *
 * <p><b>Size and retention</b>: the size cap of the SQLite log ({@code BOBBIN_LOG_MAX_BYTES}) does
 * not apply; the brokers' disks are the limit. Kafka never deletes on its own (the topic has no
 * retention); a maintenance thread deletes, every minute, in this node's partitions, the batches
 * that are loaded (before the committed offset) and older than the retention.
 *
 * <p><b>Threads</b>: request threads call {@link #append}; the appender thread owns the producer;
 * the reader thread owns the consumer; the maintenance thread probes the cluster and trims, with the
 * admin client (thread-safe). {@link #pending} and {@link #acknowledge} run on the caller's thread
 * and only touch {@link PartitionBuffers}.
 */
public final class KafkaBatchLog implements BatchLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchLog.class);
    private static final long PROBE_SECONDS = 5;
    private static final long TRIM_SECONDS = 60;

    private final KafkaLogSettings settings;
    private final Clock clock;
    private final Admin admin;
    private final String topicId;
    private final KafkaAppender appender;
    private final KafkaSingleAppender single;
    private final PartitionBuffers buffers;
    private final KafkaPartitionReader reader;
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("kafka-log-maintenance").daemon(true).unstarted(task));
    /** Why the cluster could not be reached at the last probe; null when it could. */
    private volatile String unreachable;
    private volatile boolean closing;

    private KafkaBatchLog(KafkaLogSettings settings, Clock clock, Admin admin, String topicId, KafkaAppender appender,
                          KafkaSingleAppender single, PartitionBuffers buffers, KafkaPartitionReader reader) {
        this.settings = settings;
        this.clock = clock;
        this.admin = admin;
        this.topicId = topicId;
        this.appender = appender;
        this.single = single;
        this.buffers = buffers;
        this.reader = reader;
    }

    /**
     * Connects to the cluster (waiting up to {@link KafkaLogSettings#openTimeout}), creates the topic
     * if it is missing, starts a transactional producer and joins the consumer group.
     *
     * @throws IllegalStateException saying why, when the cluster cannot be reached in time, the topic
     *                               cannot be created or is configured to delete records by itself,
     *                               or the cluster cannot run transactions
     */
    public static KafkaBatchLog open(KafkaLogSettings settings, Clock clock) {
        String instance = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + settings.openTimeout().toNanos();
        Admin admin = Admin.create(adminConfig(settings, instance));
        Producer<String, byte[]> producer = null;
        Producer<String, byte[]> idempotent = null;
        try {
            int brokers = KafkaTopic.awaitCluster(admin, settings, deadline).size();
            String topicId = KafkaTopic.ensure(admin, settings, brokers, deadline);
            String transactionalId = "bobbin-log-" + instance;
            producer = transactionalProducer(settings, instance, transactionalId);
            Producer<String, byte[]> first = producer;
            KafkaAppender appender = new KafkaAppender(first, () -> transactionalProducer(settings, instance, transactionalId),
                    settings.topic(), clock, settings.maxRequestBytes());
            idempotent = new KafkaProducer<>(producerConfig(settings, "bobbin-single-" + instance));
            KafkaSingleAppender single = new KafkaSingleAppender(idempotent, settings.topic(), clock, settings.maxRequestBytes());
            PartitionBuffers buffers = new PartitionBuffers(topicId);
            KafkaPartitionReader reader = new KafkaPartitionReader(new KafkaConsumer<>(consumerConfig(settings, instance)),
                    buffers, settings.topic(), topicId, settings.maxBufferedBytes());
            KafkaBatchLog log = new KafkaBatchLog(settings, clock, admin, topicId, appender, single, buffers, reader);
            appender.start();
            reader.start();
            log.maintenance.scheduleWithFixedDelay(log::probe, PROBE_SECONDS, PROBE_SECONDS, TimeUnit.SECONDS);
            log.maintenance.scheduleWithFixedDelay(log::trimQuietly, TRIM_SECONDS, TRIM_SECONDS, TimeUnit.SECONDS);
            LOG.info("Kafka batch log on topic {} (id {}) at {}, group {}", settings.topic(), topicId,
                    String.join(",", settings.bootstrapServers()), settings.groupId());
            return log;
        } catch (RuntimeException e) {
            if (producer != null) {
                producer.close(java.time.Duration.ZERO);
            }
            if (idempotent != null) {
                idempotent.close(java.time.Duration.ZERO);
            }
            admin.close(java.time.Duration.ZERO);
            throw e;
        }
    }

    /** What both producers share: idempotent, {@code acks=all}, lz4, sized for the largest batch. */
    private static Map<String, Object> producerConfig(KafkaLogSettings s, String clientId) {
        Map<String, Object> c = common(s, clientId);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Kafka 4's default of 5 ms would add 5 ms to every request that finds the producer idle; records sent
        // while a request is in flight are batched anyway
        c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // batch.size stays at Kafka's 16 KiB: a record larger than it travels in a record batch of its own, so a
        // record the topic refuses fails alone (a larger batch.size can make the producer split and resend forever)
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) s.maxRequestBytes());
        c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, s.maxRequestBytes() + 64L * 1024 * 1024);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) KafkaAppender.DELIVERY_TIMEOUT.toMillis());
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.putAll(s.clientProperties());
        return c;
    }

    private static Producer<String, byte[]> transactionalProducer(KafkaLogSettings s, String instance, String transactionalId) {
        Map<String, Object> c = producerConfig(s, "bobbin-appender-" + instance);
        c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A node that dies inside a transaction leaves it open until the broker aborts it after this
        // timeout, and until then no loader sees later batches of the partitions it wrote to: keep it
        // short (a group commit's transaction lasts milliseconds; one of 200 MiB a few seconds).
        c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 15_000);
        c.putAll(s.clientProperties());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(c);
        try {
            producer.initTransactions();
            return producer;
        } catch (KafkaException e) {
            producer.close(java.time.Duration.ZERO);
            throw new IllegalStateException("the Kafka cluster cannot start a transaction for the batch log (it needs as many"
                    + " brokers as transaction.state.log.min.isr): " + KafkaTopic.rootMessage(e), e);
        }
    }

    private static Map<String, Object> consumerConfig(KafkaLogSettings s, String instance) {
        Map<String, Object> c = common(s, "bobbin-reader-" + instance);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) s.sessionTimeout().toMillis());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(100, Math.min(3_000, s.sessionTimeout().toMillis() / 3)));
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.putAll(s.clientProperties());
        return c;
    }

    private static Map<String, Object> adminConfig(KafkaLogSettings s, String instance) {
        Map<String, Object> c = common(s, "bobbin-admin-" + instance);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        c.putAll(s.clientProperties());
        return c;
    }

    private static Map<String, Object> common(KafkaLogSettings s, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", s.bootstrapServers()));
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
        return c;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the batches are durable: a single batch acknowledged by the in-sync replicas
     * ({@link KafkaSingleAppender}, no transaction needed), several in a committed Kafka transaction
     * ({@link KafkaAppender}). Refused (nothing appended) when the log is closing, a batch is larger
     * than {@link KafkaLogSettings#maxBatchBytes}, the topic refuses a batch, or the cluster cannot be
     * written to in time. Ambiguous, and saying so in its message: a send or commit that Kafka did not
     * confirm in time.
     */
    @Override
    public void append(List<NewBatch> batches) throws LogUnavailableException {
        if (batches.isEmpty()) {
            return;
        }
        if (closing) {
            throw new LogUnavailableException("the batch log is shutting down", null);
        }
        if (batches.size() == 1) {
            single.append(batches.get(0)); // nothing to make atomic: no transaction needed
        } else {
            appender.append(batches);
        }
    }

    /** Up to {@code maxBatches} unacknowledged batches of the partitions this node owns now, each partition in append order. */
    @Override
    public List<LoggedBatch> pending(int maxBatches) {
        return buffers.pending(maxBatches);
    }

    /** Always the batch's own: this node holds the payloads of the batches it serves until they are acknowledged. */
    @Override
    public byte[] payload(LoggedBatch batch) {
        return batch.payload();
    }

    @Override
    public void acknowledge(Collection<LoggedBatch> batches) {
        buffers.acknowledge(batches);
    }

    /** Batches this node has fetched and not seen acknowledged (its share of the backlog, as far as fetched). */
    @Override
    public long pendingCount() {
        return buffers.count();
    }

    /** Payload bytes of {@link #pendingCount()}'s batches. */
    @Override
    public long pendingBytes() {
        return buffers.bytes();
    }

    /**
     * Not writable while closing, while the last probe of the cluster (every 5 s) failed, or for 10 s
     * after a transaction failed for a reason other than the batch itself (unless one committed since).
     */
    @Override
    public LogHealth health() {
        if (closing) {
            return LogHealth.failing("the batch log is shutting down");
        }
        String down = unreachable;
        if (down != null) {
            return LogHealth.failing(down);
        }
        String failed = appender.recentFailure();
        if (failed == null) {
            failed = single.recentFailure();
        }
        return failed == null ? LogHealth.OK : LogHealth.failing(failed);
    }

    private void probe() {
        try {
            boolean any = !admin.describeCluster().nodes().get(PROBE_SECONDS, TimeUnit.SECONDS).isEmpty();
            unreachable = any ? null : "the Kafka cluster has no brokers";
        } catch (Exception e) {
            unreachable = "cannot reach the Kafka brokers at " + String.join(",", settings.bootstrapServers()) + ": "
                    + KafkaTopic.rootMessage(e);
        }
    }

    private void trimQuietly() {
        try {
            trimExpired();
        } catch (Exception e) {
            LOG.warn("trimming loaded batches from Kafka failed; retried in a minute: {}", KafkaTopic.rootMessage(e));
        }
    }

    /**
     * Deletes, in the partitions this node owns, the loaded batches appended more than the retention
     * ago; returns the number of partitions deleted from. Runs every minute on its own.
     */
    int trimExpired() throws Exception {
        long cutoff = clock.millis() - settings.retention().toMillis();
        return KafkaTopic.trim(admin, settings.topic(), settings.groupId(), buffers.owned(), cutoff, 10_000);
    }

    /** The partitions the group gives this node now. */
    java.util.Set<Integer> ownedPartitions() {
        return buffers.owned();
    }

    /** The id Kafka gave the topic, part of every batch key. */
    /**
     * The key the batch at {@code offset} of {@code partition} has in the topic with id {@code topicId}
     * (Kafka's topic UUID): the value destinations record in their ledger. For tools that read the topic
     * from outside, e.g. to compare it with a destination's ledger.
     */
    public static String batchKey(String topicId, int partition, long offset) {
        return KafkaRecords.key(topicId, partition, offset);
    }

    String topicId() {
        return topicId;
    }

    /**
     * Refuses new appends, waits for those in flight, commits what is acknowledged, leaves the
     * consumer group (its partitions go to the other nodes at once) and closes the clients.
     */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        appender.close();
        single.close();
        reader.close();
        maintenance.shutdownNow();
        try {
            maintenance.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
