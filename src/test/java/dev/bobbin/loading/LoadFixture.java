package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableRef;
import dev.bobbin.destination.TableShape;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.groups.Tuple;

/**
 * Builds the inputs of {@link Preparation#collect} and {@link Preparation#plan} the way the spec's
 * examples state them (JSON records, a warehouse whose tables we describe by hand), and reads the
 * resulting {@link PreparedLoad} back in the same terms (table names, column names, row values).
 */
final class LoadFixture {
    static final String SCHEMA = "import_api";
    /** The seed example's times (loading.md §3). */
    static final Instant RECEIVED_AT = Instant.parse("2019-02-02T00:43:53.750Z");
    static final Instant BATCHED_AT = Instant.parse("2019-02-02T00:44:38.988Z");

    /** The four {@code _sdc} columns every integration table gets (loading.md §3), in the order Bobbin appends them. */
    static final List<Column> SDC = List.of(
            new Column("_sdc_received_at", ColumnType.TIMESTAMPTZ),
            new Column("_sdc_batched_at", ColumnType.TIMESTAMPTZ),
            new Column("_sdc_sequence", ColumnType.BIGINT),
            new Column("_sdc_table_version", ColumnType.BIGINT));
    static final List<String> SDC_NAMES = SDC.stream().map(Column::name).toList();

