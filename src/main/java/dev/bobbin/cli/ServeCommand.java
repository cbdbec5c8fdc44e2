package dev.bobbin.cli;

import dev.bobbin.config.BobbinConfig;
import dev.bobbin.node.BobbinNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bobbin serve}: runs every part in this process until SIGTERM or Ctrl-C, then shuts down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run Bobbin (Import API, Connect API, loader).")
final class ServeCommand implements Callable<Integer> {
    private static volatile boolean serving;

    @Option(names = "--port", description = "HTTP port (default 8080, env BOBBIN_PORT).")
    Integer port;

    @Option(names = "--data-dir", description = "Data directory (default ./bobbin-data, env BOBBIN_DATA_DIR).")
    Path dataDir;

    static boolean isServing() {
        return serving;
    }

    @Override
    public Integer call() throws Exception {
        BobbinConfig config = BobbinConfig.resolve(port, dataDir, System.getenv());
        BobbinNode node = BobbinNode.start(config);
        serving = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
