package dev.bobbin.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.sqlite.SqliteFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite batch log: payloads come back as appended, in order, until acknowledged, across restarts and file versions. */
class SqliteBatchLogTest {
    private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05.123456Z");

    @TempDir
    Path dir;

    private static NewBatch batch(String table, String payload) {
        return new NewBatch(7, 8, table, PayloadFormat.BATCH_JSON, RECEIVED, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> payloads(BatchLog log, List<LoggedBatch> batches) {
        return batches.stream().map(b -> new String(log.payload(b), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void pendingBatchesComeBackAsAppendedUntilAcknowledged() throws Exception {
        Path file = dir.resolve("catalog.db");
        try (SqliteBatchLog log = SqliteBatchLog.open(file, Clock.systemUTC(), Long.MAX_VALUE, java.time.Duration.ofDays(7))) {
            log.append(List.of(batch("a", "{\"first\":1}"), batch("b", "{\"second\":2}")));
            log.append(List.of(batch("a", "{\"third\":3}")));
            List<LoggedBatch> pending = log.pending(10);
            assertThat(payloads(log, pending)).containsExactly("{\"first\":1}", "{\"second\":2}", "{\"third\":3}");
            assertThat(pending).extracting(LoggedBatch::tableName).containsExactly("a", "b", "a");
            assertThat(pending.get(0).receivedAt()).isEqualTo(RECEIVED);
            assertThat(pending.get(0).clientId()).isEqualTo(7);
            assertThat(pending.get(0).sourceId()).isEqualTo(8);
            // a loader holds payload bytes only for the unit it prepares: pending reads lengths, payload reads bytes
            assertThat(pending).extracting(LoggedBatch::payload).containsOnlyNulls();
            assertThat(pending).extracting(LoggedBatch::payloadBytes).containsExactly(11L, 12L, 11L);

            log.acknowledge(pending.subList(0, 2));
            log.acknowledge(pending.subList(0, 1)); // idempotent
            assertThat(payloads(log, log.pending(10))).containsExactly("{\"third\":3}");
            assertThat(log.pendingCount()).isEqualTo(1);
        }
        try (SqliteBatchLog log = SqliteBatchLog.open(file, Clock.systemUTC(), Long.MAX_VALUE, java.time.Duration.ofDays(7))) {
            assertThat(payloads(log, log.pending(10))).containsExactly("{\"third\":3}");
        }
    }

    /** Files written before payloads had their own table keep their payloads in batch_log.payload. */
    @Test
    void batchesAppendedBeforePayloadsHadTheirOwnTableStillLoad() throws Exception {
        Path file = dir.resolve("catalog.db");
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            st.executeUpdate("""
                    CREATE TABLE batch_log (
                        position     INTEGER PRIMARY KEY AUTOINCREMENT,
                        client_id    INTEGER NOT NULL,
                        source_id    INTEGER NOT NULL,
                        table_name   TEXT    NOT NULL,
                        format       TEXT    NOT NULL,
                        received_at  INTEGER NOT NULL,
                        payload      BLOB    NOT NULL,
                        acked_at     INTEGER
                    )""");
            st.executeUpdate("CREATE INDEX batch_log_pending ON batch_log(position) WHERE acked_at IS NULL");
            st.executeUpdate("CREATE TABLE batch_log_meta (instance TEXT NOT NULL)");
            st.executeUpdate("INSERT INTO batch_log_meta(instance) VALUES ('old-instance')");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO batch_log(client_id, source_id, table_name, format, received_at, payload, acked_at) VALUES (7, 8, ?, 'BATCH_JSON', 0, ?, ?)")) {
                for (String[] row : new String[][] {{"done", "{\"loaded\":true}", "1"}, {"old", "{\"old\":true}", null}}) {
                    ps.setString(1, row[0]);
                    ps.setBytes(2, row[1].getBytes(StandardCharsets.UTF_8));
                    ps.setObject(3, row[2] == null ? null : Long.parseLong(row[2]));
                    ps.executeUpdate();
                }
            }
        }
        try (SqliteBatchLog log = SqliteBatchLog.open(file, Clock.systemUTC(), Long.MAX_VALUE, java.time.Duration.ofDays(7))) {
            log.append(List.of(batch("new", "{\"new\":true}")));
            List<LoggedBatch> pending = log.pending(10);
            assertThat(payloads(log, pending)).containsExactly("{\"old\":true}", "{\"new\":true}");
            assertThat(pending.get(0).key()).isEqualTo("old-instance/2");
            log.acknowledge(pending);
            assertThat(log.pending(10)).isEmpty();
        }
    }

    /** What the loader reads while it loads the last unit of a part of the log: the batches after it, as pending would. */
    @Test
    void pendingAfterReturnsTheUnacknowledgedBatchesAfterOne() throws Exception {
        try (SqliteBatchLog log = SqliteBatchLog.open(dir.resolve("catalog.db"), Clock.systemUTC(), Long.MAX_VALUE, java.time.Duration.ofDays(7))) {
            log.append(List.of(batch("a", "{\"n\":1}"), batch("b", "{\"n\":2}"), batch("a", "{\"n\":3}"), batch("a", "{\"n\":4}")));
            List<LoggedBatch> all = log.pending(10);
            assertThat(payloads(log, log.pendingAfter(all.get(1), 10))).containsExactly("{\"n\":3}", "{\"n\":4}");
            assertThat(payloads(log, log.pendingAfter(all.get(1), 1))).containsExactly("{\"n\":3}");
            log.acknowledge(List.of(all.get(2)));
            assertThat(payloads(log, log.pendingAfter(all.get(0), 10))).containsExactly("{\"n\":2}", "{\"n\":4}");
            assertThat(log.pendingAfter(all.get(3), 10)).isEmpty();
        }
    }

    /** A read stops before the batch that would take it past its byte bound, but always returns at least one batch. */
    @Test
    void aReadHoldsAtMostItsBoundInPayloadsOrOneLargerBatch() throws Exception {
        int third = (int) (SqliteBatchLog.MAX_PENDING_READ_BYTES / 3);
        String payload = "[" + "1,".repeat(third / 2 - 1) + "1]";
        String large = "[" + "1,".repeat((int) SqliteBatchLog.MAX_PENDING_READ_BYTES / 2) + "1]";
        try (SqliteBatchLog log = SqliteBatchLog.open(dir.resolve("catalog.db"), Clock.systemUTC(), Long.MAX_VALUE, java.time.Duration.ofDays(7))) {
            log.append(List.of(batch("a", large), batch("a", payload), batch("a", payload), batch("a", payload), batch("a", payload)));
            List<LoggedBatch> first = log.pending(10);
            assertThat(first).hasSize(1);
            List<LoggedBatch> next = log.pendingAfter(first.get(0), 10);
            assertThat(next).hasSize(3);
            assertThat(next.stream().mapToLong(LoggedBatch::payloadBytes).sum()).isLessThanOrEqualTo(SqliteBatchLog.MAX_PENDING_READ_BYTES);
            assertThat(log.pendingAfter(next.get(2), 10)).hasSize(1);
        }
    }
}
