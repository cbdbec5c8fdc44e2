package dev.bobbin.cli;

import dev.bobbin.config.BobbinConfig;
import dev.bobbin.node.BobbinNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code bobbin serve}: runs every part in this process until SIGTERM or Ctrl-C, then shuts down
 * cleanly and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run Bobbin (Import API, Connect API, loader).")
final class ServeCommand implements Callable<Integer> {
    private static volatile boolean serving;

    @Option(names = "--port", description = "HTTP port (default 8080, env BOBBIN_PORT).")
    Integer port;

    @Option(names = "--data-dir", description = "Data directory (default ./bobbin-data, env BOBBIN_DATA_DIR).")
    Path dataDir;

    @Option(names = "--catalog-url", paramLabel = "JDBC_URL",
            description = "Shared PostgreSQL catalog for several nodes, jdbc:postgresql://host:port/db?user=..&password=.. "
                    + "(default: SQLite in the data dir; env BOBBIN_CATALOG_URL).")
    String catalogUrl;

    @Option(names = "--log", paramLabel = "kafka:HOST:PORT[,HOST:PORT...]",
            description = "Shared batch log on Apache Kafka (default: SQLite in the data dir; env BOBBIN_LOG). Needs --catalog-url.")
    String log;

    static boolean isServing() {
        return serving;
    }

    @Override
    public Integer call() throws Exception {
        BobbinConfig config = BobbinConfig.resolve(port, dataDir, catalogUrl, log, System.getenv());
        BobbinNode node = BobbinNode.start(config);
        serving = true;
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (closing.compareAndSet(false, true)) {
                node.close();
                stopped.countDown();
            } else {
                awaitQuietly(stopped);
            }
        };
        // Any other way the JVM exits still closes the node.
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown"));
        // SIGTERM and SIGINT are the normal way to stop a server: close cleanly, then exit 0. Left to
        // the JVM's default handling, the process would exit 143 (130) after the shutdown hook, which
        // service managers report as a failure.
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                shutdown.run();
                System.exit(0);
            });
        }
        stopped.await();
        return 0;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
