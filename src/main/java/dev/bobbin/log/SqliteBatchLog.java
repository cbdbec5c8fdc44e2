package dev.bobbin.log;

import dev.bobbin.sqlite.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BatchLog} in the embedded SQLite file, with group commit.
 *
 * <p>Appends from all request threads are queued to one writer thread, which drains whatever is
 * waiting into a single transaction and commits it: one fsync (WAL, {@code synchronous=FULL}) makes
 * a whole group durable, then every waiting request is released. Reads use their own connection and
 * never wait for the writer.
 *
 * <p>A batch's payload lives in its own row of {@code batch_log_payloads}, apart from the batch's
 * small {@code batch_log} row: acknowledging sets {@code acked_at}, and SQLite rewrites a whole row
 * (overflow pages included) when a value before its end changes size, so with the payload in the
 * same row every acknowledgement wrote the payload again. Rows appended before that table existed
 * keep their payload in {@code batch_log.payload}; new rows store an empty blob there.
 */
public final class SqliteBatchLog implements BatchLog {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteBatchLog.class);
    /**
     * Payload bytes of the batches one {@link #pending} call returns at most (a larger batch is
     * returned alone): one part of the log, which a load cycle groups into units. The payloads
     * themselves are read only by {@link #payload}, unit by unit; before that a backlog of 2,000
     * batches of 4 MB read at once ran a 512 MB server out of heap. 64 MiB, or a sixteenth of the
     * maximum heap when that is less (32 MiB at {@code -Xmx512m}): the loader reads the next part while
     * it loads the last unit of a part, so a smaller part costs little.
     */
    static final long MAX_PENDING_READ_BYTES = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);

    private final Connection writer;
    private final Connection reader;
    private final Connection acker;
    private final Clock clock;
    private final String instance;
    private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    /** A batch's payload length: in {@code batch_log_payloads} (alias p), or in {@code batch_log} (alias b) for old rows. */
    private static final String PAYLOAD_LENGTH = "length(coalesce(p.payload, b.payload))";
    private final long maxBytes;
    private final Duration retention;
    /** Payload bytes appended and not yet acknowledged: what the size cap protects. */
    private final AtomicLong pendingBytes = new AtomicLong();
    /** Payload bytes stored, acknowledged or not; acknowledged ones are purged when space is needed. */
    private final AtomicLong storedBytes = new AtomicLong();
    private long lastRetentionPurgeMillis;
    private long lastProbeNanos;
    private volatile boolean closing;
    private volatile LogHealth health = LogHealth.OK;
    /** Unloaded bytes when an append was last refused for the size cap: the log is full until fewer wait. */
    private volatile long refusedAtPendingBytes;

    private record Append(List<NewBatch> batches, CompletableFuture<Void> done) {
        long bytes() {
            long total = 0;
            for (NewBatch b : batches) {
                total += b.payload().length;
            }
            return total;
        }
    }

    private SqliteBatchLog(Connection writer, Connection reader, Connection acker, Clock clock, String instance,
                           long maxBytes, Duration retention) {
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.writer = writer;
        this.reader = reader;
        this.acker = acker;
        this.clock = clock;
        this.instance = instance;
        this.writerThread = Thread.ofPlatform().name("batch-log-writer").daemon(true).unstarted(this::writeLoop);
    }

    /**
     * Opens (creating if needed) the log in {@code file}.
     *
     * @param maxBytes  the most payload bytes that may wait unloaded; appends beyond it are refused
     * @param retention how long loaded batches are kept before they are purged (sooner when space is needed)
     */
    public static SqliteBatchLog open(Path file, Clock clock, long maxBytes, Duration retention) {
        Connection writer = SqliteFiles.open(file);
        Connection reader = SqliteFiles.open(file);
        Connection acker = SqliteFiles.open(file);
        try {
            String instance = migrate(writer);
            SqliteBatchLog log = new SqliteBatchLog(writer, reader, acker, clock, instance, maxBytes, retention);
            try (Statement st = writer.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(sum(" + PAYLOAD_LENGTH + "), 0),"
                         + " coalesce(sum(CASE WHEN b.acked_at IS NULL THEN " + PAYLOAD_LENGTH + " ELSE 0 END), 0)"
                         + " FROM batch_log b LEFT JOIN batch_log_payloads p ON p.position = b.position")) {
                rs.next();
                log.storedBytes.set(rs.getLong(1));
                log.pendingBytes.set(rs.getLong(2));
            }
            log.writerThread.start();
            return log;
        } catch (SQLException e) {
            closeQuietly(writer);
            closeQuietly(reader);
            closeQuietly(acker);
            throw new IllegalStateException("cannot open the batch log in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates the log's tables if needed; returns this log's instance id, part of every batch key. */
    private static String migrate(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("""
                    CREATE TABLE IF NOT EXISTS batch_log (
                        position     INTEGER PRIMARY KEY AUTOINCREMENT,
                        client_id    INTEGER NOT NULL,
                        source_id    INTEGER NOT NULL,
                        table_name   TEXT    NOT NULL,
                        format       TEXT    NOT NULL,
                        received_at  INTEGER NOT NULL,
                        payload      BLOB    NOT NULL,
                        acked_at     INTEGER
                    )""");
            st.executeUpdate("CREATE INDEX IF NOT EXISTS batch_log_pending ON batch_log(position) WHERE acked_at IS NULL");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS batch_log_payloads (position INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS batch_log_meta (instance TEXT NOT NULL)");
            try (ResultSet rs = st.executeQuery("SELECT instance FROM batch_log_meta")) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            String instance = UUID.randomUUID().toString();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch_log_meta(instance) VALUES (?)")) {
                ps.setString(1, instance);
                ps.executeUpdate();
            }
            return instance;
        }
    }

    @Override
    public void append(List<NewBatch> batches) throws LogUnavailableException {
        if (closing) {
            throw new LogUnavailableException("the batch log is shutting down", null);
        }
        Append append = new Append(List.copyOf(batches), new CompletableFuture<>());
        queue.add(append);
        try {
            append.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogUnavailableException("interrupted while waiting for the batch log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LogFullException full) {
                throw new LogUnavailableException(full.getMessage(), full);
            }
            throw new LogUnavailableException("the batch log could not store the batch: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void writeLoop() {
        List<Append> group = new ArrayList<>();
        while (!(closing && queue.isEmpty())) {
            try {
                Append first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    purgeExpired();
                    probeAfterWriteFailure();
                    continue;
                }
                GroupCommit.takeWaiting(first, queue, group, Append::bytes);
                writeGroup(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                group.clear();
            }
        }
    }

    private void writeGroup(List<Append> all) {
        List<Append> group = admit(all);
        if (group.isEmpty()) {
            return;
        }
        try {
            writer.setAutoCommit(false);
            try (PreparedStatement ps = writer.prepareStatement(
                    "INSERT INTO batch_log(client_id, source_id, table_name, format, received_at, payload) VALUES (?,?,?,?,?,x'')");
                 PreparedStatement payload = writer.prepareStatement(
                         "INSERT INTO batch_log_payloads(position, payload) VALUES (last_insert_rowid(), ?)")) {
                for (Append append : group) {
                    for (NewBatch b : append.batches()) {
                        ps.setLong(1, b.clientId());
                        ps.setLong(2, b.sourceId());
                        ps.setString(3, b.tableName());
                        ps.setString(4, b.format().name());
                        ps.setLong(5, toMicros(b.receivedAt()));
                        ps.executeUpdate();
                        payload.setBytes(1, b.payload());
                        payload.executeUpdate();
                    }
                }
            }
            writer.commit();
            long bytes = group.stream().mapToLong(Append::bytes).sum();
            pendingBytes.addAndGet(bytes);
            storedBytes.addAndGet(bytes);
            health = LogHealth.OK;
            group.forEach(a -> a.done().complete(null));
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            health = LogHealth.failing("the batch log cannot take writes: " + e.getMessage());
            LOG.error("batch log append failed; {} request(s) refused", group.size(), e);
            group.forEach(a -> a.done().completeExceptionally(e));
        }
    }

    /**
     * The appends of a group that fit under the size cap; the others are failed with a "full" error.
     * When the stored bytes would pass the cap, loaded batches are purged first to make room.
     */
    private List<Append> admit(List<Append> group) {
        List<Append> admitted = new ArrayList<>(group.size());
        long pending = pendingBytes.get();
        long stored = storedBytes.get();
        for (Append a : group) {
            if (stored + a.bytes() > maxBytes && stored > pending) {
                purgeAcknowledged(Long.MAX_VALUE);
                stored = storedBytes.get();
            }
            if (pending + a.bytes() > maxBytes) {
                String reason = "the batch log is full: " + pending + " bytes are waiting to be loaded and the limit is "
                        + maxBytes + " (BOBBIN_LOG_MAX_BYTES)";
                refusedAtPendingBytes = pending;
                health = LogHealth.failing(reason);
                a.done().completeExceptionally(new LogFullException(reason));
                continue;
            }
            pending += a.bytes();
            stored += a.bytes();
            admitted.add(a);
        }
        return admitted;
    }

    /**
     * While the last write failed (disk full, I/O or fsync error), tries a small write once a second
     * when no append is waiting: once one commits, the log reports that it takes writes again, even
     * if no client has pushed since (a client or readiness probe that waits for the status to be OK
     * before it pushes would otherwise wait forever).
     */
    private void probeAfterWriteFailure() {
        LogHealth current = health;
        if (current.writable() || current.reason().orElse("").startsWith("the batch log is full")) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastProbeNanos < 1_000_000_000L) {
            return;
        }
        lastProbeNanos = now;
        try {
            writer.setAutoCommit(false);
            try (Statement st = writer.createStatement()) {
                st.executeUpdate("UPDATE batch_log_meta SET instance = instance");
            }
            writer.commit();
            health = LogHealth.OK;
        } catch (SQLException e) {
            rollbackQuietly();
        }
    }

    /** Every minute, purges loaded batches older than the retention. */
    private void purgeExpired() {
        long now = clock.millis();
        if (now - lastRetentionPurgeMillis < 60_000) {
            return;
        }
        lastRetentionPurgeMillis = now;
        purgeAcknowledged(now - retention.toMillis());
    }

    /** Deletes batches acknowledged before {@code ackedBefore} (epoch millis), payloads included; never an unloaded one. */
    private void purgeAcknowledged(long ackedBefore) {
        String purged = "SELECT position FROM batch_log WHERE acked_at IS NOT NULL AND acked_at < ?";
        try {
            writer.setAutoCommit(false);
            try (Statement lock = writer.createStatement()) {
                // Write first, so that the transaction holds the write lock before it reads: a transaction
                // that read first fails its delete with SQLITE_BUSY_SNAPSHOT whenever the acknowledger
                // committed in between, and a log over its size cap retried that on every append group
                // (a 20 MiB batch then took seconds to append).
                lock.executeUpdate("UPDATE batch_log_meta SET instance = instance");
            }
            try (PreparedStatement sum = writer.prepareStatement("SELECT coalesce(sum(" + PAYLOAD_LENGTH + "), 0)"
                    + " FROM batch_log b LEFT JOIN batch_log_payloads p ON p.position = b.position"
                    + " WHERE b.acked_at IS NOT NULL AND b.acked_at < ?");
                 PreparedStatement payloads = writer.prepareStatement("DELETE FROM batch_log_payloads WHERE position IN (" + purged + ")");
                 PreparedStatement delete = writer.prepareStatement("DELETE FROM batch_log WHERE acked_at IS NOT NULL AND acked_at < ?")) {
                sum.setLong(1, ackedBefore);
                long freed;
                try (ResultSet rs = sum.executeQuery()) {
                    rs.next();
                    freed = rs.getLong(1);
                }
                payloads.setLong(1, ackedBefore);
                payloads.executeUpdate();
                delete.setLong(1, ackedBefore);
                delete.executeUpdate();
                writer.commit();
                storedBytes.addAndGet(-freed);
            }
        } catch (SQLException e) {
            rollbackQuietly();
            LOG.warn("purging loaded batches failed; retried later: {}", e.getMessage());
        }
    }

    @Override
    public List<LoggedBatch> pending(int maxBatches) {
        return pendingAfter(0, maxBatches);
    }

    @Override
    public List<LoggedBatch> pendingAfter(LoggedBatch last, int maxBatches) {
        return pendingAfter(last.position(), maxBatches);
    }

    /** Batches without their payloads ({@link #payload} reads one): a loader reads a unit's payloads when it prepares the unit. */
    private synchronized List<LoggedBatch> pendingAfter(long afterPosition, int maxBatches) {
        try (PreparedStatement ps = reader.prepareStatement(
                "SELECT b.position, b.client_id, b.source_id, b.table_name, b.format, b.received_at, " + PAYLOAD_LENGTH
                        + " FROM batch_log b LEFT JOIN batch_log_payloads p ON p.position = b.position"
                        + " WHERE b.acked_at IS NULL AND b.position > ? ORDER BY b.position LIMIT ?")) {
            ps.setLong(1, afterPosition);
            ps.setInt(2, maxBatches);
            List<LoggedBatch> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                long bytes = 0;
                while (rs.next()) {
                    long length = rs.getLong(7);
                    bytes += length;
                    if (!out.isEmpty() && bytes > MAX_PENDING_READ_BYTES) {
                        break;
                    }
                    long position = rs.getLong(1);
                    out.add(new LoggedBatch(position, instance + "/" + position, rs.getLong(2), rs.getLong(3), rs.getString(4),
                            PayloadFormat.valueOf(rs.getString(5)), fromMicros(rs.getLong(6)), length, null));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the batch log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized byte[] payload(LoggedBatch batch) {
        if (batch.payload() != null) {
            return batch.payload();
        }
        try (PreparedStatement ps = reader.prepareStatement(
                "SELECT coalesce(p.payload, b.payload) FROM batch_log b LEFT JOIN batch_log_payloads p ON p.position = b.position"
                        + " WHERE b.position = ?")) {
            ps.setLong(1, batch.position());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("batch " + batch.key() + " is no longer in the batch log");
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the batch log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void acknowledge(Collection<LoggedBatch> batches) {
        if (batches.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = acker.prepareStatement("UPDATE batch_log SET acked_at = ? WHERE position = ? AND acked_at IS NULL")) {
            acker.setAutoCommit(false);
            long now = clock.millis();
            for (LoggedBatch b : batches) {
                ps.setLong(1, now);
                ps.setLong(2, b.position());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            acker.commit();
            long freed = 0;
            int i = 0;
            for (LoggedBatch b : batches) {
                if (i < counts.length && counts[i++] > 0) {
                    freed += b.payloadBytes();
                }
            }
            pendingBytes.addAndGet(-freed);
        } catch (SQLException e) {
            rollback(acker); // the acknowledgement is retried by the next load; a replay is a no-op
            throw new IllegalStateException("cannot acknowledge batches in the batch log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized long pendingCount() {
        try (Statement st = reader.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM batch_log WHERE acked_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the batch log: " + e.getMessage(), e);
        }
    }

    @Override
    public LogHealth health() {
        if (closing) {
            return LogHealth.failing("the batch log is shutting down");
        }
        LogHealth current = health;
        if (!current.writable() && current.reason().orElse("").startsWith("the batch log is full")
                && pendingBytes.get() < refusedAtPendingBytes) {
            return LogHealth.OK; // batches were loaded since the last refusal: there is room again
        }
        return current;
    }

    @Override
    public long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public void close() {
        closing = true;
        try {
            writerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Append left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("the batch log closed"));
        }
        synchronized (this) {
            closeQuietly(writer);
            closeQuietly(reader);
            closeQuietly(acker);
        }
    }

    private void rollbackQuietly() {
        rollback(writer);
    }

    /**
     * Rolls back a failed transaction and leaves the connection in autocommit mode, so that the next
     * {@code setAutoCommit(false)} really begins a transaction. sqlite-jdbc begins the next
     * transaction right after a ROLLBACK; but after SQLITE_FULL or SQLITE_IOERR, SQLite may have
     * rolled back by itself, the ROLLBACK then fails before that, and the connection would run the
     * next statements in autocommit mode, each committed on its own, while this class believes it is
     * inside a transaction (an append would be stored row by row and then answered 503).
     */
    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException alreadyRolledBack) {
            // SQLite ended the transaction itself: nothing of it was committed
        }
        try {
            c.setAutoCommit(true);
        } catch (SQLException noTransaction) {
            // there was no transaction to end; the connection is in autocommit mode now
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing on shutdown; nothing useful to do
        }
    }

    private static long toMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
