package dev.bobbin.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import dev.bobbin.testing.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded DuckDB destination and PostgreSQL follow the same loading rules exactly (DECISIONS,
 * "Loading"), seen from the outside: the same pushes go over HTTP to two nodes, one on its default
 * duckdb destination and one switched to PostgreSQL through the Connect API, each loading after the
 * same steps. Then every table of the schema must have the same columns in the same order, the
 * same types (in a common vocabulary) and the same rows.
 *
 * <p>Values that legitimately differ between runs are not compared, only their presence:
 * {@code _sdc_received_at}, {@code _sdc_batched_at} and {@code _sdc_rejected_at}. Generated keys
 * ({@code __sdc_primary_key}, L7) are random per node, so each is replaced by the content of the row
 * it identifies, in the root table and in the subtable rows that link to it; the links are compared
 * that way.
 *
 * <p>Decimals stay within 29 digits before and 9 after the point: the embedded warehouse's
 * {@code DECIMAL(38,9)} holds no more, while PostgreSQL's {@code numeric} does.
 */
final class DuckDbPostgresParityTest {
    private static final String SCHEMA = "import_api";
    private static final Set<String> RUN_TIMES = Set.of("_sdc_received_at", "_sdc_batched_at", "_sdc_rejected_at");
    private static final String GENERATED_KEY = "__sdc_primary_key";
    private static final String GENERATED_KEY_LINK = "_sdc_source_key___sdc_primary_key";
    private static final String NULL = "<null>";

    private static final String ORDERS_SCHEMA = """
            {"properties": {
               "order_id": {"type": "integer"},
               "created_at": {"type": "string", "format": "date-time"},
               "paid": {"type": "boolean"},
               "total": {"type": "number", "multipleOf": 0.01},
               "note": {"type": ["null", "string"]},
               "customer": {"type": "object", "properties": {"name": {"type": "string"}, "vip": {"type": "boolean"}}},
               "line_items": {"type": "array", "items": {"type": "object", "properties": {
                   "product_id": {"type": "integer"}, "price": {"type": "number"}, "quantity": {"type": "integer"},
                   "tax_lines": {"type": "array", "items": {"type": "object", "properties": {
                       "rate": {"type": "number"}, "title": {"type": "string"}}}}}}}}}""";
    private static final String CUSTOMERS_SCHEMA = """
            {"properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "age": {"type": "integer"},
                            "has_magic": {"type": "boolean"}, "tags": {"type": "array", "items": {"type": ["integer", "string"]}}}}""";
    private static final String CUSTOMERS_SCHEMA_2 = """
            {"properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "age": {"type": "number"},
                            "has_magic": {"type": "string"}, "signed_up": {"type": "string", "format": "date-time"},
                            "tags": {"type": "array", "items": {"type": "boolean"}}}}""";
    private static final String EVENTS_SCHEMA = """
            {"properties": {"kind": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                            "props": {"type": "array", "items": {"type": "object", "properties": {
                                "k": {"type": "string"}, "v": {"type": "number"}}}}}}""";
    private static final String PRODUCTS_SCHEMA = """
            {"properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                            "variants": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}""";

