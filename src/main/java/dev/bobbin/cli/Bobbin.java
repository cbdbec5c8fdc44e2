package dev.bobbin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bobbin} command line: {@code serve} runs the service, {@code sql} queries the embedded warehouse. */
@Command(name = "bobbin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stitch-compatible data ingestion: Import API, Connect API and a loading pipeline.",
        subcommands = {ServeCommand.class, SqlCommand.class, AccountsCommand.class, CatalogCommand.class})
public final class Bobbin implements Runnable {

    public static void main(String[] args) {
        int exit = commandLine(new Bobbin()).execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    /** The command line for {@code command} (this one or a subcommand), as users run it. */
    static CommandLine commandLine(Object command) {
        return new CommandLine(command).setExecutionExceptionHandler(Bobbin::configurationError);
    }

    /**
     * A setting that cannot be used, or a state the user must change first, is the user's to fix: say
     * which, without a stack trace. Anything else is a bug and keeps its stack trace.
     */
    private static int configurationError(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof dev.bobbin.catalog.CatalogException) {
            command.getErr().println("bobbin: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        throw e;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
