package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.TableRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagingTableTest {
    private static final TableRef ORDERS = new TableRef("shop", "orders");
    private static final List<Column> COLUMNS = List.of(new Column("id", ColumnType.BIGINT), new Column("name", ColumnType.TEXT));

    @Test
    void oneNamePerTargetShape() {
        String name = StagingTable.nameFor(ORDERS, COLUMNS);
        assertThat(name).matches("pg_temp\\.\"_bobbin_stage_[0-9a-f]{16}\"");
        assertThat(StagingTable.nameFor(new TableRef("shop", "orders"), List.copyOf(COLUMNS))).isEqualTo(name);
    }

    @Test
    void anotherShapeOrTableGetsAnotherStagingTable() {
        String name = StagingTable.nameFor(ORDERS, COLUMNS);
        assertThat(StagingTable.nameFor(ORDERS, List.of(new Column("id", ColumnType.BIGINT), new Column("name__st", ColumnType.TEXT)))).isNotEqualTo(name);
        assertThat(StagingTable.nameFor(ORDERS, List.of(new Column("id", ColumnType.BIGINT), new Column("name", ColumnType.BIGINT)))).isNotEqualTo(name);
        assertThat(StagingTable.nameFor(ORDERS, List.of(COLUMNS.get(0)))).isNotEqualTo(name);
        assertThat(StagingTable.nameFor(new TableRef("shop", "orders2"), COLUMNS)).isNotEqualTo(name);
        assertThat(StagingTable.nameFor(new TableRef("sho", "porders"), COLUMNS)).isNotEqualTo(name);
    }
}
