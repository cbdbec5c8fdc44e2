package dev.bobbin.cli;

import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.PostgresCatalog;
import dev.bobbin.catalog.SqliteCatalog;
import dev.bobbin.catalog.Tokens;
import dev.bobbin.config.BobbinConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bobbin accounts create|list}: manages accounts in the data dir's catalog directly (SQLite
 * allows this while a server runs on the same data dir), or in the shared PostgreSQL catalog given by
 * {@code --catalog-url}. A new account's Connect API token is
 * printed once and stored only as a hash.
 */
@Command(name = "accounts", mixinStandardHelpOptions = true, description = "Create and list accounts.",
        subcommands = {AccountsCommand.Create.class, AccountsCommand.ListAccounts.class})
final class AccountsCommand implements Runnable {

    @Option(names = "--data-dir", description = "Data directory (default ./bobbin-data, env BOBBIN_DATA_DIR).", scope = picocli.CommandLine.ScopeType.INHERIT)
    Path dataDir;

    @Option(names = "--catalog-url", paramLabel = "JDBC_URL", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The shared PostgreSQL catalog of a multi-node deployment (env BOBBIN_CATALOG_URL); default: the data dir's.")
    String catalogUrl;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    Catalog openCatalog() {
        String url = catalogUrl != null ? catalogUrl : System.getenv("BOBBIN_CATALOG_URL");
        if (url != null && !url.isBlank()) {
            return PostgresCatalog.open(url.trim(), Clock.systemUTC());
        }
        Path dir = BobbinConfig.resolveDataDir(dataDir, System.getenv());
        return SqliteCatalog.open(dir.resolve("catalog.db"), Clock.systemUTC());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an account; prints its client id and Connect API token once.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        AccountsCommand parent;

        @Option(names = "--name", required = true, description = "A name for the account.")
        String name;

        @Override
        public Integer call() {
            try (Catalog catalog = parent.openCatalog()) {
                Account account = catalog.createAccount(name);
                String token = Tokens.newConnectToken();
                catalog.addConnectToken(account.clientId(), token);
                System.out.println("client_id: " + account.clientId());
                System.out.println("connect_token: " + token);
                System.out.println("(the token is shown only now; Bobbin keeps only its hash)");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the accounts.")
    static final class ListAccounts implements Callable<Integer> {
        @ParentCommand
        AccountsCommand parent;

        @Override
        public Integer call() {
            try (Catalog catalog = parent.openCatalog()) {
                List<Account> accounts = catalog.accounts();
                List<List<String>> rows = accounts.stream()
                        .map(a -> List.of(String.valueOf(a.clientId()), a.name(), a.createdAt().toString()))
                        .toList();
                ResultPrinter.table(new dev.bobbin.destination.duckdb.QueryResult(List.of("client_id", "name", "created_at"), rows), System.out);
            }
            return 0;
        }
    }
}
