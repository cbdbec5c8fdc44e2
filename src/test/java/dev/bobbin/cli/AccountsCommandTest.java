package dev.bobbin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bobbin accounts create|list} on the data dir of a running node, and {@code bobbin sql
 * --account} on the new account's own warehouse (DECISIONS C3, C5).
 */
final class AccountsCommandTest {
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
    void createWhileANodeRunsPrintsAClientIdAndATokenThatWorksAtOnce() {
        Cli.CreatedAccount created = Cli.createAccount(dataDir, "second");

        assertThat(created.run().exit()).isZero();
        assertThat(created.connectToken()).matches("ac_[A-Za-z0-9_-]{43,}");
        assertThat(created.connectToken()).isNotEqualTo(bobbin.connectToken());
        assertThat(created.clientId()).isBetween(1_000L, 999_999L).isNotEqualTo(firstClientId());
        assertThat(created.run().out()).contains("shown only now");
        assertThat(created.run().err()).isEmpty();

        HttpReply sources = connect(created, "GET", "/v4/sources", null);
        HttpReply source = connect(created, "POST", "/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}");
        HttpReply destinations = connect(created, "GET", "/v4/destinations", null);

        assertThat(sources.status()).as(sources.toString()).isEqualTo(200);
        assertThat(sources.json()).isEmpty();
        assertThat(source.status()).as(source.toString()).isEqualTo(200);
        assertThat(source.json().get("stitch_client_id").asLong()).isEqualTo(created.clientId());
        assertThat(source.json().get("name").asText()).as("the name is free in the new account").isEqualTo("import_api");
        assertThat(destinations.status()).as(destinations.toString()).isEqualTo(200);
        assertThat(destinations.json()).hasSize(1);
        assertThat(destinations.json().get(0).get("type").asText()).isEqualTo("duckdb");
        assertThat(destinations.json().get(0).get("stitch_client_id").asLong()).isEqualTo(created.clientId());
        assertThat(bobbin.connectGet("/v4/sources").json()).as("the first account still sees only its own source").hasSize(1);
    }

    @Test
    void listShowsEveryAccount() {
        Cli.CreatedAccount created = Cli.createAccount(dataDir, "second");

        Cli.Run list = Cli.accounts("list", "--data-dir", dataDir.toString());

        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().toList()).hasSize(5);
        assertThat(list.out().lines().findFirst().orElseThrow()).matches("client_id\\s*\\|\\s*name\\s*\\|\\s*created_at");
        assertThat(list.out()).containsPattern("(?m)^" + firstClientId() + "\\s*\\|\\s*default\\s*\\|")
                .containsPattern("(?m)^" + created.clientId() + "\\s*\\|\\s*second\\s*\\|")
                .contains("(2 rows)")
                .doesNotContain(created.connectToken());
    }

    @Test
    void sqlWithAccountReadsThatAccountsWarehouse() {
        bobbin.accept(BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"In A\"}"));
        Cli.CreatedAccount created = Cli.createAccount(dataDir, "second");
        long sourceId = connect(created, "POST", "/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"Import API\"}")
                .json().get("id").asLong();
        JsonNode token = connect(created, "POST", "/v4/sources/" + sourceId + "/tokens", null).json();
        HttpReply pushed = bobbin.post("/v2/import/batch", BatchBody.customers().upsert(1, "{\"id\":2,\"name\":\"In B\"}").json(),
                "Authorization", "Bearer " + token.get("access_token").asText(), "Content-Type", "application/json");
        assertThat(pushed.status()).as(pushed.toString()).isEqualTo(201);
        bobbin.loadNow();
        String query = "SELECT id, name FROM import_api.customers ORDER BY id";

        Cli.Run b = sql("--account", String.valueOf(created.clientId()), "--format", "csv", query);
        Cli.Run a = sql("--format", "csv", query);
        Cli.Run aByAccount = sql("--account", String.valueOf(firstClientId()), "--format", "csv", query);
        Cli.Run unknown = sql("--account", "4242", query);

        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(b.out()).isEqualTo("id,name\r\n2,In B\r\n");
        assertThat(a.out()).isEqualTo("id,name\r\n1,In A\r\n");
        assertThat(aByAccount.out()).isEqualTo(a.out());
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).startsWith("bobbin sql: ").contains("4242");

        bobbin.close();
        Cli.Run fromFile = sql("--account", String.valueOf(created.clientId()), "--format", "csv", query);

        assertThat(fromFile.exit()).as(fromFile.err()).isZero();
        assertThat(fromFile.out()).isEqualTo("id,name\r\n2,In B\r\n");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private long firstClientId() {
        return bobbin.node().catalog().accounts().get(0).clientId();
    }

    private Cli.Run sql(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--data-dir";
        all[1] = dataDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.sql(all);
    }

    private HttpReply connect(Cli.CreatedAccount account, String method, String path, String body) {
        String[] headers = {"Authorization", "Bearer " + account.connectToken(), "Content-Type", "application/json"};
        return switch (method) {
            case "GET" -> bobbin.get(path, headers);
            case "POST" -> bobbin.post(path, body, headers);
            default -> throw new IllegalArgumentException(method);
        };
    }
}
