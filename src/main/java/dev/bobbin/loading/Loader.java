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
import java.util.HashSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves accepted batches from the log into each account's destination.
 *
 * <p>Each cycle takes a bounded part of the unacknowledged batches (the log bounds its payload
 * bytes), groups them by source and table (keeping log order inside each group), and loads each
 * group as consecutive load units of at most {@link #MAX_UNIT_BYTES} of payload (less on a small
 * heap, see {@link #HEAP_PER_PAYLOAD_BYTE}), each in one destination transaction that also writes
 * the batch keys to the destination's ledger. The log is acknowledged only after that commit; a
 * crash in between replays the unit, and the ledger turns the replay into a no-op. A unit that fails
 * stays in the log with the rest of its group, which waits behind it, and is retried on the next
 * cycle; other groups go on.
 *
 * <p>A unit's records stay in memory, parsed and prepared, until its commit, so the unit size bounds
 * the loader's memory whatever the backlog. Its payloads are read from the log ({@link BatchLog#payload})
 * only when the unit is read, and let go once its records are collected (a record the plan rejects
 * then reads its {@code _sdc_rejected} text from the log again, {@link BatchPayload}); the records go
 * once the unit's rows are planned. While one unit's transaction runs, the next unit (of the
 * same table or the next) is read and collected ({@link BatchPayloads}, {@link Preparation#collect}:
 * pure work on the batches alone) on a second thread, so that this work overlaps the destination's,
 * when both units together fit in a third of the heap; at most two units are in memory. While the
 * last unit of a cycle loads, that thread also reads the next part of the log
 * ({@link BatchLog#pendingAfter}) and its first unit, so that a backlog loads without a pause or a
 * small unit at each part; when a unit of the cycle did not load, that part is dropped and the next
 * cycle starts again from the oldest pending batch. An early reading is used only when none of the
 * unit's batches is in the ledger yet; otherwise the unit is read again inside its transaction
 * without the loaded ones. Loading a group as several units gives the rows the destination would
 * have had if the loader had run between those batches: winners against the stored rows follow the
 * same sequence rule (L2) as winners inside one unit.
 */
public final class Loader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    private static final int MAX_BATCHES_PER_CYCLE = 2_000;
    /** Payload bytes of one load unit (a single larger batch is a unit of its own). */
    static final long MAX_UNIT_BYTES = 32L * 1024 * 1024;
    /** Payload bytes of a table's first unit in a cycle; each next unit may be twice as large, up to {@link #MAX_UNIT_BYTES}. */
    static final long FIRST_UNIT_BYTES = MAX_UNIT_BYTES / 8;
    /**
     * Heap a unit takes while it is in memory, parsed, collected and planned, per byte of its payload,
     * rounded up: collected, 20,000 orders with 12 line items take 3.5 times their payload and 20,000
     * flat customers 2.6 times; planning adds the rows' arrays.
     */
    static final long HEAP_PER_PAYLOAD_BYTE = 5;

    /** Heap the units in memory may take together: a third of the maximum heap. */
    private final long heapBudget = Runtime.getRuntime().maxMemory() / 3;
    /**
     * Payload bytes of one unit: {@link #MAX_UNIT_BYTES}, or less when two such units would not fit
     * in {@link #heapBudget} (17 MiB at {@code -Xmx512m}).
     */
    private final long maxUnitBytes = Math.max(FIRST_UNIT_BYTES, Math.min(MAX_UNIT_BYTES, heapBudget / (2 * HEAP_PER_PAYLOAD_BYTE)));
    /** The next part of the log being read while the last unit of a cycle loads; guarded by {@link #cycleLock}. */
    private Future<Lookahead> lookahead;

    private final BatchLog log;
    private final Catalog catalog;
    private final Function<DestinationConfig, Optional<Destination>> destinations;
    private final Duration interval;
    private final Clock clock;
    private final Thread thread;
    /** Reads and collects the next unit while the loader thread loads the current one. */
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(
            task -> Thread.ofPlatform().name("loader-prepare").daemon(true).unstarted(task));
    private final Object cycleLock = new Object();
    /** Per source id, the tables whose last load attempt failed. */
    private final Map<Long, Set<String>> failingTables = new java.util.concurrent.ConcurrentHashMap<>();
    private final Quarantine quarantine = new Quarantine();
    private final Backoff backoff;
    /** Released by {@link #wake} and {@link #close}: a loader that found the log empty waits for a permit or the interval. */
    private final Semaphore wakeUps = new Semaphore(0);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    /** Whether the last cycle found pending batches (it may have loaded none of them: a destination down, backing off). */
    private volatile boolean lastCycleFoundPending;
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
                if (runOnce() > 0) {
                    continue; // a backlog: the log hands out a bounded part of it per cycle, so take the next part at once
                }
            } catch (RuntimeException e) {
                LOG.error("load cycle failed; retrying in {} ms", interval.toMillis(), e);
            } catch (OutOfMemoryError e) {
                // The cycle's units are garbage once it unwinds, and intake goes on answering 2xx: a loader
                // thread that died here would leave every later batch unloaded while the log fills.
                LOG.error("load cycle ran out of heap; retrying in {} ms (give the server more heap if this repeats)",
                        interval.toMillis(), e);
            }
            try {
                if (lastCycleFoundPending) {
                    // batches wait (a destination down or backing off, no destination yet): appends do not
                    // hurry the next attempt, or every request would cost a read of the log during an outage
                    if (stopSignal.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } else {
                    // the log was empty: a batch appended since (during the cycle too) wakes the loader at once
                    wakeUps.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUps.drainPermits(); // the cycle about to run reads the log after every append woken for so far
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Loads what is pending now; returns the number of batches acknowledged. */
    public int runOnce() {
        synchronized (cycleLock) {
            Lookahead ahead = awaitLookahead();
            List<LoggedBatch> pending = ahead != null ? ahead.batches() : log.pending(MAX_BATCHES_PER_CYCLE);
            lastCycleFoundPending = !pending.isEmpty();
            if (LOG.isDebugEnabled() && !pending.isEmpty()) {
                LOG.debug("load cycle: {} pending batches, {} payload bytes, {}", pending.size(), payloadBytes(pending),
                        ahead != null ? "read while the last cycle loaded" : "read now");
            }
            // a part read ahead continues a backlog whose loading is under way: no small first unit
            List<List<LoggedBatch>> units = cycleUnits(pending, ahead != null ? maxUnitBytes : Math.min(FIRST_UNIT_BYTES, maxUnitBytes));
            pending = null; // each unit's payloads become garbage once the unit is loaded
            Future<Prepared> next = null;
            if (!units.isEmpty()) {
                next = ahead != null && ahead.firstUnit().equals(units.get(0)) ? ahead.first() : prepareLater(units.get(0));
            } else if (ahead != null && ahead.first() != null) {
                ahead.first().cancel(false);
            }
            int acknowledged = 0;
            Set<String> stopped = new HashSet<>(); // tables with a unit that did not load: the rest of each waits
            for (int u = 0; u < units.size(); u++) {
                List<LoggedBatch> unit = units.get(u);
                units.set(u, null);
                Future<Prepared> current = next;
                next = null;
                if (stopping) {
                    cancel(current);
                    break;
                }
                if (stopped.contains(tableOf(unit.get(0)))) {
                    cancel(current);
                    if (u + 1 < units.size() && !stopped.contains(tableOf(units.get(u + 1).get(0)))) {
                        next = prepareLater(units.get(u + 1));
                    }
                    continue;
                }
                if (u + 1 < units.size()) {
                    if (fitsWith(unit, units.get(u + 1))) {
                        next = prepareLater(units.get(u + 1));
                    }
                } else if (stopped.isEmpty()) {
                    lookahead = readAheadLater(unit);
                }
                int loaded = loadGroup(unit, current);
                acknowledged += loaded;
                if (loaded < unit.size()) {
                    stopped.add(tableOf(unit.get(0))); // so that no batch loads before an earlier one of its table
                }
            }
            cancel(next);
            if (lookahead != null && (!stopped.isEmpty() || stopping)) {
                lookahead.cancel(false); // the next cycle starts again from the oldest batch still pending
                lookahead = null;
            }
            return acknowledged;
        }
    }

    /**
     * The batches after {@code last}, the last batch of a cycle, read (and their first unit read and
     * collected, when the heap allows) while {@code last}'s unit loads; null when there are none.
     */
    private Lookahead readAhead(List<LoggedBatch> lastUnit) {
        List<LoggedBatch> after = log.pendingAfter(lastUnit.get(lastUnit.size() - 1), MAX_BATCHES_PER_CYCLE);
        if (after.isEmpty()) {
            return null;
        }
        List<LoggedBatch> firstUnit = cycleUnits(after, maxUnitBytes).get(0);
        CompletableFuture<Prepared> first = null;
        if (fitsWith(lastUnit, firstUnit)) {
            first = new CompletableFuture<>();
            try {
                first.complete(prepare(firstUnit));
            } catch (RuntimeException | Error e) {
                first.completeExceptionally(e); // reported by the unit's load, as any early reading's failure
            }
        }
        return new Lookahead(after, firstUnit, first);
    }

    /** {@link #readAhead} on the reading thread, after the reading already queued there; null when closing. */
    private Future<Lookahead> readAheadLater(List<LoggedBatch> lastUnit) {
        try {
            return preparer.submit(() -> readAhead(lastUnit));
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** The part read ahead at the end of the last cycle, or null: none, or its reading failed (then {@link BatchLog#pending} is read). */
    private Lookahead awaitLookahead() {
        Future<Lookahead> ahead = lookahead;
        lookahead = null;
        if (ahead == null) {
            return null;
        }
        try {
            return ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            LOG.warn("reading the next pending batches ahead failed; reading them again: {}", e.getMessage());
            return null;
        }
    }

    /** The next part of the log, read while the last unit of a cycle loaded, and the early reading of its first unit (or null). */
    private record Lookahead(List<LoggedBatch> batches, List<LoggedBatch> firstUnit, Future<Prepared> first) {
    }

    /** Whether {@code next} may be read and collected while {@code current} is in memory. */
    private boolean fitsWith(List<LoggedBatch> current, List<LoggedBatch> next) {
        return HEAP_PER_PAYLOAD_BYTE * (payloadBytes(current) + payloadBytes(next)) <= heapBudget;
    }

    private static long payloadBytes(List<LoggedBatch> batches) {
        long bytes = 0;
        for (LoggedBatch b : batches) {
            bytes += b.payloadBytes();
        }
        return bytes;
    }

    private static void cancel(Future<Prepared> early) {
        if (early != null) {
            early.cancel(false);
        }
    }

    private static String tableOf(LoggedBatch b) {
        return b.sourceId() + "\u0000" + b.tableName();
    }

    /** The load units of a cycle's batches, table after table, each table's in log order. */
    private List<List<LoggedBatch>> cycleUnits(List<LoggedBatch> pending, long firstBytes) {
        List<List<LoggedBatch>> all = new ArrayList<>();
        for (List<LoggedBatch> group : groupByTable(pending)) {
            all.addAll(units(group, firstBytes, maxUnitBytes));
        }
        return all;
    }

    private static List<List<LoggedBatch>> groupByTable(List<LoggedBatch> pending) {
        Map<String, List<LoggedBatch>> groups = new LinkedHashMap<>();
        for (LoggedBatch b : pending) {
            groups.computeIfAbsent(tableOf(b), k -> new ArrayList<>()).add(b);
        }
        return new ArrayList<>(groups.values());
    }

    /**
     * Consecutive runs of a group's batches: the first of at most {@code firstBytes} of payload, each
     * next one of at most twice as much as the one before, up to {@code maxBytes} (a larger batch is
     * a unit of its own). Small units first let the destination start on the first one while the
     * next is read, instead of waiting for a whole large unit to be read.
     */
    static List<List<LoggedBatch>> units(List<LoggedBatch> group, long firstBytes, long maxBytes) {
        List<List<LoggedBatch>> units = new ArrayList<>();
        List<LoggedBatch> unit = new ArrayList<>();
        long bytes = 0;
        long limit = Math.min(firstBytes, maxBytes);
        for (LoggedBatch b : group) {
            if (!unit.isEmpty() && bytes + b.payloadBytes() > limit) {
                units.add(unit);
                unit = new ArrayList<>();
                bytes = 0;
                limit = Math.min(limit * 2, maxBytes);
            }
            unit.add(b);
            bytes += b.payloadBytes();
        }
        if (!unit.isEmpty()) {
            units.add(unit);
        }
        return units;
    }

    /**
     * A unit's batches read and collected, as if none of them were loaded yet. The collected records
     * are handed over once ({@link #take}): the transaction that plans them lets them go once planned,
     * while this object is still reachable from the unit's early reading.
     */
    private static final class Prepared {
        private final List<String> batchKeys;
        private final Instant now;
        private Preparation.Collected collected;

        Prepared(List<String> batchKeys, Preparation.Collected collected, Instant now) {
            this.batchKeys = batchKeys;
            this.collected = collected;
            this.now = now;
        }

        List<String> batchKeys() {
            return batchKeys;
        }

        Instant now() {
            return now;
        }

        /** The collected records, or null when they were taken already. */
        synchronized Preparation.Collected take() {
            Preparation.Collected taken = collected;
            collected = null;
            return taken;
        }
    }

    private Future<Prepared> prepareLater(List<LoggedBatch> unit) {
        try {
            return preparer.submit(() -> prepare(unit));
        } catch (RejectedExecutionException e) {
            return null; // closing: the unit is read in its transaction, if it still loads
        }
    }

    /**
     * Reads the batches' payloads from the log and collects their records (pure work); null when there
     * is nothing to load. The payloads are held only until the records are collected: the records the
     * plan rejects later read their text from the log again ({@link BatchPayload}).
     */
    private Prepared prepare(List<LoggedBatch> batches) {
        if (batches.isEmpty()) {
            return null;
        }
        List<IncomingMessage> messages = new ArrayList<>();
        List<BatchPayload> payloads = new ArrayList<>(batches.size());
        List<String> keyNames = null;
        for (LoggedBatch b : batches) {
            BatchPayload payload = new BatchPayload(b, log::payload);
            payloads.add(payload);
            BatchPayloads.Parsed parsed = BatchPayloads.parse(payload);
            if (keyNames == null) {
                keyNames = parsed.keyNames();
            }
            messages.addAll(parsed.messages());
        }
        Instant now = clock.instant();
        Preparation.Collected collected = Preparation.collect(batches.get(0).tableName(), keyNames, messages, now);
        payloads.forEach(BatchPayload::release);
        return new Prepared(batches.stream().map(LoggedBatch::key).toList(), collected, now);
    }

    /** The early reading of a unit, or the exception it ended with, as if it had happened here. */
    private static Prepared await(Future<Prepared> early) {
        try {
            return early.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the batches", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Loads one unit of one table's batches; returns how many were acknowledged (all or none).
     *
     * @param early the unit read and collected ahead of time, or null
     */
    private int loadGroup(List<LoggedBatch> group, Future<Prepared> early) {
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
            loadBatches(destination.get(), schema, group, early);
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

    /** Loads batches in one transaction; {@code early} is their reading done ahead, or null. */
    private void loadBatches(Destination destination, String schema, List<LoggedBatch> batches, Future<Prepared> early)
            throws DestinationException {
        destination.load(tx -> {
            loadInTransaction(tx, schema, batches, early);
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
                    loadBatches(destination, schema, one, null);
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
                    tx.claim(new TableRef(schema, batch.tableName()));
                    if (tx.loadedBatchKeys(List.of(batch.key())).isEmpty()) {
                        tx.reject(schema, quarantine.rejects(new BatchPayload(batch, log::payload), cause, clock.instant()));
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
     * One load unit inside its destination transaction: claim the table (another node may hold the same
     * batches for a moment), skip batches already in the ledger, prepare,
     * then DDL for every table, then deletes and rows, then versions, rejects and the ledger.
     */
    private void loadInTransaction(DestinationTransaction tx, String schema, List<LoggedBatch> group, Future<Prepared> early) {
        tx.claim(new TableRef(schema, group.get(0).tableName()));
        Set<String> done = tx.loadedBatchKeys(group.stream().map(LoggedBatch::key).toList());
        Prepared prepared = null;
        if (done.isEmpty() && early != null) {
            prepared = await(early);
        } else if (early != null) {
            early.cancel(false);
        }
        Preparation.Collected collected = prepared == null ? null : prepared.take();
        if (collected == null) {
            prepared = prepare(group.stream().filter(b -> !done.contains(b.key())).toList());
            if (prepared == null) {
                return; // every batch is in the ledger already: a replay
            }
            collected = prepared.take();
        }
        List<String> fresh = prepared.batchKeys();
        Instant now = prepared.now();
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
        collected = null; // the rows are planned: what else the records held is garbage while they are written
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

    /**
     * Asks an idle loader to look at the log now rather than at the end of its interval (called after an
     * append); a loader in a cycle finishes it and then starts the next at once when the cycle loaded anything.
     */
    public void wake() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /** Stops after the load in progress commits (a transaction boundary); pending batches stay in the log. */
    @Override
    public void close() {
        stopping = true;
        stopSignal.countDown();
        wakeUps.release();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        preparer.shutdownNow();
    }
}
