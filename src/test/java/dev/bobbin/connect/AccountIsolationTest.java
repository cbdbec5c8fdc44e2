package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.cli.Cli;
import dev.bobbin.destination.duckdb.QueryResult;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two accounts on one node (DECISIONS C5): every Connect API endpoint treats the other account's
 * objects exactly as ids that do not exist, lists show only the caller's own objects, and an Import
 * API token writes only into its own account's warehouse, even when both accounts have a source with
 * the same schema name.
 */
final class AccountIsolationTest {
    /** Ids no object has: client ids are 6-digit numbers, the others count up from 1 in a fresh catalog. */
    private static final Ids UNUSED = new Ids(4242, 987654321, 987654322, 987654323);

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private Account a;
    private Account b;

    /** An account as its user sees it: its Connect token, its client id, and the ids of its objects. */
    private record Account(String connectToken, String importToken, Ids ids) {
    }

    private record Ids(long client, long source, long token, long destination) {
    }

    /** One Connect API request, made with some account's token against some ids. */
    private record Endpoint(String name, Function<Ids, String> path, String method, String body) {
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET source", ids -> "/v4/sources/" + ids.source(), "GET", null),
            new Endpoint("PUT source display_name", ids -> "/v4/sources/" + ids.source(), "PUT", "{\"display_name\":\"Hijacked\"}"),
            new Endpoint("PUT source paused_at", ids -> "/v4/sources/" + ids.source(), "PUT", "{\"paused_at\":\"2019-06-01T00:00:00Z\"}"),
            new Endpoint("PUT source properties", ids -> "/v4/sources/" + ids.source(), "PUT", "{\"properties\":{\"a\":\"b\"}}"),
            new Endpoint("DELETE source", ids -> "/v4/sources/" + ids.source(), "DELETE", null),
            new Endpoint("POST token", ids -> "/v4/sources/" + ids.source() + "/tokens", "POST", null),
            new Endpoint("GET tokens", ids -> "/v4/sources/" + ids.source() + "/tokens", "GET", null),
            new Endpoint("DELETE token", ids -> "/v4/sources/" + ids.source() + "/tokens/" + ids.token(), "DELETE", null),
            new Endpoint("GET destination", ids -> "/v4/destinations/" + ids.destination(), "GET", null),
            new Endpoint("PUT destination", ids -> "/v4/destinations/" + ids.destination(), "PUT", "{\"properties\":{}}"),
            new Endpoint("DELETE destination", ids -> "/v4/destinations/" + ids.destination(), "DELETE", null),
            new Endpoint("GET destinations by id", ids -> "/v4/destinations?destination_id=" + ids.destination(), "GET", null),
            new Endpoint("GET loads", ids -> "/v4/" + ids.client() + "/loads", "GET", null),
            new Endpoint("GET loads page 2", ids -> "/v4/" + ids.client() + "/loads?page=2", "GET", null),
            new Endpoint("GET extractions", ids -> "/v4/" + ids.client() + "/extractions", "GET", null));

