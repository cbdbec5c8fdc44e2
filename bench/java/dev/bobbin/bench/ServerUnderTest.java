package dev.bobbin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bobbin serve} in its own JVM, as an operator runs it with {@code ./bobbin} and
 * {@code BOBBIN_JAVA_OPTS=-Xmx512m} (the launcher then sets {@code -Xms} to the same: {@code java -Xmx512m -Xms512m -cp
 * target/classes:<runtime classpath> dev.bobbin.cli.Bobbin serve}), on a fresh data directory, with
 * a GC log so that the benchmark can read the heap the server used. Set up through the Connect API
 * as the README's walkthrough does: the bootstrap account's token from {@code connect-token}, then
 * an Import API source and its access token.
 */
final class ServerUnderTest implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GC_LINE = Pattern.compile("\\[(\\d+\\.\\d+)s\\].*GC\\(\\d+\\) (Pause [^(]*(?:\\([^)]*\\) )*)(\\d+)M->(\\d+)M\\((\\d+)M\\)(?: ([0-9.]+)ms)?");

    final Path dataDir;
    final Path gcLog;
    final Path serverLog;
    private final Process process;
    final String baseUrl;
    final String connectToken;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final long startNanos;

    private ServerUnderTest(Path dataDir, Path gcLog, Path serverLog, Process process, String baseUrl, String connectToken, long startNanos) {
        this.dataDir = dataDir;
        this.gcLog = gcLog;
        this.serverLog = serverLog;
        this.process = process;
        this.baseUrl = baseUrl;
        this.connectToken = connectToken;
        this.startNanos = startNanos;
    }

    /**
     * Starts a server with {@code heap} as its -Xmx, extra JVM options (e.g. JFR), and extra
     * environment (BOBBIN_*); returns once it answers.
     */
    static ServerUnderTest start(Path dataDir, String heap, List<String> jvmOptions, Map<String, String> env) throws IOException {
        BobbinPath.deleteRecursively(dataDir);
        Files.createDirectories(dataDir);
        Path gcLog = dataDir.resolveSibling(dataDir.getFileName() + "-gc.log");
        Path serverLog = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
        Files.deleteIfExists(gcLog);
        String classpath = System.getProperty("bench.server.classpath");
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException("bench.server.classpath is not set (bench/run sets it)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Xms" + heap, "--enable-native-access=ALL-UNNAMED", "-Xlog:gc:file=" + gcLog.toAbsolutePath() + ":uptime"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "dev.bobbin.cli.Bobbin", "serve", "--port", "0", "--data-dir", dataDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("BOBBIN_"));
        builder.environment().put("BOBBIN_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(serverLog.toFile());
        long t0 = System.nanoTime();
        Process process = builder.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        Path serverFile = dataDir.resolve("server.json");
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bobbin serve exited with " + process.exitValue() + "; see " + serverLog);
            }
            // with BOBBIN_CONNECT_TOKEN given (every node of a cluster), no connect-token file is written
            String givenToken = env.get("BOBBIN_CONNECT_TOKEN");
            if (Files.exists(serverFile) && (givenToken != null || Files.exists(dataDir.resolve("connect-token")))) {
                try {
                    JsonNode server = JSON.readTree(Files.readString(serverFile));
                    if (server.path("pid").asLong() == process.pid()) {
                        String base = "http://127.0.0.1:" + server.path("port").asInt();
                        String token = givenToken != null ? givenToken : Files.readString(dataDir.resolve("connect-token")).strip();
                        return new ServerUnderTest(dataDir, gcLog, serverLog, process, base, token, t0);
                    }
                } catch (IOException notYet) {
                    // being written
                }
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("bobbin serve did not start within 60 s; see " + serverLog);
            }
            sleep(20);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** An Import API source: its name (the warehouse schema) and an access token. */
    record SourceToken(String schema, String token) {
    }

    /** Creates an Import API source and a new access token for it. */
    SourceToken newSource(String displayName) throws IOException {
        JsonNode source = connect("POST", "/v4/sources", "{\"type\":\"import_api\",\"display_name\":\"" + displayName + "\"}");
        JsonNode token = connect("POST", "/v4/sources/" + source.path("id").asLong() + "/tokens", null);
        return new SourceToken(source.path("name").asText(), token.path("access_token").asText());
    }

    /** Replaces the account's destination (the embedded DuckDB) by a PostgreSQL one. */
    void usePostgres(String host, int port, String database, String user, String password) throws IOException {
        JsonNode destinations = connect("GET", "/v4/destinations", null);
        for (JsonNode d : destinations) {
            connect("DELETE", "/v4/destinations/" + d.path("id").asLong(), null);
        }
        connect("POST", "/v4/destinations", "{\"type\":\"postgres\",\"name\":\"bench\",\"properties\":{\"host\":\"" + host + "\",\"port\":\""
                + port + "\",\"database\":\"" + database + "\",\"username\":\"" + user + "\",\"password\":\"" + password
                + "\",\"ssl\":false}}");
    }

    private JsonNode connect(String method, String path, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + connectToken)
                .timeout(Duration.ofSeconds(60));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = send(request.build());
        if (response.statusCode() >= 300) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    /** A read-only query on the embedded warehouse through the admin endpoint {@code bobbin sql} uses; the rows. */
    JsonNode sql(String query) throws IOException {
        String admin = Files.readString(dataDir.resolve("admin-token")).strip();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/sql")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("sql", query)))).build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) {
            throw new IOException("admin sql answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("rows");
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The server's resident set high-water mark (VmHWM) and current RSS, in bytes. */
    long[] rss() {
        long hwm = 0;
        long rss = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return new long[] {hwm, rss};
    }

    /** One GC event of the server's log: seconds since its start, heap used before and after, heap size (MiB). */
    record GcEvent(double uptime, String kind, long beforeMb, long afterMb, long sizeMb, double pauseMs) {
    }

    List<GcEvent> gcEvents() {
        List<GcEvent> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    out.add(new GcEvent(Double.parseDouble(m.group(1)), m.group(2).strip(), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), m.group(6) == null ? 0 : Double.parseDouble(m.group(6))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Seconds since the server JVM started (as its GC log counts), approximately. */
    double uptimeNow() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    boolean logMentions(String text) {
        try {
            return Files.readString(serverLog).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then waits for a clean exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
