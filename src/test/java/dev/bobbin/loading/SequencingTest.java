package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.RunningBobbin;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which record wins for a key (loading.md §5, DECISIONS L2, L12): a record replaces the stored row
 * only with a strictly greater sequence, within a request and across requests, in whatever order
 * they arrive; a winner replaces the whole row.
 *
 * <p>"Loaded separately" runs the loader after every request, so the comparison happens against
 * the warehouse; "loaded together" loads all requests in one cycle, so it happens in preparation.
 */
final class SequencingTest {
    private static final String ORDERS_SCHEMA = """
            {"properties": {"id": {"type": "integer"}, "status": {"type": "string"}}}""";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void withinOneRequestALowerSequenceDoesNotOverwriteAHigherOne() {
        // loading.md §5: id 2 at 1574807445000 then id 2 at 1574807395000 -> only the first is loaded
        bobbin.accept(BatchBody.customers()
                .upsert(1574807356000L, "{\"id\":1,\"name\":\"Finn\"}")
                .upsert(1574807445000L, "{\"id\":2,\"name\":\"Jake\"}")
                .upsert(1574807395000L, "{\"id\":2,\"name\":\"Jake (older)\"}"));
        bobbin.loadNow();

        assertThat(customers()).containsExactly(
                List.of("1", "Finn", "1574807356000"),
                List.of("2", "Jake", "1574807445000"));
    }

    @Test
    void withinOneRequestAHigherSequenceAfterALowerOneWins() {
        bobbin.accept(BatchBody.customers()
                .upsert(100, "{\"id\":1,\"name\":\"old\"}")
                .upsert(101, "{\"id\":1,\"name\":\"new\"}"));
        bobbin.loadNow();

        assertThat(customers()).containsExactly(List.of("1", "new", "101"));
    }

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void acrossRequestsALowerSequenceNeverOverwritesAndAHigherOneReplaces(boolean loadedSeparately) {
        push(loadedSeparately, BatchBody.customers().upsert(200, "{\"id\":1,\"name\":\"two hundred\"}"));
        push(loadedSeparately, BatchBody.customers().upsert(100, "{\"id\":1,\"name\":\"one hundred\"}"));
        bobbin.loadNow();
        assertThat(customers()).containsExactly(List.of("1", "two hundred", "200"));

        push(loadedSeparately, BatchBody.customers().upsert(300, "{\"id\":1,\"name\":\"three hundred\"}"));
        bobbin.loadNow();
        assertThat(customers()).containsExactly(List.of("1", "three hundred", "300"));
    }

