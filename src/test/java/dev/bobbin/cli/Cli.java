package dev.bobbin.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Runs {@code bobbin} subcommands in-process for tests, as a user would type them, and captures what
 * they print. Lives in {@code dev.bobbin.cli} because the commands are package-private.
 */
public final class Cli {
    private static final Pattern CLIENT_ID = Pattern.compile("(?m)^client_id: (\\d+)$");
    private static final Pattern CONNECT_TOKEN = Pattern.compile("(?m)^connect_token: (\\S+)$");

    private Cli() {
    }

    /** What a command printed and its exit code. */
    public record Run(int exit, String out, String err) {
    }

    /** An account made by {@code bobbin accounts create}, read back from what the command printed. */
    public record CreatedAccount(long clientId, String connectToken, Run run) {
    }

    /** {@code bobbin accounts create --name <name> --data-dir <dataDir>}; fails unless it exits 0 and prints both values. */
    public static CreatedAccount createAccount(Path dataDir, String name) {
        Run run = accounts("create", "--name", name, "--data-dir", dataDir.toString());
        Matcher id = CLIENT_ID.matcher(run.out());
        Matcher token = CONNECT_TOKEN.matcher(run.out());
        if (run.exit() != 0 || !id.find() || !token.find()) {
            throw new AssertionError("bobbin accounts create did not print a client_id and a connect_token: " + run);
        }
        return new CreatedAccount(Long.parseLong(id.group(1)), token.group(1), run);
    }

    /** {@code bobbin accounts <args>}. */
    public static Run accounts(String... args) {
        return run(new AccountsCommand(), args);
    }

    /** {@code bobbin catalog <args>}. */
    public static Run catalog(String... args) {
        return run(new CatalogCommand(), args);
    }

    /** {@code bobbin sql <args>}. */
    public static Run sql(String... args) {
        return run(new SqlCommand(), args);
    }

    private static synchronized Run run(Object command, String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Bobbin.commandLine(command).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
