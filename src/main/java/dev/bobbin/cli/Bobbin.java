package dev.bobbin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bobbin} command line: {@code serve} runs the service, {@code sql} queries the embedded warehouse. */
@Command(name = "bobbin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stitch-compatible data ingestion: Import API, Connect API and a loading pipeline.",
        subcommands = {ServeCommand.class, SqlCommand.class, AccountsCommand.class})
public final class Bobbin implements Runnable {

    public static void main(String[] args) {
        int exit = new CommandLine(new Bobbin()).execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
