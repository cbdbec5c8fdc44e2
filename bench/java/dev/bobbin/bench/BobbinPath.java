package dev.bobbin.bench;

import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.catalog.NameTakenException;
import dev.bobbin.catalog.DestinationLimitException;
import dev.bobbin.catalog.Source;
import dev.bobbin.catalog.SqliteCatalog;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.destination.postgres.PostgresDestination;
import dev.bobbin.loading.Loader;
import dev.bobbin.log.LogUnavailableException;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import dev.bobbin.log.SqliteBatchLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Bobbin's real path for one scenario, on a fresh data directory: the SQLite catalog with an account
 * whose destination is the benchmark's PostgreSQL, an Import API source (its name is the schema), the
 * SQLite batch log, and the {@link Loader}, run with {@link Loader#runOnce()} instead of its timer.
 *
 * <p>Batches are appended as {@code ImportApi.batch} appends them after validation: one
 * {@link NewBatch} of {@link PayloadFormat#BATCH_JSON} per request, the body as received, and the
 * table's key names fixed in the catalog. The destination is opened before anything is measured,
 * as the node's registry keeps it open between loads.
 */
final class BobbinPath implements AutoCloseable {
    private final Path dir;
    private final SqliteCatalog catalog;
    private final SqliteBatchLog log;
    private final PostgresDestination destination;
    private final Loader loader;
    private final long clientId;
    private final long sourceId;
    private final List<Instant> receivedAt = new ArrayList<>();

    private BobbinPath(Path dir, SqliteCatalog catalog, SqliteBatchLog log, PostgresDestination destination, Loader loader, long clientId,
                       long sourceId) {
        this.dir = dir;
        this.catalog = catalog;
        this.log = log;
        this.destination = destination;
        this.loader = loader;
        this.clientId = clientId;
        this.sourceId = sourceId;
    }

    static BobbinPath open(Path dir, PostgresConnection where, String schema, List<String> keyNames) throws IOException {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Clock clock = Clock.systemUTC();
        Path file = dir.resolve("catalog.db");
        SqliteCatalog catalog = SqliteCatalog.open(file, clock);
        SqliteBatchLog log = SqliteBatchLog.open(file, clock, Long.MAX_VALUE, java.time.Duration.ofDays(7));
        Account account = catalog.createAccount("bench");
        catalog.destination(account.clientId()).ifPresent(d -> catalog.deleteDestination(account.clientId(), d.id()));
        Source source;
        try {
            catalog.createDestination(account.clientId(), DestinationConfig.POSTGRES, Optional.of("bench"), Optional.empty(), Map.of(
                    "host", where.host(), "port", Integer.toString(where.port()), "database", where.database(),
                    "username", where.username(), "password", where.password(), "ssl", Boolean.toString(where.ssl())));
            source = catalog.createSource(account.clientId(), "import_api", schema, schema);
        } catch (DestinationLimitException | NameTakenException e) {
            throw new IllegalStateException(e);
        }
        catalog.fixKeyNames(source.id(), Customers.TABLE, keyNames);
        PostgresDestination destination = PostgresDestination.open(where);
        Loader loader = new Loader(log, catalog, config -> Optional.<Destination>of(destination), Duration.ofHours(1), clock);
        return new BobbinPath(dir, catalog, log, destination, loader, account.clientId(), source.id());
    }

    /** Appends each payload as one Import API request would: one durable append (fsync) per batch. */
    void append(List<byte[]> payloads) {
        for (byte[] payload : payloads) {
            Instant now = Instant.now();
            receivedAt.add(now);
            try {
                log.append(List.of(new NewBatch(clientId, sourceId, Customers.TABLE, PayloadFormat.BATCH_JSON, now, payload)));
            } catch (LogUnavailableException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Loads everything pending into PostgreSQL (committed and acknowledged when it returns). */
    void load(int expectedBatches) {
        int loaded = 0;
        int cycle;
        while ((cycle = loader.runOnce()) > 0) { // the log hands out a bounded number of payload bytes per cycle
            loaded += cycle;
        }
        if (loaded != expectedBatches || log.pendingCount() != 0) {
            throw new IllegalStateException("the loader acknowledged " + loaded + " of " + expectedBatches + " batches; "
                    + log.pendingCount() + " still pending (see the log above)");
        }
    }

    /** When each appended batch was received, in append order. */
    List<Instant> receivedAt() {
        return receivedAt;
    }

    @Override
    public void close() throws IOException {
        loader.close();
        log.close();
        destination.close();
        catalog.close();
        deleteRecursively(dir);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
