package dev.bobbin.destination;

/**
 * A warehouse Bobbin loads into. The destination applies what the loader decided (DDL, rows,
 * rejects, ledger) and decides no loading rule itself.
 *
 * <p>A destination is used by one loader thread at a time. Each {@link #load} is one transaction:
 * either everything the work did is committed together with the ledger entries, or nothing is.
 */
public interface Destination extends AutoCloseable {

    /** Work done inside one load transaction. */
    @FunctionalInterface
    interface LoadWork<T> {
        T run(DestinationTransaction tx) throws DestinationException;
    }

    <T> T load(LoadWork<T> work) throws DestinationException;

    @Override
    void close();
}
