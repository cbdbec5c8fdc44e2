package dev.bobbin.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a Bobbin node is configured with, resolved once at start-up.
 *
 * <p>Precedence for every setting: an explicit flag, then the {@code BOBBIN_*} environment variable,
 * then the built-in default. This is the only class that reads the environment.
 *
 * @param host              interface the HTTP server binds to
 * @param port              HTTP port; 0 picks a free port
 * @param dataDir           directory holding {@code catalog.db}, {@code warehouse.duckdb} and {@code connect-token}
 * @param connectToken      Connect API token for the bootstrap account, or empty to generate one
 * @param loadInterval      how often the loader looks for unloaded batches (the longest an accepted batch waits for it)
 * @param loadOnAppend      whether a batch this node accepts wakes its loader at once ({@code BOBBIN_LOAD_ON_APPEND}, default true)
 * @param limits            Import API request limits
 * @param revision          the source revision this build came from, shown by the status endpoint
 * @param logMaxBytes       the most payload bytes the batch log holds unloaded before intake answers 503
 * @param logRetention      how long loaded batches stay in the log
 * @param shared            the shared catalog and batch log of a multi-node deployment, or {@link SharedServices#EMBEDDED}
 */
public record BobbinConfig(
        String host,
        int port,
        Path dataDir,
        Optional<String> connectToken,
        Duration loadInterval,
        boolean loadOnAppend,
        ImportLimits limits,
        Optional<String> revision,
        long logMaxBytes,
        Duration logRetention,
        SharedServices shared) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_DATA_DIR = "./bobbin-data";
    public static final long DEFAULT_LOAD_INTERVAL_MS = 1000;
    public static final long DEFAULT_LOG_MAX_BYTES = 8L * 1024 * 1024 * 1024;
    public static final long DEFAULT_LOG_RETENTION_HOURS = 7 * 24;

    public BobbinConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (logMaxBytes <= 0 || logRetention.isNegative()) {
            throw new IllegalArgumentException("BOBBIN_LOG_MAX_BYTES must be positive and BOBBIN_LOG_RETENTION_HOURS not negative");
        }
        if (loadInterval.isNegative() || loadInterval.isZero()) {
            throw new IllegalArgumentException("load interval must be positive, got " + loadInterval);
        }
    }

    /**
     * Resolves the configuration from flags (null when not given) and an environment map.
     *
     * @throws IllegalArgumentException when a value cannot be parsed; the message names the setting
     */
    public static BobbinConfig resolve(Integer portFlag, Path dataDirFlag, Map<String, String> env) {
        return resolve(portFlag, dataDirFlag, null, null, env);
    }

    /**
     * Resolves the configuration from flags (null when not given), including where the catalog and
     * the batch log are, and an environment map.
     *
     * @throws IllegalArgumentException when a value cannot be parsed; the message names the setting
     */
    public static BobbinConfig resolve(Integer portFlag, Path dataDirFlag, String catalogUrlFlag, String logFlag,
                                       Map<String, String> env) {
        int port = portFlag != null ? portFlag : intSetting(env, "BOBBIN_PORT", DEFAULT_PORT);
        Path dataDir = dataDirFlag != null ? dataDirFlag : Path.of(env.getOrDefault("BOBBIN_DATA_DIR", DEFAULT_DATA_DIR));
        String host = env.getOrDefault("BOBBIN_HOST", "0.0.0.0");
        Optional<String> token = Optional.ofNullable(env.get("BOBBIN_CONNECT_TOKEN")).filter(t -> !t.isBlank());
        long intervalMs = longSetting(env, "BOBBIN_LOAD_INTERVAL_MS", DEFAULT_LOAD_INTERVAL_MS);
        ImportLimits limits = new ImportLimits(
                longSetting(env, "BOBBIN_MAX_BODY_BYTES", ImportLimits.DEFAULTS.maxBodyBytes()),
                longSetting(env, "BOBBIN_MAX_INFLATED_BYTES", ImportLimits.DEFAULTS.maxInflatedBytes()),
                intSetting(env, "BOBBIN_MAX_MESSAGES", ImportLimits.DEFAULTS.maxMessages()),
                intSetting(env, "BOBBIN_MAX_DATA_POINTS", ImportLimits.DEFAULTS.maxDataPoints()),
                intSetting(env, "BOBBIN_MAX_KEY_LENGTH", ImportLimits.DEFAULTS.maxKeyLength()));
        Optional<String> revision = Optional.ofNullable(env.get("BOBBIN_REVISION")).filter(r -> !r.isBlank());
        long logMaxBytes = longSetting(env, "BOBBIN_LOG_MAX_BYTES", DEFAULT_LOG_MAX_BYTES);
        Duration retention = Duration.ofHours(longSetting(env, "BOBBIN_LOG_RETENTION_HOURS", DEFAULT_LOG_RETENTION_HOURS));
        boolean loadOnAppend = booleanSetting(env, "BOBBIN_LOAD_ON_APPEND", true);
        return new BobbinConfig(host, port, dataDir.toAbsolutePath().normalize(), token, Duration.ofMillis(intervalMs), loadOnAppend, limits, revision,
                logMaxBytes, retention, SharedServices.resolve(catalogUrlFlag, logFlag, env));
    }

    /** Resolves only the data directory, for commands that open an existing data dir. */
    public static Path resolveDataDir(Path dataDirFlag, Map<String, String> env) {
        Path dir = dataDirFlag != null ? dataDirFlag : Path.of(env.getOrDefault("BOBBIN_DATA_DIR", DEFAULT_DATA_DIR));
        return dir.toAbsolutePath().normalize();
    }

    public Path catalogFile() {
        return dataDir.resolve("catalog.db");
    }

    public Path connectTokenFile() {
        return dataDir.resolve("connect-token");
    }

    /** Where a running server says how to reach it locally (port, pid); removed at shutdown. */
    public static Path serverFile(Path dataDir) {
        return dataDir.resolve("server.json");
    }

    /** The secret that lets local commands use the running server's admin endpoints (mode 0600). */
    public static Path adminTokenFile(Path dataDir) {
        return dataDir.resolve("admin-token");
    }

    /** Returns a copy listening on another port (tests use port 0). */
    public BobbinConfig withPort(int newPort) {
        return new BobbinConfig(host, newPort, dataDir, connectToken, loadInterval, loadOnAppend, limits, revision, logMaxBytes, logRetention, shared);
    }

    public BobbinConfig withLoadInterval(Duration interval) {
        return new BobbinConfig(host, port, dataDir, connectToken, interval, loadOnAppend, limits, revision, logMaxBytes, logRetention, shared);
    }

    public BobbinConfig withLimits(ImportLimits newLimits) {
        return new BobbinConfig(host, port, dataDir, connectToken, loadInterval, loadOnAppend, newLimits, revision, logMaxBytes, logRetention, shared);
    }

    private static boolean booleanSetting(Map<String, String> env, String name, boolean fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static int intSetting(Map<String, String> env, String name, int fallback) {
        return Math.toIntExact(longSetting(env, name, fallback));
    }

    private static long longSetting(Map<String, String> env, String name, long fallback) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw + "'");
        }
    }
}
