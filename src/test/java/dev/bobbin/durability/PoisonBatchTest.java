package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch the destination cannot load (the data is at fault, the destination is fine) never blocks
 * its table: batches accepted after it load in the same cycles, and after its third failed attempt
 * its records are in {@code <schema>._sdc_rejected} with a reason that names the error (DECISIONS
 * L10: nothing is dropped silently).
 *
 * <p>Values that a warehouse type cannot hold (NUL in text, decimals past DuckDB's scale, dates out
 * of range) are rejected record by record during preparation (see {@code PostgresLoadingTest} and
 * {@code HostileRequestCorpusTest}), so they never reach a destination. What still can is data the
 * user's own changes to a table refuse: here a CHECK constraint added to a PostgreSQL table. The
 * mechanism lives in the loader and is the same for every destination; DuckDB cannot add a
 * constraint to an existing table, so it is exercised on PostgreSQL.
 *
 * <p>The loader is driven by hand ({@link RunningBobbin#MANUAL_LOADING}), one cycle at a time, so
 * that every attempt is counted.
 */
final class PoisonBatchTest {
    @TempDir
    Path dir;
    private RunningBobbin bobbin;

    @AfterEach
    void stop() {
        if (bobbin != null) {
            bobbin.close();
        }
    }

    @Test
    void aBatchThatViolatesAConstraintOfTheUsersIsRejectedAfterThreeAttemptsAndNeverBlocksItsTable() throws Exception {
        bobbin = RunningBobbin.withImportSource(dir, RunningBobbin.MANUAL_LOADING);
        PostgresConnection database = TestPostgres.newDatabase();
        new Api("http://127.0.0.1:" + bobbin.node().port(), bobbin.connectToken()).usePostgres(database);
        String schema = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"v\": {\"type\": \"string\"}}}";
        run(schema, "\"fine\"", "\"poison\"", "violates check constraint \"no_poison\"", database);
    }

    /**
     * @param good   a JSON value for {@code v} that loads
     * @param poison a JSON value for {@code v} the destination refuses
     * @param error  text of the destination's error, which the reject reason must name
     */
    private void run(String schema, String good, String poison, String error, PostgresConnection postgres) throws SQLException {
        accept(batch(schema, 1, 1, good));
        assertThat(bobbin.loadNow()).isEqualTo(1);
        try (Connection c = TestPostgres.connect(postgres)) {
            c.createStatement().execute("ALTER TABLE import_api.readings ADD CONSTRAINT no_poison CHECK (v <> 'poison') NOT VALID");
        }

        accept(batch(schema, 2, 2, poison).upsert(2, "{\"id\": 20, \"v\": " + good + "}"));
        accept(batch(schema, 3, 3, good));
        accept(batch(schema, 4, 4, good));
        assertThat(bobbin.loadNow()).as("attempt 1: the batches after the poison one load").isEqualTo(2);
        assertThat(ids(postgres)).containsExactly(1L, 3L, 4L);
        assertThat(bobbin.pendingBatches()).as("the poison batch waits for its next attempt").isEqualTo(1);

        assertThat(bobbin.loadNow()).as("attempt 2").isZero();
        accept(batch(schema, 5, 5, good));
        accept(batch(schema, 1, 6, good));
        assertThat(bobbin.loadNow()).as("attempt 3: rejected, and the batches after it load").isEqualTo(3);
        assertThat(bobbin.pendingBatches()).isZero();
        assertThat(bobbin.loadNow()).as("nothing left to retry").isZero();

        assertThat(ids(postgres)).containsExactly(1L, 3L, 4L, 5L);
        List<List<Object>> rejected = query(postgres, "SELECT table_name, reason, record FROM import_api._sdc_rejected ORDER BY record");
        assertThat(rejected).as("every record of the poison batch, the loadable one too").hasSize(2);
        for (List<Object> row : rejected) {
            assertThat(row.get(0)).isEqualTo("readings");
            assertThat((String) row.get(1)).contains("after 3 attempts").contains(error);
        }
        assertThat(rejected).extracting(row -> (String) row.get(2)).anyMatch(r -> r.contains("\"id\":2")).anyMatch(r -> r.contains("\"id\":20"));
        assertThat(query(postgres, "SELECT _sdc_sequence FROM import_api.readings WHERE id = 1")).as("id 1 holds its latest version")
                .containsExactly(List.of(6L));
    }

    private static BatchBody batch(String schema, long id, long sequence, String v) {
        return BatchBody.table("readings", schema).keyNames("id").upsert(sequence, "{\"id\": " + id + ", \"v\": " + v + "}");
    }

    private void accept(BatchBody body) {
        HttpReply reply = bobbin.postBatch(body);
        assertThat(reply.status()).as("answer to %s", body).isIn(201, 202);
    }

    private List<Long> ids(PostgresConnection postgres) throws SQLException {
        return query(postgres, "SELECT id FROM import_api.readings ORDER BY id").stream().map(r -> (Long) r.get(0)).toList();
    }

    private List<List<Object>> query(PostgresConnection postgres, String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(postgres)) {
            return Workload.rows(c, sql);
        }
    }
}
