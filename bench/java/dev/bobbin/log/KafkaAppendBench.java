package dev.bobbin.log;

import dev.bobbin.testing.TestKafka;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends per second to {@link KafkaBatchLog} (one transaction per group of concurrent appends,
 * durable when {@code append} returns), at 1 and at {@code bench.threads} request threads, next to a
 * plain idempotent {@code acks=all} producer that waits for each record's acknowledgement from the
 * same number of threads, measured in the same run on the same single test broker
 * ({@link TestKafka}, a child JVM on loopback).
 */
public final class KafkaAppendBench {
    private static final int PAYLOAD_BYTES = Integer.getInteger("bench.payloadBytes", 4096);
    private static final int THREADS = Integer.getInteger("bench.threads", 64);
    private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));

    interface Append {
        void run(int thread, long i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String servers = TestKafka.bootstrapServers();
        System.out.printf("kafka-append: broker started in %.1f s; %,d-byte payloads, %d s per run%n",
                TestKafka.startTime().toMillis() / 1000.0, PAYLOAD_BYTES, RUN.toSeconds());
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random(42).nextBytes(payload); // incompressible: lz4 does not flatter the numbers
        KafkaLogSettings settings = KafkaLogSettings.of(List.of(servers)).withTopic(TestKafka.newTopicName()).withGroupId(TestKafka.newGroupId());
        String rawTopic = TestKafka.newTopicName();
        try (var admin = TestKafka.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(rawTopic, settings.partitions(), (short) 1))).all().get();
        }
        try (KafkaBatchLog log = KafkaBatchLog.open(settings, Clock.systemUTC());
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                     ProducerConfig.LINGER_MS_CONFIG, 0,
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            Append viaLog = (t, i) -> log.append(List.of(new NewBatch(1, t, "table" + (i % 8), PayloadFormat.BATCH_JSON, Instant.now(), payload)));
            Append viaRaw = (t, i) -> raw.send(new ProducerRecord<>(rawTopic, t + ":table" + (i % 8), payload)).get();
            measure("warm-up (log)", 4, viaLog, Duration.ofSeconds(3));
            measure("warm-up (raw)", 4, viaRaw, Duration.ofSeconds(3));
            for (int threads : new int[] {1, THREADS}) {
                double logRate = measure("KafkaBatchLog.append", threads, viaLog, RUN);
                double rawRate = measure("plain producer send().get()", threads, viaRaw, RUN);
                System.out.printf("  %d thread(s): log / plain = %.2f%n", threads, logRate / rawRate);
            }
        }
        System.exit(0); // TestKafka's shutdown hook stops the broker
    }

    private static double measure(String what, int threads, Append append, Duration run) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + run.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (long i = 0; System.nanoTime() < end; i++) {
                    append.run(thread, i);
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = done.get() / seconds;
        if (!what.startsWith("warm-up")) {
            System.out.printf("  %-30s %3d thread(s): %,9.0f appends/s (%,d in %.1f s)%n", what, threads, rate, done.get(), seconds);
        }
        return rate;
    }
}
