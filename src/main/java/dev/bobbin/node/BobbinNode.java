package dev.bobbin.node;

import dev.bobbin.admin.AdminApi;
import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.PostgresCatalog;
import dev.bobbin.catalog.SqliteCatalog;
import dev.bobbin.catalog.Tokens;
import dev.bobbin.config.BobbinConfig;
import dev.bobbin.config.SharedServices;
import dev.bobbin.connect.ConnectApi;
import dev.bobbin.connect.DestinationsApi;
import dev.bobbin.connect.JobsApi;
import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.http.HttpApi;
import dev.bobbin.imports.ImportApi;
import dev.bobbin.json.Json;
import dev.bobbin.loading.Loader;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.KafkaBatchLog;
import dev.bobbin.log.KafkaLogSettings;
import dev.bobbin.log.SqliteBatchLog;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Bobbin: catalog, batch log, warehouse, loader and HTTP server, wired together on the
 * embedded defaults. Start with {@link #start}; {@link #close} shuts down in dependency order: stop
 * taking requests and finish those in flight, let the loader finish its transaction, then close the
 * log, the warehouse and the catalog.
 */
public final class BobbinNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BobbinNode.class);

    private final BobbinConfig config;
    private final Catalog catalog;
    private final BatchLog log;
    private final DuckDbWarehouse warehouse;
    private final EmbeddedWarehouses warehouses;
    private final DestinationRegistry destinations;
    private final Loader loader;
    private final HttpApi http;

    private BobbinNode(BobbinConfig config, Catalog catalog, BatchLog log, DuckDbWarehouse warehouse, EmbeddedWarehouses warehouses,
                       DestinationRegistry destinations, Loader loader, HttpApi http) {
        this.config = config;
        this.catalog = catalog;
        this.log = log;
        this.warehouse = warehouse;
        this.warehouses = warehouses;
        this.destinations = destinations;
        this.loader = loader;
        this.http = http;
    }

    public static BobbinNode start(BobbinConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        Clock clock = Clock.systemUTC();
        Catalog catalog = config.shared().catalogUrl().isPresent()
                ? PostgresCatalog.open(config.shared().catalogUrl().get(), clock)
                : SqliteCatalog.open(config.catalogFile(), clock);
        LOG.info("catalog: {}", config.shared().describeCatalog());
        BatchLog log = config.shared().sharedLog()
                ? KafkaBatchLog.open(kafkaSettings(config), clock)
                : SqliteBatchLog.open(config.catalogFile(), clock, config.logMaxBytes(), config.logRetention());
        LOG.info("batch log: {}", config.shared().kafkaServers().map(s -> "Kafka at " + s + ", topic " + config.shared().kafkaTopic()
                + ", group " + config.shared().kafkaGroup()).orElse("the embedded SQLite file"));
        bootstrap(config, catalog);
        EmbeddedWarehouses warehouses = new EmbeddedWarehouses(config.dataDir(), catalog);
        DuckDbWarehouse warehouse = warehouses.forAccount(EmbeddedWarehouses.firstAccount(catalog).orElseThrow());
        DestinationRegistry destinations = new DestinationRegistry(warehouses, config.shared().sharedLog());
        Loader loader = new Loader(log, catalog, destinations, config.loadInterval(), clock);
        loader.start();
        String adminToken = Tokens.newConnectToken();
        PrivateFiles.write(BobbinConfig.adminTokenFile(config.dataDir()), adminToken);
        ImportApi imports = new ImportApi(catalog, log, config.limits(), clock, version(), config.revision().orElse(null), loader::isFailing,
                config.loadOnAppend() ? loader::wake : () -> { });
        ConnectApi connect = new ConnectApi(catalog);
        DestinationsApi destinationsApi = new DestinationsApi(catalog, destinations);
        JobsApi jobs = new JobsApi(catalog);
        AdminApi admin = new AdminApi(warehouses::forAccount, EmbeddedWarehouses.firstAccount(catalog).orElseThrow(), adminToken);
        HttpApi http = HttpApi.start(config.host(), config.port(), version(),
                List.of(imports::routes, connect::routes, destinationsApi::routes, jobs::routes, admin::routes));
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("port", http.port());
        server.put("pid", ProcessHandle.current().pid());
        PrivateFiles.write(BobbinConfig.serverFile(config.dataDir()), Json.write(server));
        LOG.info("Bobbin {} listening on {}:{} with data in {}", version(), config.host(), http.port(), config.dataDir());
        return new BobbinNode(config, catalog, log, warehouse, warehouses, destinations, loader, http);
    }

    /** The Kafka log's settings: the brokers from {@code --log}, the rest from {@code BOBBIN_KAFKA_*} and the import limits. */
    static KafkaLogSettings kafkaSettings(BobbinConfig config) {
        SharedServices shared = config.shared();
        return KafkaLogSettings.parse(shared.log().orElseThrow())
                .withTopic(shared.kafkaTopic())
                .withPartitions(shared.kafkaPartitions())
                .withGroupId(shared.kafkaGroup())
                .withSessionTimeout(shared.kafkaSessionTimeout())
                .withRetention(config.logRetention())
                .withMaxBatchBytes(config.limits().maxInflatedBytes());
    }

    /**
     * On first start, creates the bootstrap account and its Connect API token (never logged). Safe when
     * several nodes start together on one shared catalog: only the node that creates the account
     * writes the token file, and adding the same {@code BOBBIN_CONNECT_TOKEN} twice is a no-op.
     */
    private static void bootstrap(BobbinConfig config, Catalog catalog) throws IOException {
        Optional<Account> created = catalog.createAccountIfNone("default");
        if (created.isPresent()) {
            Account account = created.get();
            String token = config.connectToken().orElseGet(Tokens::newConnectToken);
            catalog.addConnectToken(account.clientId(), token);
            if (config.connectToken().isEmpty()) {
                PrivateFiles.write(config.connectTokenFile(), token + "\n");
                LOG.info("created account {}; its Connect API token is in {}", account.clientId(), config.connectTokenFile());
            } else {
                LOG.info("created account {} with the Connect API token from BOBBIN_CONNECT_TOKEN", account.clientId());
            }
        } else if (config.connectToken().isPresent() && catalog.accountForConnectToken(config.connectToken().get()).isEmpty()) {
            Account first = catalog.accounts().get(0);
            catalog.addConnectToken(first.clientId(), config.connectToken().get());
            LOG.info("added the Connect API token from BOBBIN_CONNECT_TOKEN to account {}", first.clientId());
        }
    }

    static String version() {
        String v = BobbinNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public int port() {
        return http.port();
    }

    public BobbinConfig config() {
        return config;
    }

    public Catalog catalog() {
        return catalog;
    }

    public BatchLog log() {
        return log;
    }

    /** The first account's embedded warehouse. */
    public DuckDbWarehouse warehouse() {
        return warehouse;
    }

    /** An account's embedded warehouse. */
    public DuckDbWarehouse warehouse(long clientId) {
        return warehouses.forAccount(clientId);
    }

    public Loader loader() {
        return loader;
    }

    @Override
    public void close() {
        http.close();
        loader.close();
        log.close();
        destinations.close();
        warehouses.close();
        catalog.close();
        try {
            Files.deleteIfExists(BobbinConfig.serverFile(config.dataDir()));
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", BobbinConfig.serverFile(config.dataDir()), e.getMessage());
        }
        LOG.info("Bobbin stopped");
    }
}
