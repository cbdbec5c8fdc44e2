package dev.bobbin.catalog;

import static dev.bobbin.catalog.CatalogJdbc.exists;
import static dev.bobbin.catalog.CatalogJdbc.insertReturningId;
import static dev.bobbin.catalog.CatalogRows.ACCOUNT_COLUMNS;
import static dev.bobbin.catalog.CatalogRows.DESTINATION_COLUMNS;
import static dev.bobbin.catalog.CatalogRows.SOURCE_COLUMNS;
import static dev.bobbin.catalog.CatalogRows.prefixed;
import static dev.bobbin.catalog.CatalogRows.writeJson;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one implementation of every {@link Catalog} rule, in SQL that SQLite and PostgreSQL both run;
 * a {@link CatalogDialect} supplies the few differences (locking, unique violations, DDL types, the
 * schema version). Nothing is cached: every call reads or writes the database.
 *
 * <p>Rules that read before they write run in one transaction that first excludes other writers of
 * what it reads ({@link CatalogDialect#lockTable}, {@link CatalogDialect#lockRowsClause}); rules that a
 * unique index enforces (a live source name, one live destination) also map a violated index, which
 * is how a concurrent node's insert shows up, to the same exception as the check.
 *
 * <p>Sealed rather than final only so that {@link SqliteCatalog} and {@link PostgresCatalog} are the
 * public types their {@code open} methods return; they add nothing but how to open them.
 */
abstract sealed class JdbcCatalog implements Catalog permits SqliteCatalog, PostgresCatalog {
    private final CatalogJdbc jdbc;
    private final CatalogDialect dialect;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    JdbcCatalog(CatalogJdbc jdbc, CatalogDialect dialect, Clock clock) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.clock = clock;
    }

    // ---- accounts and Connect API tokens ------------------------------------------------------

    @Override
    public Account createAccount(String name) {
        return jdbc.inTransaction(c -> {
            dialect.lockTable(c, "accounts");
            return insertAccount(c, name);
        });
    }

    @Override
    public Optional<Account> createAccountIfNone(String name) {
        return jdbc.inTransaction(c -> {
            dialect.lockTable(c, "accounts");
            if (exists(c, "SELECT 1 FROM accounts LIMIT 1", ps -> { })) {
                return Optional.<Account>empty();
            }
            return Optional.of(insertAccount(c, name));
        });
    }

    /** Inserts an account and its embedded destination; the caller holds the lock on {@code accounts}. */
    private Account insertAccount(Connection c, String name) throws SQLException {
        long clientId = unusedClientId(c);
        long now = clock.millis();
        CatalogJdbc.update(c, "INSERT INTO accounts(client_id, name, created_at) VALUES (?,?,?)", ps -> {
            ps.setLong(1, clientId);
            ps.setString(2, name);
            ps.setLong(3, now);
        });
        CatalogJdbc.update(c, "INSERT INTO destinations(client_id, type, properties, created_at, updated_at) VALUES (?,?,?,?,?)", ps -> {
            ps.setLong(1, clientId);
            ps.setString(2, DestinationConfig.DUCKDB);
            ps.setString(3, "{}");
            ps.setLong(4, now);
            ps.setLong(5, now);
        });
        return new Account(clientId, name, Instant.ofEpochMilli(now));
    }

    /** Stitch client ids are 4 to 6 digit numbers; new ones are random 6-digit ids not yet used. */
    private long unusedClientId(Connection c) throws SQLException {
        while (true) {
            long candidate = 100_000 + random.nextInt(900_000);
            if (!exists(c, "SELECT 1 FROM accounts WHERE client_id = ?", ps -> ps.setLong(1, candidate))) {
                return candidate;
            }
        }
    }

    @Override
    public List<Account> accounts() {
        return jdbc.query("SELECT " + ACCOUNT_COLUMNS + " FROM accounts ORDER BY created_at, client_id", ps -> { }, CatalogRows::account);
    }

    @Override
    public void addConnectToken(long clientId, String token) {
        String hash = Tokens.hash(token);
        jdbc.inTransaction(c -> {
            int added = CatalogJdbc.update(c, "INSERT INTO connect_tokens(client_id, token_hash, created_at) VALUES (?,?,?)"
                    + " ON CONFLICT (token_hash) DO NOTHING", ps -> {
                        ps.setLong(1, clientId);
                        ps.setString(2, hash);
                        ps.setLong(3, clock.millis());
                    });
            if (added == 0 && !exists(c, "SELECT 1 FROM connect_tokens WHERE token_hash = ? AND client_id = ?", ps -> {
                ps.setString(1, hash);
                ps.setLong(2, clientId);
            })) {
                throw new IllegalArgumentException("the Connect API token belongs to another account");
            }
            return null;
        });
    }

    @Override
    public Optional<Account> accountForConnectToken(String token) {
        return jdbc.first("SELECT " + prefixed("a.", ACCOUNT_COLUMNS) + " FROM connect_tokens t JOIN accounts a ON a.client_id = t.client_id"
                        + " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                ps -> ps.setString(1, Tokens.hash(token)), CatalogRows::account);
    }

    // ---- sources and Import API tokens --------------------------------------------------------

    @Override
    public Source createSource(long clientId, String type, String name, String displayName) throws NameTakenException {
        return jdbc.inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM sources WHERE client_id = ? AND name = ? AND deleted_at IS NULL", ps -> {
                ps.setLong(1, clientId);
                ps.setString(2, name);
            })) {
                throw new NameTakenException(name);
            }
            long now = clock.millis();
            long id;
            try {
                id = insertReturningId(c, "INSERT INTO sources(client_id, type, name, display_name, properties, created_at, updated_at)"
                        + " VALUES (?,?,?,?,?,?,?) RETURNING id", ps -> {
                            ps.setLong(1, clientId);
                            ps.setString(2, type);
                            ps.setString(3, name);
                            ps.setString(4, displayName);
                            ps.setString(5, "{}");
                            ps.setLong(6, now);
                            ps.setLong(7, now);
                        });
            } catch (SQLException e) {
                if (dialect.isUniqueViolation(e)) {
                    throw new NameTakenException(name); // another node created it since the check
                }
                throw e;
            }
            Instant at = Instant.ofEpochMilli(now);
            return new Source(id, clientId, type, name, displayName, Map.of(), at, at, Optional.empty(), Optional.empty());
        });
    }

    @Override
    public Optional<Source> source(long clientId, long sourceId) {
        return jdbc.first("SELECT " + SOURCE_COLUMNS + " FROM sources WHERE client_id = ? AND id = ?", ps -> {
            ps.setLong(1, clientId);
            ps.setLong(2, sourceId);
        }, CatalogRows::source);
    }

    @Override
    public List<Source> sources(long clientId) {
        return jdbc.query("SELECT " + SOURCE_COLUMNS + " FROM sources WHERE client_id = ? ORDER BY id",
                ps -> ps.setLong(1, clientId), CatalogRows::source);
    }

    @Override
    public Optional<Source> updateSource(long clientId, long sourceId, SourceUpdate change) {
        int updated = jdbc.update("UPDATE sources SET display_name = coalesce(?, display_name),"
                + " paused_at = CASE WHEN ? THEN ? ELSE paused_at END,"
                + " properties = coalesce(?, properties), updated_at = ?"
                + " WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
                    ps.setString(1, change.displayName().orElse(null));
                    ps.setBoolean(2, change.pausedAt().isPresent());
                    if (change.pausedAt().isPresent() && change.pausedAt().get().isPresent()) {
                        ps.setLong(3, change.pausedAt().get().get().toEpochMilli());
                    } else {
                        ps.setNull(3, java.sql.Types.BIGINT);
                    }
                    ps.setString(4, change.properties().map(CatalogRows::writeJson).orElse(null));
                    ps.setLong(5, clock.millis());
                    ps.setLong(6, clientId);
                    ps.setLong(7, sourceId);
                });
        return updated == 0 ? Optional.empty() : source(clientId, sourceId);
    }

    @Override
    public Optional<Source> deleteSource(long clientId, long sourceId) {
        int updated = jdbc.update("UPDATE sources SET deleted_at = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
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
        boolean revoked = jdbc.inTransaction(c -> {
            long now = clock.millis();
            int changed = CatalogJdbc.update(c, "UPDATE import_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
                    + " AND source_id IN (SELECT id FROM sources WHERE client_id = ? AND id = ?)", ps -> {
                        ps.setLong(1, now);
                        ps.setLong(2, tokenId);
                        ps.setLong(3, clientId);
                        ps.setLong(4, sourceId);
                    });
            if (changed > 0) {
                CatalogJdbc.update(c, "UPDATE sources SET updated_at = ? WHERE id = ?", ps -> {
                    ps.setLong(1, now);
                    ps.setLong(2, sourceId);
                });
            }
            return changed > 0;
        });
        return revoked ? source(clientId, sourceId) : Optional.empty();
    }

    @Override
    public Optional<IssuedToken> createImportToken(long clientId, long sourceId, int maxActive) throws TooManyTokensException {
        return jdbc.inTransaction(c -> {
            // Lock the source row first, then count in a later statement: on PostgreSQL that count sees
            // every token committed by a node that held the lock before us.
            if (!exists(c, "SELECT id FROM sources WHERE client_id = ? AND id = ? AND deleted_at IS NULL" + dialect.lockRowsClause(), ps -> {
                ps.setLong(1, clientId);
                ps.setLong(2, sourceId);
            })) {
                return Optional.<IssuedToken>empty();
            }
            int active = CatalogJdbc.query(c, "SELECT count(*) FROM import_tokens WHERE source_id = ? AND revoked_at IS NULL",
                    ps -> ps.setLong(1, sourceId), rs -> rs.getInt(1)).get(0);
            if (active >= maxActive) {
                throw new TooManyTokensException(maxActive);
            }
            String value = Tokens.newImportToken();
            long id = insertReturningId(c, "INSERT INTO import_tokens(source_id, token_hash, created_at) VALUES (?,?,?) RETURNING id", ps -> {
                ps.setLong(1, sourceId);
                ps.setString(2, Tokens.hash(value));
                ps.setLong(3, clock.millis());
            });
            return Optional.of(new IssuedToken(id, value));
        });
    }

    @Override
    public Optional<List<ImportToken>> importTokens(long clientId, long sourceId) {
        if (source(clientId, sourceId).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(jdbc.query("SELECT id, source_id, created_at FROM import_tokens WHERE source_id = ? AND revoked_at IS NULL ORDER BY id DESC",
                ps -> ps.setLong(1, sourceId),
                rs -> new ImportToken(rs.getLong(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)))));
    }

    @Override
    public Optional<ImportGrant> grantForImportToken(String token) {
        return jdbc.first("SELECT t.id, " + prefixed("s.", SOURCE_COLUMNS) + " FROM import_tokens t JOIN sources s ON s.id = t.source_id"
                        + " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                ps -> ps.setString(1, Tokens.hash(token)),
                rs -> new ImportGrant(rs.getLong(1), CatalogRows.source(rs, 2)));
    }

    // ---- destinations ----------------------------------------------------------------------------

    @Override
    public Optional<DestinationConfig> destination(long clientId) {
        return jdbc.first("SELECT " + DESTINATION_COLUMNS + " FROM destinations WHERE client_id = ? AND deleted_at IS NULL",
                ps -> ps.setLong(1, clientId), CatalogRows::destination);
    }

    @Override
    public DestinationConfig createDestination(long clientId, String type, Optional<String> name, Optional<String> description,
                                               Map<String, String> properties) throws DestinationLimitException {
        return jdbc.inTransaction(c -> {
            if (exists(c, "SELECT 1 FROM destinations WHERE client_id = ? AND deleted_at IS NULL", ps -> ps.setLong(1, clientId))) {
                throw new DestinationLimitException();
            }
            long now = clock.millis();
            long id;
            try {
                id = insertReturningId(c, "INSERT INTO destinations(client_id, type, name, description, properties, created_at, updated_at)"
                        + " VALUES (?,?,?,?,?,?,?) RETURNING id", ps -> {
                            ps.setLong(1, clientId);
                            ps.setString(2, type);
                            ps.setString(3, name.orElse(null));
                            ps.setString(4, description.orElse(null));
                            ps.setString(5, writeJson(properties));
                            ps.setLong(6, now);
                            ps.setLong(7, now);
                        });
            } catch (SQLException e) {
                if (dialect.isUniqueViolation(e)) {
                    throw new DestinationLimitException(); // another node created one since the check
                }
                throw e;
            }
            Instant at = Instant.ofEpochMilli(now);
            return new DestinationConfig(id, clientId, type, name, description, Map.copyOf(properties), at, at);
        });
    }

    @Override
    public Optional<DestinationConfig> updateDestination(long clientId, long destinationId, Map<String, String> properties) {
        int changed = jdbc.update("UPDATE destinations SET properties = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
            ps.setString(1, writeJson(properties));
            ps.setLong(2, clock.millis());
            ps.setLong(3, clientId);
            ps.setLong(4, destinationId);
        });
        return changed == 0 ? Optional.empty() : destination(clientId);
    }

    @Override
    public boolean deleteDestination(long clientId, long destinationId) {
        return jdbc.update("UPDATE destinations SET deleted_at = ?, updated_at = ? WHERE client_id = ? AND id = ? AND deleted_at IS NULL", ps -> {
            long now = clock.millis();
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setLong(3, clientId);
            ps.setLong(4, destinationId);
        }) > 0;
    }

    // ---- table keys and load status -------------------------------------------------------------

    @Override
    public Optional<List<String>> keyNames(long sourceId, String tableName) {
        return jdbc.first("SELECT key_names FROM table_keys WHERE source_id = ? AND table_name = ?", ps -> {
            ps.setLong(1, sourceId);
            ps.setString(2, tableName);
        }, rs -> CatalogRows.readList(rs.getString(1)));
    }

    @Override
    public List<String> fixKeyNames(long sourceId, String tableName, List<String> keyNames) {
        // Key names never change once fixed, so every batch after a table's first one only reads them.
        // Reading first keeps the request path off SQLite's write lock, which the batch log's writer
        // holds through each group commit (and off a write on PostgreSQL).
        Optional<List<String>> fixed = keyNames(sourceId, tableName);
        if (fixed.isPresent()) {
            return fixed.get();
        }
        // A concurrent insert of the same key makes this one wait for it, then do nothing; the read that
        // follows is a new statement and sees the winner.
        jdbc.update("INSERT INTO table_keys(source_id, table_name, key_names) VALUES (?,?,?) ON CONFLICT (source_id, table_name) DO NOTHING", ps -> {
            ps.setLong(1, sourceId);
            ps.setString(2, tableName);
            ps.setString(3, writeJson(keyNames));
        });
        return keyNames(sourceId, tableName).orElseThrow();
    }

    @Override
    public void recordLoadSucceeded(long clientId, long sourceId, String tableName, Instant at) {
        jdbc.update("INSERT INTO load_status(source_id, table_name, client_id, last_batch_loaded_at, error_state, updated_at) VALUES (?,?,?,?,NULL,?)"
                + " ON CONFLICT (source_id, table_name) DO UPDATE SET last_batch_loaded_at = excluded.last_batch_loaded_at,"
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
        jdbc.update("INSERT INTO load_status(source_id, table_name, client_id, last_batch_loaded_at, error_state, updated_at) VALUES (?,?,?,NULL,?,?)"
                + " ON CONFLICT (source_id, table_name) DO UPDATE SET error_state = excluded.error_state, updated_at = excluded.updated_at", ps -> {
                    ps.setLong(1, sourceId);
                    ps.setString(2, tableName);
                    ps.setLong(3, clientId);
                    ps.setString(4, errorState);
                    ps.setLong(5, clock.millis());
                });
    }

    @Override
    public List<LoadStatus> loads(long clientId, int offset, int limit) {
        return jdbc.query("SELECT l.client_id, s.name, l.table_name, l.last_batch_loaded_at, l.error_state FROM load_status l"
                        + " JOIN sources s ON s.id = l.source_id WHERE l.client_id = ?"
                        + " ORDER BY " + dialect.codePointOrder("l.table_name") + ", " + dialect.codePointOrder("s.name") + " LIMIT ? OFFSET ?",
                ps -> {
                    ps.setLong(1, clientId);
                    ps.setInt(2, limit);
                    ps.setInt(3, offset);
                },
                rs -> {
                    Optional<String> error = Optional.ofNullable(rs.getString(5));
                    Optional<Instant> loaded = error.isPresent() ? Optional.empty() : CatalogRows.optionalInstant(rs, 4);
                    return new LoadStatus(rs.getLong(1), rs.getString(2), rs.getString(3), loaded, error);
                });
    }

    @Override
    public int loadCount(long clientId) {
        return jdbc.query("SELECT count(*) FROM load_status WHERE client_id = ?", ps -> ps.setLong(1, clientId), rs -> rs.getInt(1)).get(0);
    }

    @Override
    public void close() {
        jdbc.close();
    }
}
