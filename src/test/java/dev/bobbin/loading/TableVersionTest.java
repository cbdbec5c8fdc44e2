package dev.bobbin.loading;

import static dev.bobbin.destination.ColumnType.BIGINT;
import static dev.bobbin.destination.ColumnType.TEXT;
import static dev.bobbin.loading.LoadFixture.batch;
import static dev.bobbin.loading.LoadFixture.col;
import static dev.bobbin.loading.LoadFixture.emptyWarehouse;
import static dev.bobbin.loading.LoadFixture.load;
import static dev.bobbin.loading.LoadFixture.rowsOf;
import static dev.bobbin.loading.LoadFixture.table;
import static dev.bobbin.loading.LoadFixture.values;
import static dev.bobbin.loading.LoadFixture.versionedTableNames;
import static dev.bobbin.loading.LoadFixture.withSdc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code _sdc_table_version} and {@code activate_version} (loading.md §6, import-api.md §11, DECISIONS L9). */
class TableVersionTest {

    @Test
    void rowsCarryTheBatchTableVersion_inTheTableAndItsSubtables() {
        PreparedLoad load = load("orders", List.of("id"), batch("b1").tableVersion(7).upsert(1, """
                {"id":1,"line_items":[{"sku":"a"}]}
                """));

        assertThat(values(table(load, "orders"), "id", "_sdc_table_version")).containsExactly(tuple(1L, 7L));
        assertThat(values(table(load, "orders__line_items"), "sku", "_sdc_table_version")).containsExactly(tuple("a", 7L));
        assertThat(load.activateVersion()).isEmpty();
    }

    @Test
    void aBatchWithoutTableVersionLoadsVersion0() {
        LoggedBatch logged = loggedBatch("""
                {"table_name":"customers","key_names":["id"],
                 "schema":{"properties":{"id":{"type":"integer"}}},
                 "messages":[{"action":"upsert","sequence":100,"data":{"id":1}}]}
                """);

        BatchPayloads.Parsed parsed = BatchPayloads.parse(BatchPayload.of(logged));
        PreparedLoad load = Preparation.plan(LoadFixture.SCHEMA,
                Preparation.collect("customers", parsed.keyNames(), parsed.messages(), LoadFixture.BATCHED_AT),
                Map.of(), n -> Optional.empty(), LoadFixture.BATCHED_AT);

        assertThat(values(table(load, "customers"), "id", "_sdc_sequence", "_sdc_table_version")).containsExactly(tuple(1L, 100L, 0L));
    }

    @Test
    void aBatchWithTableVersionLoadsThatVersion_andActivateVersionActivatesIt() {
        LoggedBatch logged = loggedBatch("""
                {"table_name":"customers","key_names":["id"],"table_version":3,
                 "schema":{"properties":{"id":{"type":"integer"}}},
                 "messages":[{"action":"upsert","sequence":100,"data":{"id":1}},
                             {"action":"activate_version","sequence":101}]}
                """);

        BatchPayloads.Parsed parsed = BatchPayloads.parse(BatchPayload.of(logged));
        PreparedLoad load = Preparation.plan(LoadFixture.SCHEMA,
                Preparation.collect("customers", parsed.keyNames(), parsed.messages(), LoadFixture.BATCHED_AT),
                Map.of(), n -> Optional.empty(), LoadFixture.BATCHED_AT);

        assertThat(values(table(load, "customers"), "id", "_sdc_table_version")).containsExactly(tuple(1L, 3L));
        assertThat(load.activateVersion()).contains(3L);
    }

    @Test
    void activateVersion_listsTheTableAndAllItsSubtables_knownAndNew() {
        var warehouse = emptyWarehouse()
                .table("orders", withSdc(col("id", BIGINT)), List.of("id"), "orders__line_items", "orders__line_items__tax_lines")
                .table("orders__line_items", withSdc(col("_sdc_source_key_id", BIGINT), col("_sdc_level_0_id", BIGINT)),
                        List.of("_sdc_source_key_id", "_sdc_level_0_id"))
                .table("orders__line_items__tax_lines",
                        withSdc(col("_sdc_source_key_id", BIGINT), col("_sdc_level_0_id", BIGINT), col("_sdc_level_1_id", BIGINT)),
                        List.of("_sdc_source_key_id", "_sdc_level_0_id", "_sdc_level_1_id"));

        PreparedLoad load = warehouse.load("orders", List.of("id"), batch("full-table").tableVersion(2)
                .upsert(10, """
                        {"id":1,"refunds":[{"amount":1}]}
                        """)
                .activateVersion(11));

        assertThat(load.activateVersion()).contains(2L);
        assertThat(versionedTableNames(load)).containsExactlyInAnyOrder(
                "orders", "orders__line_items", "orders__line_items__tax_lines", "orders__refunds");
        assertThat(load.versionedTables()).allSatisfy(t -> assertThat(t.schema()).isEqualTo(LoadFixture.SCHEMA));
        assertThat(values(table(load, "orders"), "id", "_sdc_table_version")).containsExactly(tuple(1L, 2L));
    }

    @Test
    void activateVersionAlone_onAnExistingTable() {
        var warehouse = emptyWarehouse()
                .table("customers", withSdc(col("id", BIGINT), col("name", TEXT)), List.of("id"), "customers__tags")
                .table("customers__tags", withSdc(col("_sdc_source_key_id", BIGINT), col("_sdc_level_0_id", BIGINT), col("value", TEXT)),
                        List.of("_sdc_source_key_id", "_sdc_level_0_id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"), batch("activate").tableVersion(5).activateVersion(1));

        assertThat(load.activateVersion()).contains(5L);
        assertThat(versionedTableNames(load)).containsExactlyInAnyOrder("customers", "customers__tags");
        assertThat(rowsOf(load, "customers")).isEmpty();
        assertThat(load.childDeletes()).isEmpty();
        assertThat(load.rejects()).isEmpty();
    }

    @Test
    void twoActivationsInOneLoadUnit_deleteWhatTheHigherOneDeletes() {
        var warehouse = emptyWarehouse().table("customers", withSdc(col("id", BIGINT)), List.of("id"));

        PreparedLoad load = warehouse.load("customers", List.of("id"),
                batch("v4").tableVersion(4).activateVersion(1),
                batch("v3").tableVersion(3).activateVersion(2));

        assertThat(load.activateVersion()).contains(4L);
    }

    @Test
    void withoutActivateVersionNothingIsActivated() {
        PreparedLoad load = load("customers", List.of("id"), batch("b1").tableVersion(9).upsert(1, """
                {"id":1}
                """));

        assertThat(load.activateVersion()).isEmpty();
    }

    private static LoggedBatch loggedBatch(String payload) {
        return new LoggedBatch(1, "logged-1", 7723, 1, "customers", PayloadFormat.BATCH_JSON,
                Instant.parse("2019-02-02T00:43:53.750Z"), payload.getBytes(StandardCharsets.UTF_8));
    }
}
