package dev.bobbin.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bobbin.sqlite.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/** {@link Catalog} on the embedded SQLite file ({@code <data-dir>/catalog.db}). */
public final class SqliteCatalog implements Catalog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };
    private static final String DESTINATION_COLUMNS = "id, client_id, type, name, description, properties, created_at, updated_at";
    private static final String SOURCE_COLUMNS =
            "id, client_id, type, name, display_name, properties, created_at, updated_at, paused_at, deleted_at";

    private final HikariDataSource pool;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private SqliteCatalog(HikariDataSource pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** Opens (creating if needed) the catalog in {@code file} and brings its schema up to date. */
    public static SqliteCatalog open(Path file, Clock clock) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new CatalogException("cannot create " + file.getParent(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(SqliteFiles.jdbcUrl(file));
        // Catalog transactions read before they write (a name check, a token count). A deferred BEGIN takes
        // the write lock only at the first write, and in WAL mode that fails at once with SQLITE_BUSY, without
        // waiting, when the batch log committed after the read began. BEGIN IMMEDIATE takes it up front and
        // waits for it up to the busy timeout instead.
        SQLiteConfig sqlite = new SQLiteConfig(SqliteFiles.poolProperties());
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setDataSourceProperties(sqlite.toProperties());
        config.setMaximumPoolSize(4);
        config.setPoolName("catalog");
        HikariDataSource pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection()) {
            CatalogSchema.migrate(c);
        } catch (SQLException e) {
            pool.close();
            throw new CatalogException("cannot migrate the catalog in " + file + ": " + e.getMessage(), e);
        }
        return new SqliteCatalog(pool, clock);
    }

    @Override
    public Account createAccount(String name) {
        return inTransaction(c -> {
            long clientId = unusedClientId(c);
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts(client_id, name, created_at) VALUES (?,?,?)")) {
                ps.setLong(1, clientId);
                ps.setString(2, name);
                ps.setLong(3, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO destinations(client_id, type, properties, created_at, updated_at) VALUES (?,?,?,?,?)")) {
                ps.setLong(1, clientId);
                ps.setString(2, DestinationConfig.DUCKDB);
                ps.setString(3, "{}");
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.executeUpdate();
            }
            return new Account(clientId, name, Instant.ofEpochMilli(now));
        });
    }

    /** Stitch client ids are 4 to 6 digit numbers; new ones are random 6-digit ids not yet used. */
    private long unusedClientId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE client_id = ?")) {
            while (true) {
                long candidate = 100_000 + random.nextInt(900_000);
                ps.setLong(1, candidate);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return candidate;
                    }
                }
            }
        }
    }

    @Override
    public List<Account> accounts() {
        return query("SELECT client_id, name, created_at FROM accounts ORDER BY created_at, client_id", ps -> { },
                rs -> new Account(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
    }

    @Override
    public void addConnectToken(long clientId, String token) {
        update("INSERT INTO connect_tokens(client_id, token_hash, created_at) VALUES (?,?,?)", ps -> {
            ps.setLong(1, clientId);
            ps.setString(2, Tokens.hash(token));
            ps.setLong(3, clock.millis());
        });
    }

    @Override
    public Optional<Account> accountForConnectToken(String token) {
        return first(query("SELECT a.client_id, a.name, a.created_at FROM connect_tokens t JOIN accounts a ON a.client_id = t.client_id"
                        + " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                ps -> ps.setString(1, Tokens.hash(token)),
                rs -> new Account(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)))));
    }

    @Override
    public Source createSource(long clientId, String type, String name, String displayName) throws NameTakenException {
        try {
            return inTransaction(c -> {
                try (PreparedStatement check = c.prepareStatement(
                        "SELECT 1 FROM sources WHERE client_id = ? AND name = ? AND deleted_at IS NULL")) {
                    check.setLong(1, clientId);
                    check.setString(2, name);
                    try (ResultSet rs = check.executeQuery()) {
                        if (rs.next()) {
                            throw new NameTakenRuntime(name);
                        }
                    }
                }
                long now = clock.millis();
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sources(client_id, type, name, display_name, properties, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setLong(1, clientId);
                    ps.setString(2, type);
                    ps.setString(3, name);
                    ps.setString(4, displayName);
                    ps.setString(5, "{}");
                    ps.setLong(6, now);
                    ps.setLong(7, now);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                Instant at = Instant.ofEpochMilli(now);
                return new Source(id, clientId, type, name, displayName, Map.of(), at, at, Optional.empty(), Optional.empty());
            });
        } catch (NameTakenRuntime e) {
            throw new NameTakenException(e.name);
        }
    }

    @Override
    public Optional<Source> source(long clientId, long sourceId) {
        return first(query("SELECT " + SOURCE_COLUMNS + " FROM sources WHERE client_id = ? AND id = ?", ps -> {
            ps.setLong(1, clientId);
            ps.setLong(2, sourceId);
        }, SqliteCatalog::source));
    }

    @Override
    public List<Source> sources(long clientId) {
        return query("SELECT " + SOURCE_COLUMNS + " FROM sources WHERE client_id = ? ORDER BY id",
                ps -> ps.setLong(1, clientId), SqliteCatalog::source);
    }

    @Override
    public Optional<Source> updateSource(long clientId, long sourceId, SourceUpdate change) {
        int updated = update("UPDATE sources SET display_name = coalesce(?, display_name),"
                + " paused_at = CASE WHEN ? THEN ? ELSE paused_at END,"
                + " properties = coalesce(?, properties), updated_at = ?"
                + " WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
                    ps.setString(1, change.displayName().orElse(null));
                    ps.setBoolean(2, change.pausedAt().isPresent());
                    if (change.pausedAt().isPresent() && change.pausedAt().get().isPresent()) {
                        ps.setLong(3, change.pausedAt().get().get().toEpochMilli());
                    } else {
                        ps.setNull(3, java.sql.Types.INTEGER);
                    }
                    ps.setString(4, change.properties().map(SqliteCatalog::writeJson).orElse(null));
                    ps.setLong(5, clock.millis());
                    ps.setLong(6, clientId);
                    ps.setLong(7, sourceId);
                });
        return updated == 0 ? Optional.empty() : source(clientId, sourceId);
    }

    @Override
    public Optional<Source> deleteSource(long clientId, long sourceId) {
        int updated = update("UPDATE sources SET deleted_at = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
            long now = clock.millis();
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setLong(3, clientId);
            ps.setLong(4, sourceId);
        });
        return updated == 0 ? Optional.empty() : source(clientId, sourceId);
    }

    @Override
    public Optional<Source> revokeImportToken(long clientId, long sourceId, long tokenId) {
        boolean revoked = inTransaction(c -> {
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("UPDATE import_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
                    + " AND source_id IN (SELECT id FROM sources WHERE client_id = ? AND id = ?)")) {
                ps.setLong(1, now);
                ps.setLong(2, tokenId);
                ps.setLong(3, clientId);
                ps.setLong(4, sourceId);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sources SET updated_at = ? WHERE id = ?")) {
                ps.setLong(1, now);
                ps.setLong(2, sourceId);
                ps.executeUpdate();
            }
            return true;
        });
        return revoked ? source(clientId, sourceId) : Optional.empty();
    }

    @Override
    public Optional<IssuedToken> createImportToken(long clientId, long sourceId, int maxActive) throws TooManyTokensException {
        try {
            return inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT (SELECT count(*) FROM import_tokens t WHERE t.source_id = s.id AND t.revoked_at IS NULL)"
                                + " FROM sources s WHERE s.client_id = ? AND s.id = ? AND s.deleted_at IS NULL")) {
                    ps.setLong(1, clientId);
                    ps.setLong(2, sourceId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.<IssuedToken>empty();
                        }
                        if (rs.getInt(1) >= maxActive) {
                            throw new TooManyTokensRuntime(maxActive);
                        }
                    }
                }
                String value = Tokens.newImportToken();
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO import_tokens(source_id, token_hash, created_at) VALUES (?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setLong(1, sourceId);
                    ps.setString(2, Tokens.hash(value));
                    ps.setLong(3, clock.millis());
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        return Optional.of(new IssuedToken(keys.getLong(1), value));
                    }
                }
            });
        } catch (TooManyTokensRuntime e) {
            throw new TooManyTokensException(e.limit);
        }
    }

    @Override
    public Optional<List<ImportToken>> importTokens(long clientId, long sourceId) {
        if (source(clientId, sourceId).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(query("SELECT id, source_id, created_at FROM import_tokens WHERE source_id = ? AND revoked_at IS NULL ORDER BY id DESC",
                ps -> ps.setLong(1, sourceId),
                rs -> new ImportToken(rs.getLong(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)))));
    }

    @Override
    public Optional<ImportGrant> grantForImportToken(String token) {
        return first(query("SELECT t.id, " + prefixed("s.", SOURCE_COLUMNS) + " FROM import_tokens t JOIN sources s ON s.id = t.source_id"
                        + " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                ps -> ps.setString(1, Tokens.hash(token)),
                rs -> new ImportGrant(rs.getLong(1), source(rs, 2))));
    }

    @Override
    public Optional<DestinationConfig> destination(long clientId) {
        return first(query("SELECT " + DESTINATION_COLUMNS + " FROM destinations WHERE client_id = ? AND deleted_at IS NULL",
                ps -> ps.setLong(1, clientId), SqliteCatalog::destination));
    }

    @Override
    public DestinationConfig createDestination(long clientId, String type, Optional<String> name, Optional<String> description,
                                               Map<String, String> properties) throws DestinationLimitException {
        try {
            return inTransaction(c -> {
                try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM destinations WHERE client_id = ? AND deleted_at IS NULL")) {
                    check.setLong(1, clientId);
                    try (ResultSet rs = check.executeQuery()) {
                        if (rs.next()) {
                            throw new DestinationLimitRuntime();
                        }
                    }
                }
                long now = clock.millis();
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO destinations(client_id, type, name, description, properties, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    ps.setLong(1, clientId);
                    ps.setString(2, type);
                    ps.setString(3, name.orElse(null));
                    ps.setString(4, description.orElse(null));
                    ps.setString(5, writeJson(properties));
                    ps.setLong(6, now);
                    ps.setLong(7, now);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        Instant at = Instant.ofEpochMilli(now);
                        return new DestinationConfig(keys.getLong(1), clientId, type, name, description, Map.copyOf(properties), at, at);
                    }
                }
            });
        } catch (DestinationLimitRuntime e) {
            throw new DestinationLimitException();
        }
    }

    @Override
    public Optional<DestinationConfig> updateDestination(long clientId, long destinationId, Map<String, String> properties) {
        int changed = update("UPDATE destinations SET properties = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
            ps.setString(1, writeJson(properties));
            ps.setLong(2, clock.millis());
            ps.setLong(3, clientId);
            ps.setLong(4, destinationId);
        });
        return changed == 0 ? Optional.empty() : destination(clientId);
    }

    @Override
    public boolean deleteDestination(long clientId, long destinationId) {
        return update("UPDATE destinations SET deleted_at = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
            long now = clock.millis();
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setLong(3, clientId);
            ps.setLong(4, destinationId);
        }) > 0;
    }

    private static DestinationConfig destination(ResultSet rs) throws SQLException {
        return new DestinationConfig(rs.getLong(1), rs.getLong(2), rs.getString(3), Optional.ofNullable(rs.getString(4)),
                Optional.ofNullable(rs.getString(5)), readMap(rs.getString(6)),
                Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)));
    }

    @Override
    public Optional<List<String>> keyNames(long sourceId, String tableName) {
        return first(query("SELECT key_names FROM table_keys WHERE source_id = ? AND table_name = ?", ps -> {
            ps.setLong(1, sourceId);
            ps.setString(2, tableName);
        }, rs -> readList(rs.getString(1))));
    }

    @Override
    public List<String> fixKeyNames(long sourceId, String tableName, List<String> keyNames) {
        // Key names never change once fixed, so every batch after a table's first one only reads them.
        // Reading first keeps the request path off SQLite's write lock, which the batch log's writer
        // holds through each group commit: the INSERT OR IGNORE on every request waited for it.
        Optional<List<String>> fixed = keyNames(sourceId, tableName);
        if (fixed.isPresent()) {
            return fixed.get();
        }
        update("INSERT OR IGNORE INTO table_keys(source_id, table_name, key_names) VALUES (?,?,?)", ps -> {
            ps.setLong(1, sourceId);
            ps.setString(2, tableName);
            ps.setString(3, writeJson(keyNames));
        });
        return keyNames(sourceId, tableName).orElseThrow();
    }

    @Override
    public void recordLoadSucceeded(long clientId, long sourceId, String tableName, Instant at) {
        update("INSERT INTO load_status(source_id, table_name, client_id, last_batch_loaded_at, error_state, updated_at) VALUES (?,?,?,?,NULL,?)"
                + " ON CONFLICT(source_id, table_name) DO UPDATE SET last_batch_loaded_at = excluded.last_batch_loaded_at,"
                + " error_state = NULL, updated_at = excluded.updated_at", ps -> {
                    ps.setLong(1, sourceId);
                    ps.setString(2, tableName);
                    ps.setLong(3, clientId);
                    ps.setLong(4, at.toEpochMilli());
                    ps.setLong(5, clock.millis());
                });
    }

    @Override
    public void recordLoadFailed(long clientId, long sourceId, String tableName, String errorState) {
        update("INSERT INTO load_status(source_id, table_name, client_id, last_batch_loaded_at, error_state, updated_at) VALUES (?,?,?,NULL,?,?)"
                + " ON CONFLICT(source_id, table_name) DO UPDATE SET error_state = excluded.error_state, updated_at = excluded.updated_at", ps -> {
                    ps.setLong(1, sourceId);
                    ps.setString(2, tableName);
                    ps.setLong(3, clientId);
                    ps.setString(4, errorState);
                    ps.setLong(5, clock.millis());
                });
    }

    @Override
    public List<LoadStatus> loads(long clientId, int offset, int limit) {
        return query("SELECT l.client_id, s.name, l.table_name, l.last_batch_loaded_at, l.error_state FROM load_status l"
                        + " JOIN sources s ON s.id = l.source_id WHERE l.client_id = ? ORDER BY l.table_name, s.name LIMIT ? OFFSET ?",
                ps -> {
                    ps.setLong(1, clientId);
                    ps.setInt(2, limit);
                    ps.setInt(3, offset);
                },
                rs -> {
                    Optional<String> error = Optional.ofNullable(rs.getString(5));
                    Optional<Instant> loaded = error.isPresent() ? Optional.empty() : optionalInstant(rs, 4);
                    return new LoadStatus(rs.getLong(1), rs.getString(2), rs.getString(3), loaded, error);
                });
    }

    @Override
    public int loadCount(long clientId) {
        return query("SELECT count(*) FROM load_status WHERE client_id = ?", ps -> ps.setLong(1, clientId), rs -> rs.getInt(1)).get(0);
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- row mapping -------------------------------------------------------------------------

    private static Source source(ResultSet rs) throws SQLException {
        return source(rs, 1);
    }

    private static Source source(ResultSet rs, int first) throws SQLException {
        return new Source(
                rs.getLong(first),
                rs.getLong(first + 1),
                rs.getString(first + 2),
                rs.getString(first + 3),
                rs.getString(first + 4),
                readMap(rs.getString(first + 5)),
                Instant.ofEpochMilli(rs.getLong(first + 6)),
                Instant.ofEpochMilli(rs.getLong(first + 7)),
                optionalInstant(rs, first + 8),
                optionalInstant(rs, first + 9));
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }

    private static String prefixed(String prefix, String columns) {
        return prefix + columns.replace(", ", ", " + prefix);
    }

    private static Map<String, String> readMap(String json) {
        try {
            return JSON.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new CatalogException("corrupt properties in the catalog: " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> readList(String json) {
        try {
            return JSON.readValue(json, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new CatalogException("corrupt key names in the catalog: " + e.getOriginalMessage(), e);
        }
    }

    private static String writeJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    // ---- JDBC plumbing -----------------------------------------------------------------------

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new CatalogException("catalog query failed: " + e.getMessage(), e);
        }
    }

    private int update(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new CatalogException("catalog update failed: " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new CatalogException("catalog transaction failed: " + e.getMessage(), e);
        }
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Carries a checked outcome out of a transaction lambda. */
    private static final class NameTakenRuntime extends RuntimeException {
        private final String name;

        NameTakenRuntime(String name) {
            super(null, null, false, false);
            this.name = name;
        }
    }

    private static final class DestinationLimitRuntime extends RuntimeException {
        DestinationLimitRuntime() {
            super(null, null, false, false);
        }
    }

    private static final class TooManyTokensRuntime extends RuntimeException {
        private final int limit;

        TooManyTokensRuntime(int limit) {
            super(null, null, false, false);
            this.limit = limit;
        }
    }
}
