package dev.bobbin.loading;

import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableShape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which candidates' stored sequences the loader looks up before planning (L2): only those whose
 * winning or losing changes more than their own row. For the others a losing row is written and the
 * destination's merge keeps the stored row, so the outcome is the same without the look-up.
 */
class StoredSequenceLookupTest {
    private static final String SCHEMA = """
            {"properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "age": {"type": "integer"}}}""";
    private static final TableRef CUSTOMERS = new TableRef(LoadFixture.SCHEMA, "customers");
    private static final TableShape SHAPE = new TableShape(
            withSdc(col("id", ColumnType.BIGINT), col("name", ColumnType.TEXT), col("age", ColumnType.BIGINT)), List.of("id"), List.of());
    private static final Map<List<Object>, Long> STORED = Map.of(
            List.of(1L), 10L, List.of(2L), 10L, List.of(3L), 10L, List.of(4L), 10L, List.of(5L), 10L, List.of(6L), 10L, List.of(7L), 10L);

    private static LoadFixture.Batch mixed() {
        return batch("b1", SCHEMA)
                .upsert(5, "{\"id\":1,\"name\":\"older\"}")                 // loses, fits the table as it is
                .upsert(11, "{\"id\":2,\"name\":\"newer\",\"age\":3}")      // wins, fits as it is
                .upsert(5, "{\"id\":3,\"name\":\"x\",\"has_magic\":true}")  // would add a column
                .upsert(5, "{\"id\":4,\"Name\":\"x\"}")                     // would be rejected (field collision)
                .upsert(5, "{\"id\":5,\"age\":\"text\"}")                   // would split a column
                .upsert(5, "{\"id\":6,\"tags\":[1,2]}")                     // brings subtable rows
                .upsertExtracted(5, "{\"id\":7,\"name\":\"x\"}", "2024-01-01T00:00:00Z") // would add _sdc_extracted_at
                .upsert(5, "{\"id\":8,\"name\":null}")                      // new key, fits as it is
                .upsert(5, "{\"id\":\"9\"}");                               // key of another type: never looked up, rejected (L11)
    }

    private static Preparation.Collected collected(LoadFixture.Batch batch) {
        return Preparation.collect("customers", List.of("id"), batch.messages(), LoadFixture.BATCHED_AT);
    }

    @Test
    void onlyCandidatesThatCouldChangeMoreThanTheirRowAreLookedUp() {
        assertThat(Preparation.keysNeedingStoredSequences(collected(mixed()), CUSTOMERS, SHAPE))
                .as("a key of another type than its column cannot be looked up (the lookup would fail the load); plan rejects it")
                .containsExactly(List.of(3L), List.of(4L), List.of(5L), List.of(6L), List.of(7L));
    }

    @Test
    void everyCandidateIsLookedUpWhenTheTableHasSubtables() {
        TableShape withSubtables = new TableShape(SHAPE.columns(), SHAPE.keyColumns(), List.of("customers__tags"));
        assertThat(Preparation.keysNeedingStoredSequences(collected(mixed()), CUSTOMERS, withSubtables))
                .as("every candidate but the one whose key has another type than its column")
                .hasSize(8);
    }

    /** The plan from the partial look-up equals the full one, but for rows of losers that the merge drops. */
    @Test
    void thePlanIsTheSameButForLosingRowsTheMergeDrops() {
        Preparation.Collected collected = collected(mixed());
        Map<List<Object>, Long> partial = new HashMap<>();
        for (List<Object> key : Preparation.keysNeedingStoredSequences(collected, CUSTOMERS, SHAPE)) {
            if (STORED.containsKey(key)) {
                partial.put(key, STORED.get(key));
            }
        }
        PreparedLoad full = Preparation.plan(LoadFixture.SCHEMA, collected, STORED, name -> name.equals("customers")
                ? Optional.of(SHAPE) : Optional.empty(), LoadFixture.BATCHED_AT);
        PreparedLoad lookedUp = Preparation.plan(LoadFixture.SCHEMA, collected(mixed()), partial, name -> name.equals("customers")
                ? Optional.of(SHAPE) : Optional.empty(), LoadFixture.BATCHED_AT);

        assertThat(lookedUp.tables()).extracting(TablePlan::change).isEqualTo(full.tables().stream().map(TablePlan::change).toList());
        assertThat(lookedUp.childDeletes()).isEqualTo(full.childDeletes());
        assertThat(lookedUp.rejects()).isEqualTo(full.rejects());
        List<Map<String, Object>> fullRows = LoadFixture.rows(LoadFixture.table(full, "customers"));
        List<Map<String, Object>> lookedUpRows = LoadFixture.rows(LoadFixture.table(lookedUp, "customers"));
        assertThat(fullRows).extracting(r -> r.get("id")).containsExactly(2L, 8L);
        assertThat(lookedUpRows).extracting(r -> r.get("id")).containsExactly(1L, 2L, 8L);
        assertThat(lookedUpRows.subList(1, 3)).isEqualTo(fullRows);
        assertThat(lookedUpRows.get(0).get("_sdc_sequence")).as("the extra row loses to the stored one (10) in the merge").isEqualTo(5L);
    }
}