    /** Each step is pushed to both nodes, then both load. */
    private static final List<List<BatchBody>> STEPS = List.of(
            // 1: nested arrays, decimals, doubles, booleans, timestamps, flattened objects, odd text; keyless; a first version;
            //    the extreme values both warehouses hold, and values just past them (rejected)
            List.of(
                    BatchBody.table("orders", ORDERS_SCHEMA).keyNames("order_id")
                            .upsert(10, """
                                    {"order_id": 1, "created_at": "2024-01-02T03:04:05.123456+02:00", "paid": true, "total": 16.98,
                                     "note": "tab\\there, newline\\nthere, backslash \\\\ and quote \\" żółw 🐢",
                                     "customer": {"name": "Finn", "vip": false},
                                     "line_items": [
                                       {"product_id": 5008798, "price": 5.99, "quantity": 1,
                                        "tax_lines": [{"rate": 0.06, "title": "State Tax"}, {"rate": 0.01, "title": "City Tax"}]},
                                       {"product_id": 3445689, "price": 10.99, "quantity": 2,
                                        "tax_lines": [{"rate": 0.06, "title": "State Tax"}]}]}""")
                            .upsert(10, """
                                    {"order_id": 2, "created_at": "1969-07-20T20:17:40Z", "paid": false, "total": -0.5,
                                     "note": null, "line_items": [{"product_id": 1, "price": -2.25e-10, "quantity": 0, "tax_lines": []}]}""")
                            .upsert(10, "{\"order_id\": 3, \"total\": 12345678901234567890.12, \"line_items\": []}")
                            .upsert(10, """
                                    {"order_id": 5, "created_at": "2019-02-02 00:38:33.5", "paid": true, "total": 99999999999999999999999999999.99,
                                     "note": "kept as sent", "customer": {"name": "Bubblegum", "vip": true},
                                     "line_items": [
                                       {"product_id": 9, "price": 1e-300, "quantity": -9223372036854775808,
                                        "tax_lines": [{"rate": 0, "title": ""}, {}, {"rate": 1.7976931348623157e308, "title": "max"}]},
                                       {"product_id": 9223372036854775807, "tax_lines": []},
                                       {"price": 3.0}]}"""),
                    BatchBody.table("extremes", """
                            {"properties": {"id": {"type": "integer"}, "t": {"type": "string", "format": "date-time"},
                                            "d": {"type": "number", "format": "singer.decimal"}, "s": {"type": "string"},
                                            "big": {"type": "integer"}}}""").keyNames("id")
                            .upsert(1, "{\"id\": 1, \"t\": \"-4713-11-24T00:00:00Z\", \"d\": 99999999999999999999999999999.999999999}")
                            .upsert(1, "{\"id\": 2, \"t\": \"+294247-01-10T04:00:54.775806Z\", \"d\": -0.000000001}")
                            .upsert(1, "{\"id\": 3, \"t\": \"-4713-11-23T23:59:59Z\"}")
                            .upsert(1, "{\"id\": 4, \"s\": \"a\\u0000b\"}")
                            .upsert(1, "{\"id\": 5, \"big\": 9223372036854775808, \"t\": \"1970-01-01T00:00:00Z\"}")
                            .upsert(1, "{\"id\": 6, \"t\": \"1969-12-31T23:59:59.999999Z\", \"d\": 0}"),
                    BatchBody.table("pageviews", """
                            {"properties": {"url": {"type": "string"}, "refs": {"type": "array", "items": {"type": "object",
                                            "properties": {"from": {"type": "string"}, "hops": {"type": "array", "items": {"type": "integer"}}}}}}}""")
                            .upsert(1, "{\"url\": \"/a\", \"refs\": [{\"from\": \"x\", \"hops\": [1, 2]}, {\"from\": \"y\"}]}")
                            .upsert(1, "{\"url\": \"/a\", \"refs\": [{\"from\": \"x\", \"hops\": [1, 2]}, {\"from\": \"y\"}]}")
                            .upsert(2, "{\"url\": \"/b\"}"),
                    BatchBody.table("customers", CUSTOMERS_SCHEMA).keyNames("id")
                            .upsert(1, "{\"id\": 1, \"name\": \"Finn\", \"age\": 15, \"has_magic\": false, \"tags\": [1, 2]}")
                            .upsert(1, "{\"id\": 2, \"name\": \"Jake\", \"age\": 28, \"has_magic\": true, \"tags\": [3, \"dog\"]}")
                            .upsert(1, "{\"id\": 3, \"name\": \"BMO\\ttab\\nnewline \\\\ backslash \\\" quote ' żółw 🐢\", \"tags\": [10, \"x\"]}"),
                    BatchBody.table("events", EVENTS_SCHEMA)
                            .upsert(1, "{\"kind\": \"click\", \"at\": \"2024-03-01T00:00:00.000001Z\", \"props\": [{\"k\": \"x\", \"v\": 1.5}]}")
                            .upsert(1, "{\"kind\": \"view\", \"props\": [{\"k\": \"y\", \"v\": 1e300}, {\"k\": \"z\"}]}")
                            .upsert(2, "{\"kind\": \"view\", \"props\": [{\"k\": \"y\", \"v\": 1e300}, {\"k\": \"z\"}]}"),
                    BatchBody.table("products", PRODUCTS_SCHEMA).keyNames("id").set("table_version", JsonText.parse("1"))
                            .upsert(1, "{\"id\": 1, \"name\": \"one\", \"variants\": [{\"sku\": \"1a\"}, {\"sku\": \"1b\"}]}")
                            .upsert(1, "{\"id\": 2, \"name\": \"two\", \"variants\": [{\"sku\": \"2a\"}]}")
                            .message("{\"action\": \"activate_version\", \"sequence\": 1}")),
            // 2: updates (higher, lower, equal), shorter and missing arrays, splits across loads, new columns, appends
            List.of(
                    BatchBody.table("orders", ORDERS_SCHEMA).keyNames("order_id")
                            .upsert(11, "{\"order_id\": 1, \"paid\": true, \"line_items\": [{\"product_id\": 7, \"price\": 1.0, \"quantity\": 1,"
                                    + " \"tax_lines\": [{\"rate\": 0.2, \"title\": \"VAT\"}]}]}")
                            .upsert(9, "{\"order_id\": 2, \"note\": \"lower: ignored\", \"line_items\": []}")
                            .upsert(10, "{\"order_id\": 3, \"note\": \"equal: ignored\"}")
                            .upsert(12, "{\"order_id\": 4, \"created_at\": \"2000-02-29\", \"total\": 0}"),
                    BatchBody.table("customers", CUSTOMERS_SCHEMA_2).keyNames("id")
                            .upsert(2, "{\"id\": 1, \"name\": \"Finn\", \"age\": 16.5, \"has_magic\": \"yes\", \"tags\": [true]}")
                            .upsert(2, "{\"id\": 4, \"name\": \"Marceline\", \"age\": 1003, \"signed_up\": \"2019-02-02T00:38:33+00:00\"}"),
                    BatchBody.table("events", EVENTS_SCHEMA)
                            .upsert(3, "{\"kind\": \"click\", \"props\": []}"),
                    BatchBody.table("pageviews", "{\"properties\": {\"url\": {\"type\": \"string\"}}}")
                            .upsert(3, "{\"url\": \"/a\", \"refs\": [{\"from\": \"z\", \"hops\": [\"far\"]}]}"),
                    BatchBody.table("products", PRODUCTS_SCHEMA).keyNames("id").set("table_version", JsonText.parse("2"))
                            .upsert(2, "{\"id\": 2, \"name\": \"two v2\", \"variants\": [{\"sku\": \"2a\"}, {\"sku\": \"2b\"}]}")
                            .upsert(2, "{\"id\": 3, \"name\": \"three\", \"variants\": [{\"sku\": \"3a\"}]}")),
            // 3: activate the new version; rejects of every kind; a table whose only data is null
            List.of(
                    BatchBody.table("products", PRODUCTS_SCHEMA).keyNames("id").set("table_version", JsonText.parse("2"))
                            .message("{\"action\": \"activate_version\", \"sequence\": 3}"),
                    BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": \"integer\"}}}").keyNames("id")
                            .upsert(5, "{\"id\": 5, \"name\": \"ok\", \"" + "c".repeat(60) + "\": \"too long\", \"" + "d".repeat(59) + "\": \"kept\"}")
                            .upsert(5, "{\"id\": 6, \"name\": \"a\", \"Name\": \"b\"}")
                            .upsert(5, "{\"id\": 7, \"size__st\": \"reserved suffix\"}")
                            .upsert(5, "{\"id\": 8, \"_sdc_secret\": 1}")
                            .upsert(5, "{\"id\": 9, \"NAME\": \"case clash with an existing column\"}"),
                    BatchBody.table("customers", "{\"properties\": {\"id\": {\"type\": \"string\"}}}").keyNames("id")
                            .upsert(5, "{\"id\": \"ten\", \"name\": \"key of another type\"}"),
                    BatchBody.table("t".repeat(64), "{\"properties\": {\"id\": {\"type\": \"integer\"}}}").keyNames("id")
                            .upsert(1, "{\"id\": 1}"),
                    BatchBody.table("empty_things", "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"x\": {\"type\": [\"null\", \"string\"]}}}")
                            .keyNames("id").upsert(1, "{\"id\": 1, \"x\": null}")),
            // 4: a split inside a subtable across loads, and a later version of a keyless table
            List.of(
                    BatchBody.table("customers", CUSTOMERS_SCHEMA).keyNames("id")
                            .upsert(7, "{\"id\": 2, \"name\": \"Jake\", \"tags\": [\"dog\", 5]}"),
                    BatchBody.table("events", EVENTS_SCHEMA).set("table_version", JsonText.parse("5"))
                            .upsert(9, "{\"kind\": \"login\", \"props\": [{\"k\": \"ip\", \"v\": 127.0}]}")
                            .message("{\"action\": \"activate_version\", \"sequence\": 9}")));

    @TempDir
    Path duckDir;
    @TempDir
    Path pgDir;

    @Test
    void theSamePushesEndIdenticalInDuckDbAndPostgres() throws SQLException {
        PostgresConnection database = TestPostgres.newDatabase();
        Path warehouse;
        try (RunningBobbin duck = RunningBobbin.withImportSource(duckDir, RunningBobbin.MANUAL_LOADING);
             RunningBobbin pg = RunningBobbin.withImportSource(pgDir, RunningBobbin.MANUAL_LOADING)) {
            pg.switchToPostgres(database);
            assertThat(duck.destinations().get(0).get("type").asText()).isEqualTo("duckdb");
            for (List<BatchBody> step : STEPS) {
                for (BatchBody body : step) {
                    duck.accept(body);
                    pg.accept(body);
                }
                duck.loadNow();
                pg.loadNow();
                assertThat(duck.pendingBatches()).as("duckdb node loaded every batch").isZero();
                assertThat(pg.pendingBatches()).as("postgres node loaded every batch").isZero();
            }
            assertThat(pg.tables(SCHEMA)).as("the postgres node wrote nothing to its own warehouse").isEmpty();
            warehouse = duck.node().config().dataDir().resolve("warehouse.duckdb");
        }

        Map<String, Table> inDuckDb;
        try (Connection c = DuckDbWarehouse.openReadOnly(warehouse)) {
            inDuckDb = dump(c);
        }
        Map<String, Table> inPostgres;
        try (Connection c = TestPostgres.connect(database)) {
            inPostgres = dump(c);
        }

        // the script really exercised what it claims to
        assertThat(inDuckDb.keySet()).containsExactly("_sdc_rejected", "customers", "customers__tags", "empty_things", "events",
                "events__props", "extremes", "orders", "orders__line_items", "orders__line_items__tax_lines", "pageviews",
                "pageviews__refs", "pageviews__refs__hops", "products", "products__variants");
        assertThat(inDuckDb.get("customers").columnNames()).contains("age__bi", "age__do", "has_magic__bo", "has_magic__st", "d".repeat(59));
        assertThat(inDuckDb.get("customers__tags").columnNames()).contains("value__bi", "value__st", "value__bo");
        assertThat(inDuckDb.get("_sdc_rejected").rows()).hasSize(9);
        assertThat(inDuckDb.get("extremes").rows()).hasSize(4);
        assertThat(inDuckDb.get("pageviews").rows()).hasSize(4);
        assertThat(inDuckDb.get("pageviews__refs__hops").columnNames()).contains("value__bi", "value__st");
        assertThat(inDuckDb.get("orders__line_items__tax_lines").rows()).hasSize(4);
        assertThat(inDuckDb.get("products").rows()).hasSize(2);
        assertThat(inDuckDb.get("events").rows()).hasSize(1);
        assertThat(inDuckDb.get("empty_things").rows()).hasSize(1);

        assertThat(inPostgres.keySet()).containsExactlyElementsOf(inDuckDb.keySet());
        for (String table : inDuckDb.keySet()) {
            assertThat(inPostgres.get(table).columns()).as("columns of %s", table).containsExactlyElementsOf(inDuckDb.get(table).columns());
            assertThat(inPostgres.get(table).rows()).as("rows of %s", table).containsExactlyElementsOf(inDuckDb.get(table).rows());
        }
    }

    /** A table's columns as "name type" and its rows normalized, sorted. */
    record Table(List<String> columns, List<List<String>> rows) {
        List<String> columnNames() {
            return columns.stream().map(c -> c.substring(0, c.lastIndexOf(' '))).toList();
        }
    }

    /** Every table of the schema, by name. */
    private static Map<String, Table> dump(Connection c) throws SQLException {
        List<String> tables = strings(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", SCHEMA);
        Map<String, List<String[]>> columns = new LinkedHashMap<>();
        Map<String, List<List<String>>> raw = new LinkedHashMap<>();
        for (String table : tables) {
            List<String[]> cols = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
                ps.setString(1, SCHEMA);
                ps.setString(2, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cols.add(new String[] {rs.getString(1), commonType(rs.getString(2))});
                    }
                }
            }
            columns.put(table, cols);
            raw.put(table, rows(c, table, cols));
        }
        // a generated key stands for the content of the row it identifies
        Map<String, String> generated = new HashMap<>();
        for (String table : tables) {
            int key = indexOf(columns.get(table), GENERATED_KEY);
            if (key >= 0) {
                for (List<String> row : raw.get(table)) {
                    List<String> content = new ArrayList<>(row);
                    content.remove(key);
                    generated.put(row.get(key), "row" + content);
                }
            }
        }
        Map<String, Table> out = new LinkedHashMap<>();
        for (String table : tables) {
            List<String[]> cols = columns.get(table);
            List<List<String>> rows = new ArrayList<>();
            for (List<String> row : raw.get(table)) {
                List<String> normalized = new ArrayList<>(row);
                for (int i = 0; i < cols.size(); i++) {
                    String name = cols.get(i)[0];
                    if (name.equals(GENERATED_KEY) || name.equals(GENERATED_KEY_LINK)) {
                        assertThat(generated).as("%s.%s links to a row", table, name).containsKey(row.get(i));
                        normalized.set(i, generated.get(row.get(i)));
                    }
                }
                rows.add(normalized);
            }
            rows.sort(DuckDbPostgresParityTest::compareRows);
            out.put(table, new Table(cols.stream().map(col -> col[0] + " " + col[1]).toList(), rows));
        }
        return out;
    }

    private static int indexOf(List<String[]> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i)[0].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int compareRows(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static List<List<String>> rows(Connection c, String table, List<String[]> columns) throws SQLException {
        String select = "SELECT " + columns.stream().map(col -> quote(col[0])).collect(Collectors.joining(", "))
                + " FROM " + quote(SCHEMA) + "." + quote(table);
        List<List<String>> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select)) {
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns.size());
                for (int i = 0; i < columns.size(); i++) {
                    String value = normalized(rs, i + 1, columns.get(i)[1]);
                    row.add(value != null && RUN_TIMES.contains(columns.get(i)[0]) ? "<set>" : value == null ? NULL : value);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** One value as text: epoch microseconds, plain decimals without trailing zeros, true/false; null for NULL. */
    private static String normalized(ResultSet rs, int i, String type) throws SQLException {
        Object value = switch (type) {
            case "bigint" -> rs.getLong(i);
            case "double" -> rs.getDouble(i);
            case "decimal" -> rs.getBigDecimal(i);
            case "boolean" -> rs.getBoolean(i);
            case "timestamptz" -> rs.getObject(i, OffsetDateTime.class);
            case "text" -> rs.getString(i);
            default -> throw new AssertionError("no normalization for " + type);
        };
        if (rs.wasNull()) {
            return null;
        }
        return switch (value) {
            case Double d -> BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
            case BigDecimal d -> d.stripTrailingZeros().toPlainString();
            case OffsetDateTime t -> Long.toString(micros(t.toInstant()));
            default -> value.toString();
        };
    }

    /** PostgreSQL's and DuckDB's {@code information_schema} type names in one vocabulary. */
    private static String commonType(String dataType) {
        return switch (dataType) {
            case "bigint", "BIGINT" -> "bigint";
            case "double precision", "DOUBLE" -> "double";
            case "numeric" -> "decimal";
            case "boolean", "BOOLEAN" -> "boolean";
            case "timestamp with time zone", "TIMESTAMP WITH TIME ZONE" -> "timestamptz";
            case "text", "VARCHAR" -> "text";
            default -> {
                if (dataType.startsWith("DECIMAL(")) {
                    yield "decimal";
                }
                throw new AssertionError("a column of type " + dataType + " is not one Bobbin creates");
            }
        };
    }

    private static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