    @Test
    void withinOneRequestAnEqualSequenceKeepsTheFirstRecord() {
        bobbin.accept(BatchBody.customers()
                .upsert(500, "{\"id\":1,\"name\":\"first\"}")
                .upsert(500, "{\"id\":1,\"name\":\"second\"}"));
        bobbin.loadNow();

        assertThat(customers()).containsExactly(List.of("1", "first", "500"));
    }

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void acrossRequestsAnEqualSequenceKeepsTheFirstAccepted(boolean loadedSeparately) {
        push(loadedSeparately, BatchBody.customers().upsert(500, "{\"id\":1,\"name\":\"first\"}"));
        push(loadedSeparately, BatchBody.customers().upsert(500, "{\"id\":1,\"name\":\"second\"}"));
        bobbin.loadNow();

        assertThat(customers()).containsExactly(List.of("1", "first", "500"));
    }

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void theDocsFourRequestExample(boolean loadedSeparately) {
        // loading.md §5 (old docs): 1 and 2 continue, 3 is dropped (lower than 2), 4 continues (other key)
        push(loadedSeparately, BatchBody.table("orders", ORDERS_SCHEMA).keyNames("id").upsert(100, "{\"id\":10,\"status\":\"pending\"}"));
        push(loadedSeparately, BatchBody.table("orders", ORDERS_SCHEMA).keyNames("id").upsert(101, "{\"id\":10,\"status\":\"canceled\"}"));
        push(loadedSeparately, BatchBody.table("orders", ORDERS_SCHEMA).keyNames("id").upsert(99, "{\"id\":10,\"status\":\"new\"}"));
        push(loadedSeparately, BatchBody.table("orders", ORDERS_SCHEMA).keyNames("id").upsert(90, "{\"id\":22,\"status\":\"new\"}"));
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT id, status, _sdc_sequence FROM import_api.orders ORDER BY id")).containsExactly(
                List.of("10", "canceled", "101"),
                List.of("22", "new", "90"));
    }

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void aWinningRecordReplacesTheWholeRow(boolean loadedSeparately) {
        // id 2 makes sure the age and has_magic columns exist whichever way the batches are loaded
        push(loadedSeparately, BatchBody.customers()
                .upsert(1, "{\"id\":1,\"name\":\"Finn\",\"age\":15,\"has_magic\":false}")
                .upsert(1, "{\"id\":2,\"name\":\"Jake\",\"age\":28,\"has_magic\":true}"));
        push(loadedSeparately, BatchBody.customers().upsert(2, "{\"id\":1,\"name\":\"Finn the Human\"}"));
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT id, name, age, has_magic, _sdc_sequence FROM import_api.customers ORDER BY id"))
                .containsExactly(
                        Arrays.asList("1", "Finn the Human", null, null, "2"),
                        Arrays.asList("2", "Jake", "28", "true", "1"));
    }

    @Test
    void aLosingRecordChangesNothingInTheTable() {
        push(true, BatchBody.customers().upsert(2, "{\"id\":1,\"name\":\"Finn\",\"age\":15}"));
        push(true, BatchBody.customers().upsert(1, "{\"id\":1,\"name\":\"Finn\",\"has_magic\":true}"));

        assertThat(bobbin.rows("SELECT id, name, age, _sdc_sequence FROM import_api.customers"))
                .containsExactly(Arrays.asList("1", "Finn", "15", "2"));
        assertThat(bobbin.rows("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = 'import_api' AND table_name = 'customers' AND column_name = 'has_magic'"))
                .as("a record that loses on sequence is dropped whole: its fields create no column (L2, L8)")
                .isEmpty();
    }

    @ParameterizedTest(name = "loaded separately: {0}")
    @ValueSource(booleans = {true, false})
    void sequencesAbove2To53AreComparedExactly(boolean loadedSeparately) {
        // both sequences round to the same double; only exact 64-bit comparison lets the second win
        BigInteger lower = new BigInteger("1574807445000000000");
        BigInteger higher = new BigInteger("1574807445000000001");
        assertThat(lower.doubleValue()).isEqualTo(higher.doubleValue());

        push(loadedSeparately, BatchBody.customers().upsert(lower, "{\"id\":1,\"name\":\"lower\"}"));
        push(loadedSeparately, BatchBody.customers().upsert(higher, "{\"id\":1,\"name\":\"higher\"}"));
        bobbin.loadNow();
        assertThat(customers()).containsExactly(List.of("1", "higher", "1574807445000000001"));

        push(loadedSeparately, BatchBody.customers().upsert(lower, "{\"id\":1,\"name\":\"lower again\"}"));
        bobbin.loadNow();
        assertThat(customers()).containsExactly(List.of("1", "higher", "1574807445000000001"));
    }

    @Test
    void theLargestSequenceIsStoredExactly() {
        bobbin.accept(BatchBody.customers().upsert(Long.MAX_VALUE, "{\"id\":1,\"name\":\"max\"}"));
        bobbin.loadNow();

        assertThat(customers()).containsExactly(List.of("1", "max", "9223372036854775807"));
    }

    private void push(boolean loadSeparately, BatchBody body) {
        bobbin.accept(body);
        if (loadSeparately) {
            assertThat(bobbin.loadNow()).isEqualTo(1);
        }
    }

    private List<List<String>> customers() {
        return bobbin.rows("SELECT id, name, _sdc_sequence FROM import_api.customers ORDER BY id");
    }
}
