package dev.bobbin.loading;

import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.catalog.Source;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.DestinationException;
import dev.bobbin.destination.Column;
import dev.bobbin.destination.DestinationTransaction;
import dev.bobbin.destination.LoadFailures;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableShape;
import dev.bobbin.log.BatchLog;
import dev.bobbin.log.LoggedBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves accepted batches from the log into each account's destination.
 *
 * <p>Every interval it takes the unacknowledged batches, groups them by source and table (keeping
 * log order inside each group), and loads each group in one destination transaction that also
 * writes the batch keys to the destination's ledger. The log is acknowledged only after that
 * commit; a crash in between replays the group, and the ledger turns the replay into a no-op.
 * A group that fails stays in the log and is retried on the next cycle; other groups go on.
 */
public final class Loader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    private static final int MAX_BATCHES_PER_CYCLE = 2_000;

    private final BatchLog log;
    private final Catalog catalog;
    private final Function<DestinationConfig, Optional<Destination>> destinations;
    private final Duration interval;
    private final Clock clock;
    private final Thread thread;
    private final Object cycleLock = new Object();
    /** Per source id, the tables whose last load attempt failed. */
    private final Map<Long, Set<String>> failingTables = new java.util.concurrent.ConcurrentHashMap<>();
    private final Quarantine quarantine = new Quarantine();
    private final Backoff backoff;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopping;

    public Loader(BatchLog log, Catalog catalog, Function<DestinationConfig, Optional<Destination>> destinations,
                  Duration interval, Clock clock) {
        this.log = log;
        this.catalog = catalog;
        this.destinations = destinations;
        this.interval = interval;
        this.clock = clock;
        this.backoff = new Backoff(clock, interval);
        this.thread = Thread.ofPlatform().name("loader").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (!stopping) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOG.error("load cycle failed; retrying in {} ms", interval.toMillis(), e);
            }
            try {
                if (stopSignal.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Loads what is pending now; returns the number of batches acknowledged. */
    public int runOnce() {
        synchronized (cycleLock) {
            int acknowledged = 0;
            for (List<LoggedBatch> group : groupByTable(log.pending(MAX_BATCHES_PER_CYCLE))) {
                if (stopping) {
                    break;
                }
                acknowledged += loadGroup(group);
            }
            return acknowledged;
        }
    }

    private static List<List<LoggedBatch>> groupByTable(List<LoggedBatch> pending) {
        Map<String, List<LoggedBatch>> groups = new LinkedHashMap<>();
        for (LoggedBatch b : pending) {
            groups.computeIfAbsent(b.sourceId() + "\u0000" + b.tableName(), k -> new ArrayList<>()).add(b);
        }
        return new ArrayList<>(groups.values());
    }

    private int loadGroup(List<LoggedBatch> group) {
        LoggedBatch first = group.get(0);
        Optional<DestinationConfig> config = catalog.destination(first.clientId());
        if (config.isEmpty()) {
            return 0; // DECISIONS C5: batches wait in the log until the account has a destination
        }
        if (!backoff.ready(config.get().id())) {
            return 0;
        }
        Optional<Destination> destination;
        try {
            destination = destinations.apply(config.get());
        } catch (RuntimeException e) {
            LOG.warn("destination {} of account {} is unavailable; {} batch(es) wait: {}", config.get().id(), first.clientId(), group.size(), e.getMessage());
            failed(first, "connect to the destination", e);
            backoff.failed(config.get().id());
            return 0;
        }
        if (destination.isEmpty()) {
            LOG.warn("no loader for destination type {} of account {}; {} batch(es) wait", config.get().type(), first.clientId(), group.size());
            return 0;
        }
        Optional<Source> source = catalog.source(first.clientId(), first.sourceId());
        if (source.isEmpty()) {
            LOG.error("batches {}.. name source {} which is not in the catalog; they wait", first.key(), first.sourceId());
            return 0;
        }
        String schema = source.get().name();
        try {
            loadBatches(destination.get(), schema, group);
        } catch (DestinationException | RuntimeException e) {
            LOG.warn("loading {} batch(es) into {}.{} failed: {}", group.size(), schema, first.tableName(), e.getMessage());
            failed(first, "load", e);
            if (LoadFailures.environmental(e) || !reachable(destination.get())) {
                backoff.failed(config.get().id());
                return 0; // an outage: everything waits in the log, nothing counts against the batches
            }
            return isolate(destination.get(), schema, group, e);
        }
        backoff.succeeded(config.get().id());
        return acknowledged(group);
    }

    private void loadBatches(Destination destination, String schema, List<LoggedBatch> batches) throws DestinationException {
        destination.load(tx -> {
            loadInTransaction(tx, schema, batches);
            return null;
        });
    }

    private int acknowledged(List<LoggedBatch> batches) {
        LoggedBatch first = batches.get(0);
        log.acknowledge(batches);
        quarantine.forget(batches);
        failingTables.computeIfPresent(first.sourceId(), (id, tables) -> {
            tables.remove(first.tableName());
            return tables.isEmpty() ? null : tables;
        });
        catalog.recordLoadSucceeded(first.clientId(), first.sourceId(), first.tableName(), clock.instant());
        return batches.size();
    }

    /**
     * The destination works but this group does not load: the data is at fault. Each batch is tried
     * on its own so that good ones load; a batch that has failed {@link Quarantine#MAX_ATTEMPTS} times
     * is loaded as rejects instead, so that it never blocks its table (issue: poison data). A failure
     * of the destination's environment (disk full, connection lost) never counts against a batch.
     */
    private int isolate(Destination destination, String schema, List<LoggedBatch> group, Exception groupFailure) {
        int done = 0;
        for (LoggedBatch batch : group) {
            List<LoggedBatch> one = List.of(batch);
            Exception failure = groupFailure;
            if (group.size() > 1) {
                try {
                    loadBatches(destination, schema, one);
                    done += acknowledged(one);
                    continue;
                } catch (DestinationException | RuntimeException e) {
                    failure = e;
                }
            }
            if (LoadFailures.environmental(failure) || !quarantine.failedAgain(batch)) {
                continue;
            }
            Exception cause = failure;
            try {
                destination.load(tx -> {
                    if (tx.loadedBatchKeys(List.of(batch.key())).isEmpty()) {
                        tx.reject(schema, quarantine.rejects(batch, cause, clock.instant()));
                        tx.recordLoaded(List.of(batch.key()));
                    }
                    return null;
                });
                LOG.error("batch {} for {}.{} failed to load {} times; its records are in {}._sdc_rejected: {}",
                        batch.key(), schema, batch.tableName(), Quarantine.MAX_ATTEMPTS, schema, failure.getMessage());
                done += acknowledged(one);
            } catch (DestinationException | RuntimeException e) {
                LOG.error("batch {} could not even be rejected; it stays in the log: {}", batch.key(), e.getMessage());
            }
        }
        return done;
    }

    /** Whether the destination answers a trivial transaction: tells an outage from bad data. */
    private static boolean reachable(Destination destination) {
        try {
            destination.load(tx -> tx.loadedBatchKeys(List.of()));
            return true;
        } catch (DestinationException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the last load attempt of any table of the source failed (the Import API then answers 202). */
    public boolean isFailing(long sourceId) {
        return failingTables.containsKey(sourceId);
    }

    private void failed(LoggedBatch first, String action, Exception e) {
        failingTables.compute(first.sourceId(), (id, tables) -> {
            Set<String> failing = tables == null ? java.util.concurrent.ConcurrentHashMap.newKeySet() : tables;
            failing.add(first.tableName());
            return failing;
        });
        try {
            catalog.recordLoadFailed(first.clientId(), first.sourceId(), first.tableName(), LoadErrorState.of(action, e));
        } catch (RuntimeException statusFailure) {
            LOG.warn("could not record the load failure of {}: {}", first.tableName(), statusFailure.getMessage());
        }
    }

    /**
     * One load unit inside its destination transaction: skip batches already in the ledger, prepare,
     * then DDL for every table, then deletes and rows, then versions, rejects and the ledger.
     */
    private void loadInTransaction(DestinationTransaction tx, String schema, List<LoggedBatch> group) {
        Set<String> done = tx.loadedBatchKeys(group.stream().map(LoggedBatch::key).toList());
        List<IncomingMessage> messages = new ArrayList<>();
        List<String> keyNames = null;
        List<String> fresh = new ArrayList<>();
        for (LoggedBatch b : group) {
            if (done.contains(b.key())) {
                continue;
            }
            BatchPayloads.Parsed parsed = BatchPayloads.parse(b);
            if (keyNames == null) {
                keyNames = parsed.keyNames();
            }
            messages.addAll(parsed.messages());
            fresh.add(b.key());
        }
        if (fresh.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Preparation.Collected collected = Preparation.collect(group.get(0).tableName(), keyNames, messages, now);
        Map<String, Optional<TableShape>> shapes = new HashMap<>();
        Function<String, Optional<TableShape>> shapeOf = name -> shapes.computeIfAbsent(name, n -> tx.table(new TableRef(schema, n)));
        Map<List<Object>, Long> stored = Map.of();
        Optional<TableShape> root = shapeOf.apply(collected.table());
        if (root.isPresent() && !root.get().keyColumns().isEmpty() && !collected.candidates().isEmpty()) {
            List<Column> keyColumns = root.get().keyColumns().stream().map(k -> root.get().column(k).orElseThrow()).toList();
            // a key of another type than its column cannot be looked up (and is rejected by plan, L11)
            List<List<Object>> keys = collected.candidates().stream()
                    .filter(c -> Preparation.keyTypesMatch(c, keyColumns))
                    .map(Preparation.Candidate::key)
                    .toList();
            stored = tx.storedSequences(new TableRef(schema, collected.table()), keyColumns, keys);
        }
        PreparedLoad load = Preparation.plan(schema, collected, stored, shapeOf, now);
        for (TablePlan table : load.tables()) {
            if (!table.change().isEmpty()) {
                tx.apply(table.change());
            }
        }
        for (PreparedLoad.ChildDelete delete : load.childDeletes()) {
            tx.deleteChildren(delete.subtable(), delete.sourceKeyColumns(), delete.parentKeys());
        }
        for (TablePlan table : load.tables()) {
            tx.write(table.rows());
        }
        if (load.activateVersion().isPresent()) {
            for (TableRef table : load.versionedTables()) {
                if (shapeOf.apply(table.table()).isPresent() || planned(load, table)) {
                    tx.deleteOlderVersions(table, load.activateVersion().get());
                }
            }
        }
        tx.reject(schema, load.rejects());
        tx.recordLoaded(fresh);
    }

    private static boolean planned(PreparedLoad load, TableRef table) {
        return load.tables().stream().anyMatch(t -> t.rows().table().equals(table));
    }

    /** Stops after the load in progress commits (a transaction boundary); pending batches stay in the log. */
    @Override
    public void close() {
        stopping = true;
        stopSignal.countDown();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
