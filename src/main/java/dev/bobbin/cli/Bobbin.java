package dev.bobbin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bobbin} command line: {@code serve} runs the service, {@code sql} queries the embedded warehouse. */
@Command(name = "bobbin", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stitch-compatible data ingestion: Import API, Connect API and a loading pipeline.",
        subcommands = {ServeCommand.class, SqlCommand.class, AccountsCommand.class, CatalogCommand.class})
public final class Bobbin implements Runnable {

    /** The JDK's setting for the number of carrier threads of virtual threads (default: the number of cores). */
    static final String CARRIER_THREADS = "jdk.virtualThreadScheduler.parallelism";

    public static void main(String[] args) {
        moreCarrierThreads();
        int exit = commandLine(new Bobbin()).execute(args);
        if (exit != 0 || !ServeCommand.isServing()) {
            System.exit(exit);
        }
    }

    /**
     * Every request runs on a virtual thread, and virtual threads run on as many carrier threads as
     * there are cores; the loader's platform threads and DuckDB's own threads (one per core) are
     * not among them, and Linux shares the CPU among runnable threads. On a 2-core machine a load
     * cycle thus left requests well under half of the CPU and put p99 accept latency above 20 ms.
     * With twice as many carriers as cores, requests keep a fair share while the loader runs
     * (BENCHMARKS.md, {@code bench/run http}, fixes). Must run before the first virtual thread
     * exists; a value given with {@code -D} wins.
     */
    static void moreCarrierThreads() {
        if (System.getProperty(CARRIER_THREADS) == null) {
            System.setProperty(CARRIER_THREADS, Integer.toString(2 * Runtime.getRuntime().availableProcessors()));
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
