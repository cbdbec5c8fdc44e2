package dev.bobbin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One real Apache Kafka broker (KRaft, combined broker and controller) for the whole test JVM, from
 * the {@code org.apache.kafka:kafka_2.13} Maven artifact on the test classpath.
 *
 * <p>Started lazily by the first test that asks for it, as a child JVM process (the running JVM's
 * {@code java}, the test classpath, {@code -Xmx512m}): its storage is formatted with
 * {@code kafka.tools.StorageTool}, then {@code kafka.Kafka} runs on free loopback ports, and this
 * class waits until an admin client sees the broker. A JVM shutdown hook kills it (the data
 * directory is temporary); should the test JVM die without running its hooks, the broker halts by
 * itself ({@link KafkaBrokerMain} watches its parent). The broker's output goes to {@code target/kafka-broker-<port>.log}.
 *
 * <p>Settings are tuned for tests, not production: one replica everywhere (offsets and transaction
 * state topics included), no initial rebalance delay, few transaction state partitions.
 *
 * <p>Tests isolate themselves with {@link #newTopicName()}; thread-safe.
 */
public final class TestKafka {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static String bootstrapServers;
    private static Duration startTime;

    private TestKafka() {
    }

    /** {@code host:port} of the shared broker, starting it on first use. */
    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            long started = System.nanoTime();
            bootstrapServers = start();
            startTime = Duration.ofNanos(System.nanoTime() - started);
        }
        return bootstrapServers;
    }

    /** How long the broker took to start and become reachable (for reports); starts it if needed. */
    public static synchronized Duration startTime() {
        bootstrapServers();
        return startTime;
    }

    /** A topic name not used before in this test JVM (the topic itself is not created). */
    public static String newTopicName() {
        return "test-" + RUN + "-" + TOPICS.incrementAndGet();
    }

    /** A consumer group id not used before in this test JVM. */
    public static String newGroupId() {
        return "group-" + RUN + "-" + TOPICS.incrementAndGet();
    }

    /** A new admin client for the shared broker; the caller closes it. */
    public static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private static String start() {
        try {
            Path dir = Files.createTempDirectory("bobbin-kafka");
            int brokerPort = freePort();
            int controllerPort = freePort();
            Path properties = dir.resolve("server.properties");
            Files.writeString(properties, serverProperties(dir.resolve("data"), brokerPort, controllerPort));
            Path logback = dir.resolve("logback-broker.xml");
            Files.writeString(logback, LOGBACK);
            Path target = Path.of("target");
            Path logFile = (Files.isDirectory(target) ? target : dir).resolve("kafka-broker-" + brokerPort + ".log");

            run(logback, logFile, List.of("kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", properties.toString()),
                    Duration.ofSeconds(60));
            Process broker = command(logback, logFile, List.of(KafkaBrokerMain.class.getName(),
                    Long.toString(ProcessHandle.current().pid()), properties.toString())).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.destroyForcibly();
                try {
                    broker.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                deleteQuietly(dir);
            }, "test-kafka-stop"));
            String servers = "127.0.0.1:" + brokerPort;
            awaitReachable(servers, broker, logFile);
            return servers;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test Kafka broker", e);
        }
    }

    private static String serverProperties(Path data, int brokerPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=1",
                "default.replication.factor=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                // abort the transactions of killed producers soon after their timeout (default: checked every 10 s)
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.min.session.timeout.ms=1000",
                "group.min.session.timeout.ms=1000",
                "log.flush.interval.messages=9223372036854775807",
                "auto.create.topics.enable=false",
                "delete.topic.enable=true",
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "log.cleaner.enable=false",
                "");
    }

    /**
     * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what StorageTool random-uuid
     * prints), never starting with '-': StorageTool's argument parser takes such an id for an option
     * ("argument --cluster-id/-t: expected one argument"), which failed about one run in 64.
     */
    static String randomClusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static ProcessBuilder command(Path logback, Path logFile, List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dlogback.configurationFile=" + logback);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(mainAndArgs);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    private static void run(Path logback, Path logFile, List<String> mainAndArgs, Duration timeout) throws IOException {
        Process p = command(logback, logFile, mainAndArgs).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(mainAndArgs.get(0) + " did not finish within " + timeout + "; see " + logFile);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + mainAndArgs.get(0), e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(mainAndArgs.get(0) + " exited with " + p.exitValue() + "; see " + logFile);
        }
    }

    private static void awaitReachable(String servers, Process broker, Path logFile) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            while (true) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException("the test Kafka broker exited with " + broker.exitValue() + "; see " + logFile);
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    broker.destroyForcibly();
                    throw new IllegalStateException("the test Kafka broker did not start within " + START_TIMEOUT + "; see " + logFile);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            broker.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the test Kafka broker", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }

    /** The broker logs through SLF4J, and Logback is on the test classpath: INFO to stdout, i.e. the log file. */
    private static final String LOGBACK = """
            <configuration>
              <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="org.apache.kafka.clients" level="WARN"/>
              <logger name="org.apache.kafka.common.utils.AppInfoParser" level="WARN"/>
              <logger name="kafka.server.KafkaConfig" level="WARN"/>
              <logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
              <root level="INFO"><appender-ref ref="out"/></root>
            </configuration>
            """;
}
