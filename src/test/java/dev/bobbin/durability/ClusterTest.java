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
 * three nodes in turn; a token revoked, a source paused, unpaused or deleted on one node is seen by
 * the others within a second; a
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

        String rotated = sourceChangesReachEveryNodeWithinASecond(apis);
        // the account still has its embedded destination, which a shared log cannot load into: the batch waits
        Deadline.await("the Loads API to say why the batch waits", Duration.ofSeconds(30), () -> {
            JsonNode loads = apis.get(0).loads(a.clientId()).get("data");
            return loads.size() == 1 && loads.get(0).get("error_state").toString().contains("embedded duckdb destination");
        });
        apis.get(2).usePostgres(warehouse);
        for (Api api : apis) {
            JsonNode sources = json(api.send("GET", "/v4/sources", CONNECT_TOKEN, null));
            assertThat(sources).as("every node sees the one account's sources, the deleted one too").hasSize(3);
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
     * Changes made through one node reach the others within a second: a token issued on node 0 is
     * used on node 1 and revoked on node 2, then refused by nodes 0 and 1; a second token's source is
     * paused on node 1 (nodes 0 and 2 refuse), unpaused on node 2 (node 0 accepts) and deleted on
     * node 0 (nodes 1 and 2 refuse). Returns the source's schema, which holds one record (id 1).
     */
    private static String sourceChangesReachEveryNodeWithinASecond(List<Api> apis) {
        JsonNode source = json(apis.get(0).send("POST", "/v4/sources", CONNECT_TOKEN, "{\"type\":\"import_api\",\"display_name\":\"Rotated\"}"));
        long sourceId = source.get("id").asLong();
        String path = "/v4/sources/" + sourceId;
        JsonNode token = json(apis.get(0).send("POST", path + "/tokens", CONNECT_TOKEN, null));
        String body = "[{\"client_id\": " + source.get("stitch_client_id").asLong() + ", \"table_name\": \"t\", \"sequence\": 1,"
                + " \"action\": \"upsert\", \"key_names\": [\"id\"], \"data\": {\"id\": 1}}]";
        String value = token.get("access_token").asText();
        assertThat(apis.get(1).push(value, body).status()).as("the new token works on another node").isIn(201, 202);

        json(apis.get(2).send("DELETE", path + "/tokens/" + token.get("id").asLong(), CONNECT_TOKEN, null));
        seenWithinASecond(apis, List.of(0, 1), value, body, 401, "the revoked token is refused");

        String second = json(apis.get(0).send("POST", path + "/tokens", CONNECT_TOKEN, null)).get("access_token").asText();
        json(apis.get(1).send("PUT", path, CONNECT_TOKEN, "{\"paused_at\": \"2026-01-01T00:00:00Z\"}"));
        seenWithinASecond(apis, List.of(0, 2), second, body, 401, "the paused source refuses pushes");
        json(apis.get(2).send("PUT", path, CONNECT_TOKEN, "{\"paused_at\": null}"));
        seenWithinASecond(apis, List.of(0), second, body, 201, "the unpaused source accepts pushes again");
        json(apis.get(0).send("DELETE", path, CONNECT_TOKEN, null));
        seenWithinASecond(apis, List.of(1, 2), second, body, 401, "the deleted source refuses pushes");
        return source.get("name").asText();
    }

    /** Pushes to each node until it answers {@code status} (202 counts as 201), failing after one second from the first try. */
    private static void seenWithinASecond(List<Api> apis, List<Integer> nodes, String token, String body, int status, String what) {
        long since = System.nanoTime();
        for (int node : nodes) {
            int got;
            do {
                got = apis.get(node).push(token, body).status();
                got = got == 202 ? 201 : got;
            } while (got != status && System.nanoTime() - since < Duration.ofSeconds(1).toNanos());
            assertThat(got).as("node %d: %s within a second", node, what).isEqualTo(status);
        }
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
