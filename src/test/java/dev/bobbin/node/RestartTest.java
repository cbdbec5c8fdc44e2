package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.Destination;
import dev.bobbin.loading.Loader;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.ForwardingBatchLog;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accepted means durable, and loaded means loaded once (ARCHITECTURE "Data flow"): batches accepted
 * before a shutdown load after the restart; a batch already committed is never loaded again, even
 * when the log was not acknowledged after the commit.
 *
 * <p>Each case uses a keyed table and a keyless one: a duplicate load would be hidden by the upsert
 * in the first, but shows as an extra row in the second.
 */
final class RestartTest {
    private static final String EVENTS_SCHEMA = "{\"properties\": {\"n\": {\"type\": \"integer\"}}}";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void batchesAcceptedBeforeAShutdownLoadExactlyOnceAfterTheRestart() {
        acceptThreeBatches();
        assertThat(bobbin.pendingBatches()).isEqualTo(4);
        assertThat(bobbin.tables("import_api")).isEmpty();

        bobbin.restart(RunningBobbin.FAST_LOADING);
        bobbin.awaitLoaded();

        assertThreeBatchesLoadedOnce();
    }

    @Test
    void theImportTokenStillWorksAfterARestart() {
        bobbin.restart(RunningBobbin.FAST_LOADING);

        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\"}"));
        bobbin.awaitLoaded();

        assertThat(bobbin.rows("SELECT id, name FROM import_api.customers")).containsExactly(List.of("1", "Finn"));
    }

    @Test
    void runningTheLoaderAgainAfterALoadLoadsNothing() {
        acceptThreeBatches();
        assertThat(bobbin.loadNow()).isEqualTo(4);

        assertThat(bobbin.loadNow()).isZero();
        assertThat(bobbin.pendingBatches()).isZero();
        assertThreeBatchesLoadedOnce();
    }

    @Test
    void aCommittedLoadWhoseBatchesWereNotAcknowledgedIsANoOpWhenReplayed() {
        acceptThreeBatches();
        // A loader whose log loses every acknowledgement: as if the process died right after the
        // destination committed and before the log recorded it.
        loaderThatCrashesBeforeAcknowledging().runOnce();
        assertThat(bobbin.pendingBatches()).as("nothing acknowledged").isEqualTo(4);
        assertThreeBatchesLoadedOnce();

        assertThat(bobbin.loadNow()).as("the replay acknowledges every batch").isEqualTo(4);

        assertThat(bobbin.pendingBatches()).isZero();
        assertThreeBatchesLoadedOnce();
    }

    @Test
    void aCommittedLoadWhoseBatchesWereNotAcknowledgedIsNotLoadedAgainAfterARestart() {
        acceptThreeBatches();
        loaderThatCrashesBeforeAcknowledging().runOnce();
        assertThat(bobbin.pendingBatches()).isEqualTo(4);

        bobbin.restart(RunningBobbin.FAST_LOADING);
        bobbin.awaitLoaded();

        assertThreeBatchesLoadedOnce();
    }

    /** Three batches for a keyed table and one for a keyless table. */
    private void acceptThreeBatches() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\"}").upsert(1, "{\"id\":2,\"name\":\"Jake\"}"));
        bobbin.accept(BatchBody.customers().upsert(2, "{\"id\":3,\"name\":\"Bubblegum\"}"));
        bobbin.accept(BatchBody.customers().upsert(3, "{\"id\":1,\"name\":\"Finn the Human\"}"));
        bobbin.accept(BatchBody.table("events", EVENTS_SCHEMA).upsert(1, "{\"n\":1}").upsert(2, "{\"n\":2}").upsert(3, "{\"n\":3}"));
    }

    private void assertThreeBatchesLoadedOnce() {
        assertThat(bobbin.rows("SELECT id, name, _sdc_sequence FROM import_api.customers ORDER BY id")).containsExactly(
                List.of("1", "Finn the Human", "3"),
                List.of("2", "Jake", "1"),
                List.of("3", "Bubblegum", "2"));
        assertThat(bobbin.rows("SELECT n FROM import_api.events ORDER BY n"))
                .containsExactly(List.of("1"), List.of("2"), List.of("3"));
    }

    private Loader loaderThatCrashesBeforeAcknowledging() {
        BobbinNode node = bobbin.node();
        return new Loader(new AcknowledgementsLost(node.log()), node.catalog(),
                config -> Optional.<Destination>of(node.warehouse()), Duration.ofHours(1), Clock.systemUTC());
    }

    /** The node's real batch log, except that acknowledgements never reach it. */
    private static final class AcknowledgementsLost extends ForwardingBatchLog {
        AcknowledgementsLost(BatchLog log) {
            super(log);
        }

        @Override
        public void acknowledge(Collection<LoggedBatch> batches) {
            // lost: the process "died" between the destination's commit and this call
        }
    }
}
