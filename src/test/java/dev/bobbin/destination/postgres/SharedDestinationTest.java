package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.DestinationException;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRef;
import dev.bobbin.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several Bobbin nodes on one PostgreSQL destination (each node has its own connection pool, as here
 * each {@link PostgresDestination} instance): loads of one table never overlap, and objects that
 * concurrent loads create for the first time are created once, without a failed load.
 */
class SharedDestinationTest {
    private static final TableRef EVENTS = new TableRef("shared", "events");
    private static final List<Column> COLUMNS = List.of(new Column("n", ColumnType.BIGINT), new Column("_sdc_sequence", ColumnType.BIGINT));

    @Test
    void aSecondNodeWaitsForTheTableAndThenSeesTheFirstNodesLedger() throws Exception {
        PostgresConnection db = TestPostgres.newDatabase();
        try (PostgresDestination nodeA = PostgresDestination.open(db);
             PostgresDestination nodeB = PostgresDestination.open(db)) {
            ExecutorService threads = Executors.newFixedThreadPool(2);
            CountDownLatch aClaimed = new CountDownLatch(1);
            CountDownLatch releaseA = new CountDownLatch(1);
            AtomicLong aCommittedAt = new AtomicLong();
            Future<?> a = threads.submit(() -> load(nodeA, tx -> {
                tx.claim(EVENTS);
                assertThat(tx.loadedBatchKeys(List.of("batch-1"))).isEmpty();
                tx.apply(new TableChange(EVENTS, true, List.of(), COLUMNS, List.of(), Optional.empty()));
                tx.recordLoaded(List.of("batch-1"));
                aClaimed.countDown();
                await(releaseA);
                aCommittedAt.set(System.nanoTime());
                return null;
            }));
            assertThat(aClaimed.await(30, TimeUnit.SECONDS)).isTrue();
            AtomicLong bClaimedAt = new AtomicLong();
            Future<Set<String>> b = threads.submit(() -> load(nodeB, tx -> {
                tx.claim(EVENTS);
                bClaimedAt.set(System.nanoTime());
                return tx.loadedBatchKeys(List.of("batch-1"));
            }));
            Thread.sleep(300);
            assertThat(b.isDone()).as("node B must wait while node A loads the table").isFalse();
            releaseA.countDown();
            a.get(30, TimeUnit.SECONDS);
            assertThat(b.get(30, TimeUnit.SECONDS)).as("node B sees node A's ledger entry once it has the table").containsExactly("batch-1");
            assertThat(bClaimedAt.get()).isGreaterThan(aCommittedAt.get());
            threads.shutdown();
        }
    }

    @Test
    void loadsOfOtherTablesDoNotWaitForEachOther() throws Exception {
        PostgresConnection db = TestPostgres.newDatabase();
        try (PostgresDestination nodeA = PostgresDestination.open(db);
             PostgresDestination nodeB = PostgresDestination.open(db)) {
            CountDownLatch aClaimed = new CountDownLatch(1);
            CountDownLatch releaseA = new CountDownLatch(1);
            ExecutorService threads = Executors.newSingleThreadExecutor();
            Future<?> a = threads.submit(() -> load(nodeA, tx -> {
                tx.claim(EVENTS);
                aClaimed.countDown();
                await(releaseA);
                return null;
            }));
            assertThat(aClaimed.await(30, TimeUnit.SECONDS)).isTrue();
            Set<String> loaded = load(nodeB, tx -> {
                tx.claim(new TableRef("shared", "orders"));
                return tx.loadedBatchKeys(List.of("other"));
            });
            assertThat(loaded).isEmpty();
            releaseA.countDown();
            a.get(30, TimeUnit.SECONDS);
            threads.shutdown();
        }
    }

    @Test
    void nodesCreatingTheSameSchemaAndRejectTableAtOnceAllSucceed() throws Exception {
        PostgresConnection db = TestPostgres.newDatabase();
        int nodes = 6;
        List<PostgresDestination> destinations = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            destinations.add(PostgresDestination.open(db));
        }
        ExecutorService threads = Executors.newFixedThreadPool(nodes);
        try {
            CyclicBarrier start = new CyclicBarrier(nodes);
            List<Future<?>> loads = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                PostgresDestination node = destinations.get(i);
                TableRef table = new TableRef("brand_new", "table_" + i);
                loads.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return load(node, tx -> {
                        tx.claim(table);
                        tx.apply(new TableChange(table, true, List.of(), COLUMNS, List.of(), Optional.empty()));
                        tx.reject("brand_new", List.of(new RejectedRecord(Instant.now(), table.table(), "test", "{}")));
                        tx.recordLoaded(List.of("batch-" + table.table()));
                        return null;
                    });
                }));
            }
            for (Future<?> f : loads) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdown();
            destinations.forEach(PostgresDestination::close);
        }
        try (Connection c = TestPostgres.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM brand_new._sdc_rejected")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(nodes);
        }
    }

    @Test
    void nodesOpeningAFreshDatabaseAtOnceAllSucceed() throws Exception {
        PostgresConnection db = TestPostgres.newDatabase();
        int nodes = 6;
        ExecutorService threads = Executors.newFixedThreadPool(nodes);
        try {
            CyclicBarrier start = new CyclicBarrier(nodes);
            List<Future<PostgresDestination>> opened = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                opened.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return PostgresDestination.open(db);
                }));
            }
            for (Future<PostgresDestination> f : opened) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        } finally {
            threads.shutdown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T load(PostgresDestination destination, dev.bobbin.destination.Destination.LoadWork<T> work) throws DestinationException {
        return destination.load(work);
    }
}
