package dev.bobbin.catalog;

/**
 * What an Import API token grants: writes into one source of one account.
 *
 * @param tokenId      the token's id (never the token itself)
 * @param source       the source the token belongs to, with its current pause/delete state
 */
public record ImportGrant(long tokenId, Source source) {

    public long clientId() {
        return source.clientId();
    }
}
