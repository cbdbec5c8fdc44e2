package dev.bobbin.cli;

import dev.bobbin.catalog.CatalogCopy;
import dev.bobbin.config.BobbinConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bobbin catalog copy}: moves the embedded catalog into a shared PostgreSQL one (docs/deploy.md). */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Move the catalog to PostgreSQL for several nodes.",
        subcommands = {CatalogCommand.Copy.class})
final class CatalogCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy the data dir's catalog (accounts, sources, token hashes, destinations, load status) into an empty"
                    + " PostgreSQL catalog. Stop the node and let its batch log drain first.")
    static final class Copy implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Data directory (default ./bobbin-data, env BOBBIN_DATA_DIR).")
        Path dataDir;

        @Option(names = "--to", required = true, paramLabel = "JDBC_URL", description = "jdbc:postgresql://host:port/db?user=..&password=..")
        String to;

        @Override
        public Integer call() {
            Path dir = BobbinConfig.resolveDataDir(dataDir, System.getenv());
            Map<String, Integer> copied = CatalogCopy.copy(dir.resolve("catalog.db"), to);
            copied.forEach((table, rows) -> System.out.println(table + ": " + rows));
            System.out.println("copied; start every node with --catalog-url (BOBBIN_CATALOG_URL) set to the same URL");
            return 0;
        }
    }
}