    private LoadFixture() {
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON in test: " + text, e);
        }
    }

    static long micros(String isoInstant) {
        return Timestamps.toMicros(Instant.parse(isoInstant));
    }

    // ---------------------------------------------------------------- input: batches

    /** A push-style batch: no schema, every value is typed from its JSON type. */
    static Batch batch(String key) {
        return new Batch(key, null);
    }

    /** A batch-endpoint batch: {@code schemaJson} is the JSON Schema of its records. */
    static Batch batch(String key, String schemaJson) {
        return new Batch(key, json(schemaJson));
    }

    /** One request's messages, in the order sent. */
    static final class Batch {
        private final String key;
        private final JsonNode schema;
        private final List<IncomingMessage> messages = new ArrayList<>();
        private long receivedAtMicros = Timestamps.toMicros(RECEIVED_AT);
        private long tableVersion;

        private Batch(String key, JsonNode schema) {
            this.key = key;
            this.schema = schema;
        }

        Batch receivedAt(Instant at) {
            this.receivedAtMicros = Timestamps.toMicros(at);
            return this;
        }

        /** The batch's top-level {@code table_version}; applies to the messages added after this call. */
        Batch tableVersion(long version) {
            this.tableVersion = version;
            return this;
        }

        Batch upsert(long sequence, String data) {
            return add(IncomingMessage.Kind.UPSERT, sequence, json(data), Optional.empty());
        }

        Batch upsertExtracted(long sequence, String data, String timeExtracted) {
            return add(IncomingMessage.Kind.UPSERT, sequence, json(data), Optional.of(micros(timeExtracted)));
        }

        Batch activateVersion(long sequence) {
            return add(IncomingMessage.Kind.ACTIVATE_VERSION, sequence, null, Optional.empty());
        }

        private Batch add(IncomingMessage.Kind kind, long sequence, JsonNode data, Optional<Long> extracted) {
            messages.add(new IncomingMessage(key, receivedAtMicros, messages.size(), kind, sequence, data, schema, tableVersion, extracted));
            return this;
        }

        String key() {
            return key;
        }

        List<IncomingMessage> messages() {
            return List.copyOf(messages);
        }
    }

    // ---------------------------------------------------------------- input: the warehouse as it is

    static Column col(String name, ColumnType type) {
        return new Column(name, type);
    }

    /** Data columns followed by the four {@code _sdc} columns. */
    static List<Column> withSdc(Column... dataColumns) {
        List<Column> out = new ArrayList<>(Arrays.asList(dataColumns));
        out.addAll(SDC);
        return out;
    }

    /** The destination as the load finds it: existing tables and the stored {@code _sdc_sequence} per root key. */
    static final class Warehouse {
        private final Map<String, TableShape> tables = new HashMap<>();
        private final Map<List<Object>, Long> storedSequences = new HashMap<>();

        Warehouse table(String name, List<Column> columns, List<String> keyColumns, String... subtables) {
            tables.put(name, new TableShape(columns, keyColumns, List.of(subtables)));
            return this;
        }

        /** A row of the root table with key {@code key} is stored with {@code _sdc_sequence = sequence}. */
        Warehouse stored(List<Object> key, long sequence) {
            storedSequences.put(key, sequence);
            return this;
        }

        Optional<TableShape> shape(String name) {
            return Optional.ofNullable(tables.get(name));
        }

        /** Collects and plans one load unit of {@code table} made of {@code batches}, in log order. */
        PreparedLoad load(String table, List<String> keyNames, Batch... batches) {
            List<IncomingMessage> messages = new ArrayList<>();
            for (Batch b : batches) {
                messages.addAll(b.messages());
            }
            Preparation.Collected collected = Preparation.collect(table, keyNames, messages, BATCHED_AT);
            return Preparation.plan(SCHEMA, collected, Map.copyOf(storedSequences), this::shape, BATCHED_AT);
        }
    }

    static Warehouse emptyWarehouse() {
        return new Warehouse();
    }

    static PreparedLoad load(String table, List<String> keyNames, Batch... batches) {
        return emptyWarehouse().load(table, keyNames, batches);
    }

    // ---------------------------------------------------------------- output

    static List<String> tableNames(PreparedLoad load) {
        return load.tables().stream().map(t -> t.rows().table().table()).toList();
    }

    static TablePlan table(PreparedLoad load, String name) {
        return load.tables().stream()
                .filter(t -> t.rows().table().table().equals(name))
                .findFirst()
                .orElseGet(() -> fail("no table %s in the load; it has %s", name, tableNames(load)));
    }

    static boolean hasTable(PreparedLoad load, String name) {
        return load.tables().stream().anyMatch(t -> t.rows().table().table().equals(name));
    }

    /** The rows the load writes into {@code name}: none when the load has no plan for that table. */
    static List<Map<String, Object>> rowsOf(PreparedLoad load, String name) {
        return hasTable(load, name) ? rows(table(load, name)) : List.of();
    }

    static List<String> columnNames(TablePlan plan) {
        return plan.rows().columns().stream().map(Column::name).toList();
    }

    /** Column names without the {@code _sdc_} system columns appended to every table. */
    static List<String> dataColumnNames(TablePlan plan) {
        return columnNames(plan).stream().filter(n -> !SDC_NAMES.contains(n) && !n.equals("_sdc_extracted_at")).toList();
    }

    static ColumnType typeOf(TablePlan plan, String column) {
        return plan.rows().columns().stream()
                .filter(c -> c.name().equals(column))
                .findFirst()
                .map(Column::type)
                .orElseGet(() -> fail("no column %s in %s; it has %s", column, plan.rows().table(), columnNames(plan)));
    }

    /** Every row as column name → value, every column of the table present (null when empty). */
    static List<Map<String, Object>> rows(TablePlan plan) {
        List<Column> columns = plan.rows().columns();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] row : plan.rows().rows()) {
            assertThat(row).as("row width of %s", plan.rows().table()).hasSize(columns.size());
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                m.put(columns.get(i).name(), row[i]);
            }
            out.add(m);
        }
        return out;
    }

    /** The rows projected on {@code columns}, as tuples, for {@code containsExactly(tuple(...), ...)}. */
    static List<Tuple> values(TablePlan plan, String... columns) {
        for (String c : columns) {
            typeOf(plan, c); // fails readably when the column is missing
        }
        return rows(plan).stream()
                .map(r -> new Tuple(Arrays.stream(columns).map(r::get).toArray()))
                .toList();
    }

    static List<String> versionedTableNames(PreparedLoad load) {
        return load.versionedTables().stream().map(TableRef::table).toList();
    }

    static List<String> childDeleteTables(PreparedLoad load) {
        return load.childDeletes().stream().map(d -> d.subtable().table()).toList();
    }

    static List<Tuple> rejects(PreparedLoad load) {
        return load.rejects().stream().map(r -> new Tuple(r.tableName(), r.reason(), r.record())).toList();
    }

    static List<String> rejectReasons(PreparedLoad load) {
        return load.rejects().stream().map(RejectedRecord::reason).toList();
    }
}
