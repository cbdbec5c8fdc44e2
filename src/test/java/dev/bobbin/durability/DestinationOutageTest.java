package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.loading.Loader;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL destination that goes away for over 30 seconds in the middle of a load: its server
 * is stopped (a separate embedded PostgreSQL, not the shared {@link TestPostgres} one) and started
 * again on the same data directory and port; halfway through, Bobbin itself restarts and finds its
 * destination down. Meanwhile intake goes on: every push is accepted (201, and 202 once the first
 * load has failed: DECISIONS I1), {@code GET /v4/{client}/loads} shows the error, the loader backs
 * off instead of hammering the server, and once PostgreSQL is back the loads resume by themselves:
 * every accepted record is loaded, once.
 */
final class DestinationOutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(35);
    private static final String EVENTS_SCHEMA = "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"phase\": {\"type\": \"string\"}}}";
    private static final String ORDERS_SCHEMA = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"n\": {\"type\": \"integer\"}}}";

    @TempDir
    Path dir;
    private EmbeddedPostgres postgres;
    private RunningBobbin bobbin;
    private final ListAppender<ILoggingEvent> loaderLog = new ListAppender<>();

    /** One accepted or refused push: what was sent and what came back. */
    private record Push(int n, String phase, long sentAtMillis, int status) {
    }

    @AfterEach
    void stop() throws IOException {
        ((Logger) LoggerFactory.getLogger(Loader.class)).detachAppender(loaderLog);
        if (bobbin != null) {
            bobbin.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void intakeGoesOnWhilePostgresIsDownAndLoadsResumeWhenItIsBack() throws Exception {
        Path pgData = dir.resolve("pg");
        postgres = startPostgres(pgData, 0);
        int port = postgres.getPort();
        try (Connection admin = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres")); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE outage");
        }
        PostgresConnection destination = new PostgresConnection("127.0.0.1", port, "outage", "postgres", "", false);

        bobbin = RunningBobbin.withImportSource(dir.resolve("data"), RunningBobbin.FAST_LOADING);
        Api api = new Api("http://127.0.0.1:" + bobbin.node().port(), bobbin.connectToken());
        api.usePostgres(destination);
        long clientId = bobbin.node().catalog().accounts().get(0).clientId();
        Logger logger = (Logger) LoggerFactory.getLogger(Loader.class);
        loaderLog.start();
        logger.addAppender(loaderLog);

        List<Push> pushes = new CopyOnWriteArrayList<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicBoolean paused = new AtomicBoolean();
        String[] phase = {"before"};
        Thread pusher = Thread.ofPlatform().name("pusher").start(() -> {
            for (int n = 0; pushing.get(); n++) {
                while (paused.get()) {
                    sleep(10);
                }
                String p = phase[0];
                long at = System.currentTimeMillis();
                HttpReply reply = n % 2 == 0
                        ? bobbin.postBatch(BatchBody.table("events", EVENTS_SCHEMA).upsert(n, "{\"n\": " + n + ", \"phase\": \"" + p + "\"}"))
                        : bobbin.postBatch(BatchBody.table("orders", ORDERS_SCHEMA).keyNames("id").upsert(n, "{\"id\": " + (n % 7) + ", \"n\": " + n + "}"));
                pushes.add(new Push(n, p, at, reply.status()));
                sleep(100);
            }
        });

        Deadline.await("a first load into PostgreSQL", () -> pushes.size() > 10 && bobbin.pendingBatches() == 0);

        // The outage: the PostgreSQL server stops while batches keep coming and the loader keeps trying.
        phase[0] = "outage";
        long outageStart = System.currentTimeMillis();
        postgres.close();
        postgres = null;
        long[] firstErrorSeen = {0};
        Deadline.await("the failed load in GET /v4/{client}/loads", OUTAGE, () -> {
            if (hasErrorState(api.loads(clientId))) {
                firstErrorSeen[0] = System.currentTimeMillis();
                return true;
            }
            return false;
        });
        // Then Bobbin itself restarts: the new node finds its destination down from the start.
        Thread.sleep(1_000);
        paused.set(true);
        Thread.sleep(150);
        bobbin.restart(RunningBobbin.FAST_LOADING);
        int attemptsBeforeRestart = loadFailures();
        Api restarted = new Api("http://127.0.0.1:" + bobbin.node().port(), bobbin.connectToken());
        phase[0] = "outage, restarted";
        paused.set(false);
        Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.currentTimeMillis() - outageStart)));
        assertThat(bobbin.pendingBatches()).as("batches waiting in the log during the outage").isPositive();
        assertThat(hasErrorState(restarted.loads(clientId))).as("the loads still show the error at the end of the outage").isTrue();
        int attemptsDuringOutage = loadFailures();

        // PostgreSQL is back, on the same port with the same data.
        postgres = startPostgres(pgData, port);
        phase[0] = "after";
        long back = System.currentTimeMillis();
        Deadline.await("loads to resume after the outage", Duration.ofSeconds(60),
                () -> bobbin.pendingBatches() == 0 && !hasErrorState(restarted.loads(clientId)));
        long resumedAfter = System.currentTimeMillis() - back;
        int answered = pushes.size();
        Deadline.await("a 201 again after the outage", () -> pushes.size() > answered && pushes.get(pushes.size() - 1).status() == 201);
        pushing.set(false);
        pusher.join();
        bobbin.awaitLoaded();

        // Intake: never refused; 202 for every push once the failure is known, until loads resume.
        assertThat(pushes).extracting(Push::status).as("every push is accepted").allMatch(s -> s == 201 || s == 202);
        List<Push> outagePushes = pushes.stream().filter(p -> p.phase().startsWith("outage")).toList();
        assertThat(outagePushes.size()).as("pushes during the outage").isGreaterThan(100);
        assertThat(outagePushes.stream().filter(p -> p.phase().equals("outage") && p.sentAtMillis() > firstErrorSeen[0])
                .map(Push::status).distinct().toList())
                .as("answers during the outage once the failure is known").containsExactly(202);
        // the restarted node learns of the failure at its first load: 201s until then, then only 202s
        List<Integer> afterRestart = outagePushes.stream().filter(p -> p.phase().equals("outage, restarted")).map(Push::status).toList();
        assertThat(afterRestart).as("answers of the restarted node during the outage").contains(202);
        assertThat(afterRestart.subList(afterRestart.indexOf(202), afterRestart.size())).as("once 202, the restarted node stays at 202")
                .containsOnly(202);
        // The loader keeps trying (its backoff is capped at 30 s) but backs off: one attempt per load
        // interval (50 ms) would be hundreds over the outage.
        assertThat(attemptsDuringOutage).as("load attempts while PostgreSQL was down").isBetween(2, 20);
        assertThat(attemptsDuringOutage - attemptsBeforeRestart).as("load attempts of the restarted node while PostgreSQL was down")
                .isBetween(1, 14);
        assertThat(resumedAfter).as("ms from PostgreSQL's return to the loads' resumption (backoff is capped at 30 s)").isLessThan(40_000);

        // Zero loss, zero duplicates.
        try (Connection db = TestPostgres.connect(destination)) {
            List<Long> events = new ArrayList<>();
            for (List<Object> row : Workload.rows(db, "SELECT n FROM import_api.events ORDER BY n")) {
                events.add((Long) row.get(0));
            }
            List<Long> expectedEvents = pushes.stream().filter(p -> p.n() % 2 == 0).map(p -> (long) p.n()).sorted().toList();
            assertThat(events).as("every accepted event, once").containsExactlyElementsOf(expectedEvents);

            Map<Long, Long> expectedOrders = new TreeMap<>();
            pushes.stream().filter(p -> p.n() % 2 == 1).forEach(p -> expectedOrders.merge((long) (p.n() % 7), (long) p.n(), Math::max));
            Map<Long, Long> orders = new TreeMap<>();
            for (List<Object> row : Workload.rows(db, "SELECT id, n FROM import_api.orders")) {
                assertThat(orders.put((Long) row.get(0), (Long) row.get(1))).as("order %s once", row.get(0)).isNull();
            }
            assertThat(orders).as("each order holds its latest version").isEqualTo(expectedOrders);
            assertThat(Workload.rows(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = '_sdc_rejected'"))
                    .as("nothing rejected").containsExactly(List.of(0L));
            new LogFile(bobbin.dataDir()).assertLedgerMatches(db);
        }
        System.out.printf("DestinationOutageTest: %d pushes (%d during the outage), failure visible after %d ms,"
                        + " %d load attempts during the %d s outage (%d after the restart), loads resumed %d ms after PostgreSQL came back%n",
                pushes.size(), outagePushes.size(), firstErrorSeen[0] - outageStart, attemptsDuringOutage, OUTAGE.toSeconds(),
                attemptsDuringOutage - attemptsBeforeRestart, resumedAfter);
    }

    private int loadFailures() {
        return (int) loaderLog.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .filter(e -> e.getFormattedMessage().startsWith("loading ") || e.getFormattedMessage().startsWith("destination "))
                .count();
    }

    private static boolean hasErrorState(JsonNode loads) {
        for (JsonNode load : loads.path("data")) {
            if (!load.path("error_state").isNull() && !load.path("error_state").isMissingNode()) {
                return true;
            }
        }
        return false;
    }

    private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setPGStartupWait(Duration.ofSeconds(60));
        if (port != 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
