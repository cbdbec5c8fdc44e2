package dev.bobbin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bobbin} command line: {@code serve} runs the service, {@code sql} queries the embedded warehouse. */
@Command(name = "bobbin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stitch-compatible data ingestion: Import API, Connect API and a loading pipeline.",
        subcommands = {ServeCommand.class, SqlCommand.class, AccountsCommand.class})
public final class Bobbin implements Runnable {

    public static void main(String[] args) {
        int exit = new CommandLine(new Bobbin())
                .setExecutionExceptionHandler(Bobbin::configurationError)
                .execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    /** A setting that cannot be used is the user's to fix: say which, without a stack trace; anything else is a bug. */
    private static int configurationError(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException) {
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
