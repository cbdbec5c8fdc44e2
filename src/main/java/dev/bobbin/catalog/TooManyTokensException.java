package dev.bobbin.catalog;

/** The source already has the maximum number of active Import API tokens. */
public final class TooManyTokensException extends Exception {
    public TooManyTokensException(int limit) {
        super("an Import API source can have at most " + limit + " active tokens; revoke one first");
    }
}
