package dev.bobbin.catalog;

import java.util.List;
import java.util.Optional;

/**
 * Accounts, their sources, tokens and destinations, and the key names fixed per table.
 *
 * <p>Thread-safe: every method may be called from any request thread. Every method that takes a
 * {@code clientId} is scoped to that account: objects of other accounts are invisible, exactly as if
 * they did not exist. Tokens are passed in as plain values and stored only as {@link Tokens#hash}.
 * Failures of the underlying store surface as {@link CatalogException}.
 *
 * <p>Shared store: several processes (Bobbin nodes, {@code bobbin accounts}) may use the same catalog
 * at once, and every rule below holds across them (unique live source names, the active token limit,
 * one live destination, first key names win, one bootstrap account). Nothing is cached: every call reads
 * through to the store, so a change committed by one process (a revoked token, a paused or deleted
 * source, a new destination) is seen by the next call in every process, well within one second.
 */
public interface Catalog extends AutoCloseable {

    /** Creates an account with its embedded {@code duckdb} destination (DECISIONS C5), in one transaction. */
    Account createAccount(String name);

    /**
     * Creates an account exactly like {@link #createAccount}, but only when the catalog holds no account
     * at all; atomic across every process sharing the catalog, so when several nodes bootstrap an empty
     * catalog at the same moment exactly one of them creates the account.
     *
     * @return the created account; empty when an account already existed
     */
    Optional<Account> createAccountIfNone(String name);

    /** All accounts, oldest first. */
    List<Account> accounts();

    /**
     * Stores a Connect API token (its hash) for the account. Idempotent: adding a token the account
     * already has (revoked or not) changes nothing.
     *
     * @throws IllegalArgumentException when the token is stored for another account
     */
    void addConnectToken(long clientId, String token);

    /** The account a Connect API token belongs to, if the token is known and not revoked. */
    Optional<Account> accountForConnectToken(String token);

    /** @throws NameTakenException when a live source of the account already uses {@code name} */
    Source createSource(long clientId, String type, String name, String displayName) throws NameTakenException;

    Optional<Source> source(long clientId, long sourceId);

    List<Source> sources(long clientId);

    /**
     * Applies a source update: a new display name, a pause time (or unpause with an empty value), new
     * properties; each only when given. Sets {@code updated_at}.
     *
     * @return the updated source; empty when the account has no live source with that id
     */
    Optional<Source> updateSource(long clientId, long sourceId, SourceUpdate update);

    /** Marks the source deleted (its schema and data stay); empty when the account has no live source with that id. */
    Optional<Source> deleteSource(long clientId, long sourceId);

    /**
     * Revokes an Import API token of a source and touches the source's {@code updated_at}.
     *
     * @return the source; empty when the source or the active token does not exist for this account
     */
    Optional<Source> revokeImportToken(long clientId, long sourceId, long tokenId);

    /**
     * Creates an Import API token for the source, if the account owns it and it has fewer than
     * {@code maxActive} active tokens.
     *
     * @return empty when the source does not exist for this account
     */
    Optional<IssuedToken> createImportToken(long clientId, long sourceId, int maxActive) throws TooManyTokensException;

    /** Active tokens of a source, newest first; empty when the source does not exist for this account. */
    Optional<List<ImportToken>> importTokens(long clientId, long sourceId);

    /** What an Import API token grants, if the token is known and not revoked (the source may be inactive). */
    Optional<ImportGrant> grantForImportToken(String token);

    /** The account's destination, if it has one. */
    Optional<DestinationConfig> destination(long clientId);

    /**
     * Creates the account's destination.
     *
     * @throws DestinationLimitException when the account already has one (DECISIONS C5)
     */
    DestinationConfig createDestination(long clientId, String type, Optional<String> name, Optional<String> description,
                                        java.util.Map<String, String> properties) throws DestinationLimitException;

    /** Replaces a destination's properties; empty when the account has no live destination with that id. */
    Optional<DestinationConfig> updateDestination(long clientId, long destinationId, java.util.Map<String, String> properties);

    /** Marks a destination deleted; false when the account has no live destination with that id. */
    boolean deleteDestination(long clientId, long destinationId);

    /** The key names fixed for a table by its first accepted batch (DECISIONS I10), if any. */
    Optional<List<String>> keyNames(long sourceId, String tableName);

    /**
     * Fixes a table's key names unless already fixed; returns the key names now in force. The first
     * writer wins, also between processes racing for the same table.
     */
    List<String> fixKeyNames(long sourceId, String tableName, List<String> keyNames);

    /** Records that batches of a table committed at {@code at}; clears its error state (an upsert). */
    void recordLoadSucceeded(long clientId, long sourceId, String tableName, java.time.Instant at);

    /** Records that the last load attempt of a table failed, with the error state as JSON object text. */
    void recordLoadFailed(long clientId, long sourceId, String tableName, String errorState);

    /** One page of the account's load statuses, ordered by stream name (then source name), by code point. */
    List<LoadStatus> loads(long clientId, int offset, int limit);

    /** How many tables of the account have a load status. */
    int loadCount(long clientId);

    @Override
    void close();
}