    @BeforeEach
    void twoAccountsWithASourceNamedImportApiEach() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);
        a = account(bobbin.connectToken(), bobbin.node().catalog().accounts().get(0).clientId());
        Cli.CreatedAccount created = Cli.createAccount(dataDir, "b");
        b = account(created.connectToken(), created.clientId());
        assertThat(b.ids().client()).isNotEqualTo(a.ids().client());
        for (Account account : List.of(a, b)) {
            assertThat(List.of(account.ids().client(), account.ids().source(), account.ids().token(), account.ids().destination()))
                    .doesNotContainAnyElementsOf(List.of(UNUSED.client(), UNUSED.source(), UNUSED.token(), UNUSED.destination()));
        }
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void everyConnectEndpointAnswersAnotherAccountsIdsExactlyAsIdsThatDoNotExist() {
        JsonNode sourceOfA = get(a, "/v4/sources/" + a.ids().source()).json();
        JsonNode destinationsOfA = get(a, "/v4/destinations").json();

        for (Account[] pair : List.of(new Account[] {b, a}, new Account[] {a, b})) {
            Account caller = pair[0];
            Account owner = pair[1];
            for (Endpoint endpoint : ENDPOINTS) {
                HttpReply others = send(caller, endpoint, owner.ids());
                HttpReply unused = send(caller, endpoint, UNUSED);
                String what = endpoint.name() + " by " + caller.ids().client() + " on the ids of " + owner.ids().client();

                assertThat(others.status()).as(what + ": " + others).isEqualTo(unused.status());
                if (!endpoint.name().equals("GET destinations by id")) {
                    assertThat(others.status()).as(what + ": " + others).isBetween(400, 499);
                }
                assertThat(others.mediaType()).as(what).isEqualTo(unused.mediaType());
                assertThat(others.body()).as(what).isEqualTo(withIds(unused.body(), owner.ids()));
            }
            // a token id of the other account, through the caller's own source
            Endpoint revoke = ENDPOINTS.stream().filter(e -> e.name().equals("DELETE token")).findFirst().orElseThrow();
            Ids ownSourceOthersToken = new Ids(caller.ids().client(), caller.ids().source(), owner.ids().token(), 0);
            Ids ownSourceUnusedToken = new Ids(caller.ids().client(), caller.ids().source(), UNUSED.token(), 0);
            HttpReply others = send(caller, revoke, ownSourceOthersToken);
            HttpReply unused = send(caller, revoke, ownSourceUnusedToken);
            assertThat(others.status()).as(others.toString()).isEqualTo(unused.status()).isEqualTo(404);
            assertThat(others.body()).isEqualTo(unused.body().replace(String.valueOf(UNUSED.token()), String.valueOf(owner.ids().token())));
        }

        // nothing of either account changed, and both tokens still work
        assertThat(get(a, "/v4/sources/" + a.ids().source()).json()).isEqualTo(sourceOfA);
        assertThat(get(a, "/v4/destinations").json()).isEqualTo(destinationsOfA);
        for (Account account : List.of(a, b)) {
            assertThat(get(account, "/v4/sources/" + account.ids().source() + "/tokens").json()).hasSize(1);
            assertThat(get(account, "/v4/sources/" + account.ids().source()).json().get("paused_at").isNull()).isTrue();
            assertThat(push(account, BatchBody.customers().upsert(1, "{\"id\":1}")).status()).isEqualTo(201);
        }
    }

    @Test
    void listsShowOnlyTheCallersOwnObjects() {
        assertThat(push(a, BatchBody.table("orders_of_a", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id")
                .upsert(1, "{\"id\":1}")).status()).isEqualTo(201);
        assertThat(push(b, BatchBody.table("orders_of_b", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id")
                .upsert(1, "{\"id\":1}")).status()).isEqualTo(201);
        bobbin.loadNow();

        for (Account account : List.of(a, b)) {
            String suffix = account == a ? "a" : "b";
            JsonNode sources = get(account, "/v4/sources").json();
            assertThat(sources).hasSize(1);
            assertThat(sources.get(0).get("id").asLong()).isEqualTo(account.ids().source());
            assertThat(sources.get(0).get("name").asText()).isEqualTo("import_api");
            assertThat(sources.get(0).get("stitch_client_id").asLong()).isEqualTo(account.ids().client());

            JsonNode destinations = get(account, "/v4/destinations").json();
            assertThat(destinations).hasSize(1);
            assertThat(destinations.get(0).get("id").asLong()).isEqualTo(account.ids().destination());
            assertThat(destinations.get(0).get("stitch_client_id").asLong()).isEqualTo(account.ids().client());

            JsonNode tokens = get(account, "/v4/sources/" + account.ids().source() + "/tokens").json();
            assertThat(tokens).hasSize(1);
            assertThat(tokens.get(0).get("token_id").asLong()).isEqualTo(account.ids().token());

            JsonNode loads = get(account, "/v4/" + account.ids().client() + "/loads").json();
            assertThat(loads.get("total").asInt()).isEqualTo(1);
            assertThat(loads.get("data").get(0).get("stream_name").asText()).isEqualTo("orders_of_" + suffix);
            assertThat(loads.get("data").get(0).get("stitch_client_id").asLong()).isEqualTo(account.ids().client());
        }
    }

    @Test
    void anImportTokenWritesOnlyIntoItsOwnAccountsWarehouse() throws SQLException {
        assertThat(push(a, BatchBody.table("only_in_a", "{\"properties\":{\"id\":{\"type\":\"integer\"}}}").keyNames("id")
                .upsert(1, "{\"id\":1}")).status()).isEqualTo(201);
        HttpReply pushed = bobbin.post("/v2/import/push", "[{\"client_id\":" + b.ids().client() + ",\"table_name\":\"only_in_b\","
                        + "\"sequence\":1,\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":2}}]",
                "Authorization", "Bearer " + b.importToken(), "Content-Type", "application/json");
        assertThat(pushed.status()).as(pushed.toString()).isEqualTo(201);
        bobbin.loadNow();

        assertThat(tables(a)).containsExactly("only_in_a");
        assertThat(tables(b)).containsExactly("only_in_b");
        assertThat(bobbin.node().warehouse(a.ids().client()).query("SELECT id FROM import_api.only_in_a").rows())
                .containsExactly(List.of("1"));
        assertThat(bobbin.node().warehouse(b.ids().client()).query("SELECT id FROM import_api.only_in_b").rows())
                .containsExactly(List.of("2"));
    }

    @Test
    void aPushWithOneAccountsTokenAndTheOtherAccountsClientIdIs403() {
        String forbidden = """
                {"status": "ERROR", "error": "Forbidden", "errors": {"error": "Access token is not associated with this client."}}""";
        String records = "[{\"client_id\":" + b.ids().client() + ",\"table_name\":\"sneaky\",\"sequence\":1,"
                + "\"action\":\"upsert\",\"key_names\":[\"id\"],\"data\":{\"id\":1}}]";

        for (String path : List.of("/v2/import/push", "/v2/import/validate")) {
            HttpReply reply = bobbin.post(path, records, "Authorization", "Bearer " + a.importToken(), "Content-Type", "application/json");
            assertThat(reply.status()).as(path + ": " + reply).isEqualTo(403);
            assertThat(reply.json()).isEqualTo(JsonText.parse(forbidden));
        }
        assertThat(bobbin.pendingBatches()).isZero();
        bobbin.loadNow();
        assertThat(tables(a)).isEmpty();
        assertThat(tables(b)).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Creates the account's source "Import API" and one token, and reads back the ids of its objects. */
    private Account account(String connectToken, long clientId) {
        Account bare = new Account(connectToken, null, null);
        HttpReply source = send(bare, "POST", "/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}");
        assertThat(source.status()).as(source.toString()).isEqualTo(200);
        long sourceId = source.json().get("id").asLong();
        HttpReply token = send(bare, "POST", "/v4/sources/" + sourceId + "/tokens", null);
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        String importToken = token.json().get("access_token").asText();
        long tokenId = token.json().get("id").asLong();
        JsonNode destinations = send(bare, "GET", "/v4/destinations", null).json();
        assertThat(destinations).hasSize(1);
        return new Account(connectToken, importToken, new Ids(clientId, sourceId, tokenId, destinations.get(0).get("id").asLong()));
    }

    private static String withIds(String body, Ids ids) {
        return body.replace(String.valueOf(UNUSED.source()), String.valueOf(ids.source()))
                .replace(String.valueOf(UNUSED.token()), String.valueOf(ids.token()))
                .replace(String.valueOf(UNUSED.destination()), String.valueOf(ids.destination()))
                .replace(String.valueOf(UNUSED.client()), String.valueOf(ids.client()));
    }

    private HttpReply send(Account caller, Endpoint endpoint, Ids ids) {
        return send(caller, endpoint.method(), endpoint.path().apply(ids), endpoint.body());
    }

    private HttpReply send(Account caller, String method, String path, String body) {
        String[] headers = {"Authorization", "Bearer " + caller.connectToken(), "Content-Type", "application/json", "Accept", "application/json"};
        return switch (method) {
            case "GET" -> bobbin.get(path, headers);
            case "POST" -> bobbin.post(path, body, headers);
            case "PUT" -> bobbin.put(path, body, headers);
            case "DELETE" -> bobbin.delete(path, headers);
            default -> throw new IllegalArgumentException(method);
        };
    }

    private HttpReply get(Account caller, String path) {
        HttpReply reply = send(caller, "GET", path, null);
        assertThat(reply.status()).as(path + ": " + reply).isEqualTo(200);
        return reply;
    }

    private HttpReply push(Account account, BatchBody body) {
        return bobbin.post("/v2/import/batch", body.json(), "Authorization", "Bearer " + account.importToken(), "Content-Type", "application/json");
    }

    /** The tables in schema {@code import_api} of the account's own warehouse. */
    private List<String> tables(Account account) {
        try {
            QueryResult result = bobbin.node().warehouse(account.ids().client()).query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'import_api' ORDER BY table_name");
            List<String> names = new ArrayList<>();
            result.rows().forEach(r -> names.add(r.get(0)));
            return names;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
