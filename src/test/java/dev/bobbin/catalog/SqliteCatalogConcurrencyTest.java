package dev.bobbin.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.config.BobbinConfig;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import dev.bobbin.log.SqliteBatchLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog shares its SQLite file with the batch log, which commits for every accepted push. A
 * catalog transaction that reads before it writes (token count, name check) must wait for the write
 * lock, never fail with {@code SQLITE_BUSY}, while the log keeps committing.
 */
final class SqliteCatalogConcurrencyTest {
    @TempDir
    Path dataDir;

    @Test
    void transactionsThatReadBeforeTheyWriteSucceedWhileTheBatchLogCommits() throws Exception {
        Path file = dataDir.resolve("catalog.db");
        try (SqliteCatalog catalog = SqliteCatalog.open(file, Clock.systemUTC());
             SqliteBatchLog log = SqliteBatchLog.open(file, Clock.systemUTC(), BobbinConfig.DEFAULT_LOG_MAX_BYTES, java.time.Duration.ofDays(7))) {
            long clientId = catalog.createAccount("a").clientId();
            long sourceId = catalog.createSource(clientId, "import_api", "import_api", "Import API").id();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger appended = new AtomicInteger();
            CompletableFuture<Void> pushes = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        log.append(List.of(new NewBatch(clientId, sourceId, "t", PayloadFormat.BATCH_JSON, Instant.now(),
                                "{}".getBytes(StandardCharsets.UTF_8))));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    appended.incrementAndGet();
                }
            });
            try {
                while (appended.get() < 10) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < 60; i++) {
                    IssuedToken token = catalog.createImportToken(clientId, sourceId, 2).orElseThrow();
                    assertThat(catalog.revokeImportToken(clientId, sourceId, token.id())).isPresent();
                    catalog.createSource(clientId, "import_api", "source_" + i, "Source " + i);
                }
            } finally {
                stop.set(true);
                pushes.get(30, TimeUnit.SECONDS);
            }
            assertThat(catalog.sources(clientId)).hasSize(61);
            assertThat(appended.get()).isGreaterThan(10);
        }
    }
}
