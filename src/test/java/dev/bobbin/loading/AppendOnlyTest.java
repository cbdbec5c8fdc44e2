package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tables without key names are loaded append-only (loading.md §4, DECISIONS L7): every record is a
 * new row with a generated {@code __sdc_primary_key}, and the table has no primary key.
 */
final class AppendOnlyTest {
    /** import-api.md §6.6 "Without a Primary Key": no key_names field at all. */
    private static final String NO_PRIMARY_KEYS = """
            {
              "table_name": "customers_no_primary_keys",
              "schema": {"properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                         "has_magic": {"type": "boolean"},
                         "modified_at": {"type": "string", "format": "date-time"}}},
              "messages": [{"action": "upsert", "sequence": 1565881320,
                            "data": {"name": "BMO", "age": 2, "has_magic": false,
                                     "modified_at": "2020-01-20T05:57:01+0000"}}]
            }""";

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
    void theDocsExampleWithoutKeyNamesIsAppendedEveryTimeItIsSent() {
        assertThat(bobbin.postBatch(NO_PRIMARY_KEYS).status()).isEqualTo(201);
        assertThat(bobbin.postBatch(NO_PRIMARY_KEYS).status()).isEqualTo(201);
        bobbin.loadNow();
        assertThat(bobbin.postBatch(NO_PRIMARY_KEYS).status()).isEqualTo(201);
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT name, age, has_magic, epoch_us(modified_at), _sdc_sequence"
                + " FROM import_api.customers_no_primary_keys"))
                .hasSize(3)
                .containsOnly(List.of("BMO", "2", "false", "1579499821000000", "1565881320"));
        assertGeneratedKeysDistinct("customers_no_primary_keys", 3);
        assertNoPrimaryKey("customers_no_primary_keys");
    }

    @ParameterizedTest(name = "key_names present and empty: {0}")
    @ValueSource(booleans = {true, false})
    void theSameRecordTwiceInOneRequestGivesTwoRows(boolean emptyKeyNames) {
        BatchBody body = BatchBody.table("events", "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"kind\": {\"type\": \"string\"}}}")
                .upsert(7, "{\"id\":1,\"kind\":\"click\"}")
                .upsert(7, "{\"id\":1,\"kind\":\"click\"}")
                .upsert(3, "{\"id\":1,\"kind\":\"view\"}");
        if (emptyKeyNames) {
            body.set("key_names", JsonText.parse("[]"));
        }
        bobbin.accept(body);
        bobbin.loadNow();

        assertThat(bobbin.rows("SELECT id, kind, _sdc_sequence FROM import_api.events ORDER BY _sdc_sequence DESC, kind"))
                .containsExactly(List.of("1", "click", "7"), List.of("1", "click", "7"), List.of("1", "view", "3"));
        assertGeneratedKeysDistinct("events", 3);
        assertNoPrimaryKey("events");
    }

    @Test
    void theGeneratedKeyIsAUuidInATextColumn() {
        assertThat(bobbin.postBatch(NO_PRIMARY_KEYS).status()).isEqualTo(201);
        bobbin.loadNow();

        assertThat(bobbin.value("SELECT data_type FROM information_schema.columns WHERE table_schema='import_api'"
                + " AND table_name='customers_no_primary_keys' AND column_name='__sdc_primary_key'")).isEqualTo("VARCHAR");
        assertThat(bobbin.value("SELECT __sdc_primary_key FROM import_api.customers_no_primary_keys"))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    private void assertGeneratedKeysDistinct(String table, int rows) {
        assertThat(bobbin.value("SELECT count(DISTINCT __sdc_primary_key) FROM import_api." + table)).isEqualTo(Integer.toString(rows));
        assertThat(bobbin.value("SELECT count(*) FROM import_api." + table + " WHERE __sdc_primary_key IS NULL")).isEqualTo("0");
    }

    private void assertNoPrimaryKey(String table) {
        assertThat(bobbin.rows("SELECT constraint_type FROM duckdb_constraints()"
                + " WHERE schema_name='import_api' AND table_name='" + table + "' AND constraint_type IN ('PRIMARY KEY', 'NOT NULL', 'UNIQUE')"))
                .isEmpty();
    }
}
