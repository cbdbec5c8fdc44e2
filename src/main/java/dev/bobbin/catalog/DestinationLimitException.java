package dev.bobbin.catalog;

/** The account already has its one destination (DECISIONS C5). */
public final class DestinationLimitException extends Exception {
    public DestinationLimitException() {
        super("you are at your destination limit");
    }
}
