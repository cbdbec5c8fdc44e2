package dev.bobbin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.BobbinConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bobbin serve} in a separate JVM, as an operator runs it: {@code java -cp <target/classes and
 * the runtime classpath> dev.bobbin.cli.Bobbin serve --port 0 --data-dir D}. Tests kill it with
 * SIGKILL ({@link #kill}) or stop it with SIGTERM ({@link #terminate}) and start another on the same
 * data dir.
 *
 * <p>The server binds a free port itself ({@code --port 0}); the test learns it from
 * {@code <data dir>/server.json} once that file names this process's pid. (Choosing a free port in
 * the test and passing it would leave a gap in which another process on the machine can take the
 * port, and the test would then talk to a stranger.)
 *
 * <p>The child's environment has no {@code BOBBIN_*} variable from the test's own environment, only
 * {@code BOBBIN_HOST=127.0.0.1} and the given ones. Its stdout and stderr are appended to
 * {@code logFile}. Its {@code java.io.tmpdir} is a directory next to the log file, so that the
 * native libraries DuckDB and SQLite extract at every start (and cannot delete after a SIGKILL) go
 * away with the test's temporary directory.
 */
public final class BobbinProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final Path logFile;
    /** 0 until {@link #awaitReady} has read it from {@code server.json}. */
    private volatile int port;

    private BobbinProcess(Process process, Path dataDir, Path logFile) {
        this.process = process;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    /** Starts a server on a free loopback port and returns once it answers HTTP. */
    public static BobbinProcess start(Path dataDir, Path logFile, Map<String, String> env) {
        BobbinProcess p = spawn(dataDir, logFile, env);
        p.awaitReady();
        return p;
    }

    /** Starts a server and returns at once, before it answers (to kill it while it starts up). */
    public static BobbinProcess spawn(Path dataDir, Path logFile, Map<String, String> env) {
        Path tmp = logFile.toAbsolutePath().getParent().resolve("jvm-tmp");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
                "-Djava.io.tmpdir=" + tmp,
                "-cp", serverClassPath(),
                "dev.bobbin.cli.Bobbin", "serve", "--port", "0", "--data-dir", dataDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("BOBBIN_"));
        builder.environment().put("BOBBIN_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            Files.createDirectories(tmp);
            return new BobbinProcess(builder.start(), dataDir, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start bobbin serve", e);
        }
    }

    /**
     * The test JVM's class path without the test classes: {@code target/classes} and the
     * dependencies (the test-scoped jars among them are never loaded by the server).
     */
    static String serverClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.contains("surefire"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Waits until {@code server.json} names this process (a stale one from a killed server names
     * another pid) and the server answers {@code GET /v2/import/status} on the port it gives.
     */
    public void awaitReady() {
        long end = System.nanoTime() + START_LIMIT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("bobbin serve exited with " + process.exitValue() + " while starting; log:\n" + logTail());
                }
                int announced = announcedPort();
                if (announced > 0) {
                    HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + announced + "/v2/import/status"))
                            .timeout(Duration.ofSeconds(2)).build();
                    try {
                        http.send(status, HttpResponse.BodyHandlers.discarding());
                        port = announced;
                        return;
                    } catch (IOException notYet) {
                        // listening, but not answering yet
                    }
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError("bobbin serve did not answer within " + START_LIMIT.toSeconds() + " s; log:\n" + logTail());
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The port in {@code server.json} if the file names this process, else 0. */
    private int announcedPort() {
        try {
            JsonNode server = JsonText.parse(Files.readString(BobbinConfig.serverFile(dataDir)));
            return server.path("pid").asLong() == process.pid() ? server.path("port").asInt() : 0;
        } catch (IOException | UncheckedIOException notYet) {
            return 0;
        }
    }

    /** SIGKILL (kill -9): no shutdown hook, no flush, nothing runs; returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM; returns the exit code, or fails if the process is still running after {@code limit}. */
    public int terminate(Duration limit) {
        process.destroy();
        return waitFor(limit);
    }

    private int waitFor(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("bobbin serve (pid " + process.pid() + ") still runs " + limit.toSeconds() + " s after the signal; log:\n" + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The server's port, once {@link #awaitReady} has returned; 0 before. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, or null before {@link #awaitReady} has returned. */
    public String baseUrl() {
        int p = port;
        return p == 0 ? null : "http://127.0.0.1:" + p;
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Copies a server log to {@code target/durability-logs/<name>.log} (build output), so that it
     * outlives the test's temporary directory for a look after a failure or a soak run.
     */
    public static void keepLog(Path logFile, String name) {
        try {
            if (Files.exists(logFile)) {
                Path kept = Path.of("target", "durability-logs").resolve(name + ".log");
                Files.createDirectories(kept.getParent());
                Files.copy(logFile, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep " + logFile + ": " + e.getMessage());
        }
    }

    /** Kills the process if it still runs (for {@code @AfterEach}, whatever the test did). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
