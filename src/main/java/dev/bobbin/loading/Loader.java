package dev.bobbin.loading;

import dev.bobbin.catalog.Catalog;
import dev.bobbin.catalog.DestinationConfig;
import dev.bobbin.catalog.Source;
import dev.bobbin.destination.Destination;
import dev.bobbin.destination.DestinationException;
import dev.bobbin.destination.Column;
import dev.bobbin.destination.DestinationTransaction;
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
 * log order inside each group), and loads each group as consecutive load units of at most
 * {@link #MAX_UNIT_BYTES} of payload, each in one destination transaction that also writes the
 * batch keys to the destination's ledger. The log is acknowledged only after that commit; a crash
 * in between replays the unit, and the ledger turns the replay into a no-op. A unit that fails stays
 * in the log with the rest of its group, which waits behind it, and is retried on the next cycle;
 * other groups go on.
 *
 * <p>A unit's records stay in memory, parsed and prepared, until its commit, so the unit size bounds
 * the loader's memory whatever the backlog. Loading a group as several units gives the rows the
 * destination would have had if the loader had run between those batches: winners against the
 * stored rows follow the same sequence rule (L2) as winners inside one unit.
 */
public final class Loader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    private static final int MAX_BATCHES_PER_CYCLE = 2_000;
    /** Payload bytes of one load unit (a single larger batch is a unit of its own). */
    static final long MAX_UNIT_BYTES = 32L * 1024 * 1024;

    private final BatchLog log;
    private final Catalog catalog;
    private final Function<DestinationConfig, Optional<Destination>> destinations;
    private final Duration interval;
    private final Clock clock;
    private final Thread thread;
    private final Object cycleLock = new Object();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopping;

    public Loader(BatchLog log, Catalog catalog, Function<DestinationConfig, Optional<Destination>> destinations,
                  Duration interval, Clock clock) {
        this.log = log;
        this.catalog = catalog;
        this.destinations = destinations;
        this.interval = interval;
        this.clock = clock;
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
                for (List<LoggedBatch> unit : units(group, MAX_UNIT_BYTES)) {
                    if (stopping) {
                        return acknowledged;
                    }
                    int loaded = loadGroup(unit);
                    acknowledged += loaded;
                    if (loaded < unit.size()) {
                        break; // the rest of the table waits, so that no batch loads before an earlier one
                    }
                }
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

    /** Consecutive runs of a group's batches of at most {@code maxBytes} of payload each (a larger batch alone). */
    static List<List<LoggedBatch>> units(List<LoggedBatch> group, long maxBytes) {
        List<List<LoggedBatch>> units = new ArrayList<>();
        List<LoggedBatch> unit = new ArrayList<>();
        long bytes = 0;
        for (LoggedBatch b : group) {
            if (!unit.isEmpty() && bytes + b.payload().length > maxBytes) {
                units.add(unit);
                unit = new ArrayList<>();
                bytes = 0;
            }
            unit.add(b);
            bytes += b.payload().length;
        }
        if (!unit.isEmpty()) {
            units.add(unit);
        }
        return units;
    }

    /** Loads one unit of one table's batches; returns how many were acknowledged (all or none). */
    private int loadGroup(List<LoggedBatch> group) {
        LoggedBatch first = group.get(0);
        Optional<DestinationConfig> config = catalog.destination(first.clientId());
        if (config.isEmpty()) {
            return 0; // DECISIONS C5: batches wait in the log until the account has a destination
        }
        Optional<Destination> destination;
        try {
            destination = destinations.apply(config.get());
        } catch (RuntimeException e) {
            LOG.warn("destination {} of account {} is unavailable; {} batch(es) wait: {}", config.get().id(), first.clientId(), group.size(), e.getMessage());
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
            destination.get().load(tx -> {
                loadInTransaction(tx, schema, group);
                return null;
            });
        } catch (DestinationException | RuntimeException e) {
            LOG.warn("loading {} batch(es) into {}.{} failed; they stay in the log and are retried: {}",
                    group.size(), schema, first.tableName(), e.getMessage());
            return 0;
        }
        log.acknowledge(group);
        return group.size();
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
            TableRef rootTable = new TableRef(schema, collected.table());
            List<List<Object>> keys = Preparation.keysNeedingStoredSequences(collected, rootTable, root.get());
            if (!keys.isEmpty()) {
                List<Column> keyColumns = root.get().keyColumns().stream().map(k -> root.get().column(k).orElseThrow()).toList();
                stored = tx.storedSequences(rootTable, keyColumns, keys);
            }
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
