package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BobbinProcess;
import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: three {@code bobbin serve} processes on one Kafka topic, one PostgreSQL catalog and one
 * PostgreSQL destination, started at the same moment on an empty catalog. Clients push through all
 * three nodes in turn; a token revoked on one node is refused by the other two within a second; a
 * node is killed with SIGKILL while the cluster loads (its partitions move to the survivors) and
 * comes back later. Every accepted record must be in the warehouse exactly once, and the
 * destination's ledger must hold every batch of the topic exactly once.
 */
final class ClusterTest {
    private static final String CONNECT_TOKEN = "ac_cluster_test_connect_token_0123456789abcdef0123";
    private static final int NODES = 3;

    @TempDir
    Path dir;
    private final AtomicReferenceArray<BobbinProcess> nodes = new AtomicReferenceArray<>(NODES);

    @AfterEach
    void stopNodes() {
        for (int i = 0; i < NODES; i++) {
            BobbinProcess p = nodes.get(i);
            if (p != null) {
                p.close();
            }
            BobbinProcess.keepLog(log(i), "ClusterTest-node-" + i);
        }
    }

    @Test
    void threeNodesAcceptAndLoadEveryRecordExactlyOnceWhileOneIsKilled() throws Exception {
        SharedServicesForTests shared = SharedServicesForTests.create();
        PostgresConnection warehouse = TestPostgres.newDatabase();
        Map<String, String> env = shared.env(Map.of("BOBBIN_CONNECT_TOKEN", CONNECT_TOKEN, "BOBBIN_LOAD_INTERVAL_MS", "100"));

        // all three at once on an empty catalog: exactly one of them creates the account
        for (int i = 0; i < NODES; i++) {
            nodes.set(i, BobbinProcess.spawn(dataDir(i), log(i), env));
        }
        for (int i = 0; i < NODES; i++) {
            nodes.get(i).awaitReady();
        }
        List<Api> apis = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            apis.add(new Api(nodes.get(i).baseUrl(), CONNECT_TOKEN));
        }
        Workload.Source a = apis.get(0).createSource("Cluster A");
        Workload.Source b = apis.get(1).createSource("Cluster B");

        String rotated = revokedOnOneNodeIsRefusedByTheOthersWithinASecond(apis);
        // the account still has its embedded destination, which a shared log cannot load into: the batch waits
        Deadline.await("the Loads API to say why the batch waits", Duration.ofSeconds(30), () -> {
            JsonNode loads = apis.get(0).loads(a.clientId()).get("data");
            return loads.size() == 1 && loads.get(0).get("error_state").toString().contains("embedded duckdb destination");
        });
        apis.get(2).usePostgres(warehouse);
        for (Api api : apis) {
            JsonNode sources = json(api.send("GET", "/v4/sources", CONNECT_TOKEN, null));
            assertThat(sources).as("every node sees the one account's sources").hasSize(3);
            assertThat(sources.get(0).get("stitch_client_id").asLong()).isEqualTo(a.clientId());
        }

        Workload workload = new Workload(List.of(a, b));
        AtomicInteger turn = new AtomicInteger();
        try (Clients clients = new Clients(workload, () -> nextLiveNode(turn), 0.7, 20261126L)) {
            clients.start(4);
            Thread.sleep(4_000);
            nodes.get(1).kill(); // while the cluster loads: its partitions move to the other two
            Thread.sleep(4_000);
            nodes.set(1, BobbinProcess.start(dataDir(1), log(1), env));
            Thread.sleep(3_000);
            clients.finish(Duration.ofSeconds(60));
            assertThat(clients.attempts().get(Workload.Outcome.ACCEPTED)).as("accepted requests").isGreaterThan(100);

            shared.topic().awaitLoaded(() -> connect(warehouse), Duration.ofSeconds(120));
            Workload.Report report;
            try (Connection db = TestPostgres.connect(warehouse)) {
                report = workload.verify(db);
                shared.topic().assertLedgerMatches(db);
                assertThat(Workload.rows(db, "SELECT id FROM " + rotated + ".t")).as("the batch that waited for a shared destination")
                        .containsExactly(List.of(1L));
            }
            System.out.printf("ClusterTest: %d nodes, one killed and restarted; attempts %s; %s; %d batches%n",
                    NODES, clients.attempts(), report, shared.topic().batchKeys().size());
        }
    }

    /**
     * A second token is issued on node 0, used on node 1, revoked on node 2; nodes 0 and 1 refuse it
     * within a second. Returns the schema of the source it was for, which holds one pushed record.
     */
    private static String revokedOnOneNodeIsRefusedByTheOthersWithinASecond(List<Api> apis) {
        JsonNode source = json(apis.get(0).send("POST", "/v4/sources", CONNECT_TOKEN, "{\"type\":\"import_api\",\"display_name\":\"Rotated\"}"));
        long sourceId = source.get("id").asLong();
        JsonNode token = json(apis.get(0).send("POST", "/v4/sources/" + sourceId + "/tokens", CONNECT_TOKEN, null));
        String body = "[{\"client_id\": " + source.get("stitch_client_id").asLong() + ", \"table_name\": \"t\", \"sequence\": 1,"
                + " \"action\": \"upsert\", \"key_names\": [\"id\"], \"data\": {\"id\": 1}}]";
        String value = token.get("access_token").asText();
        assertThat(apis.get(1).push(value, body).status()).as("the new token works on another node").isIn(201, 202);

        assertThat(apis.get(2).send("DELETE", "/v4/sources/" + sourceId + "/tokens/" + token.get("id").asLong(), CONNECT_TOKEN, null)
                .status()).isEqualTo(200);
        long revokedAt = System.nanoTime();
        for (int node : List.of(0, 1)) {
            HttpReply reply;
            do {
                reply = apis.get(node).push(value, body);
            } while (reply.status() != 401 && System.nanoTime() - revokedAt < Duration.ofSeconds(1).toNanos());
            assertThat(reply.status()).as("node %d refuses the revoked token within a second", node).isEqualTo(401);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
        return source.get("name").asText();
    }

    private String nextLiveNode(AtomicInteger turn) {
        for (int tries = 0; tries < NODES; tries++) {
            BobbinProcess p = nodes.get(Math.floorMod(turn.getAndIncrement(), NODES));
            if (p != null && p.alive() && p.baseUrl() != null) {
                return p.baseUrl();
            }
        }
        return null;
    }

    private static JsonNode json(HttpReply reply) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply.json();
    }

    private static Connection connect(PostgresConnection db) {
        try {
            return TestPostgres.connect(db);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path dataDir(int node) {
        return dir.resolve("node-" + node);
    }

    private Path log(int node) {
        return dir.resolve("node-" + node + ".log");
    }
}
