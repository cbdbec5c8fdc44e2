package dev.bobbin.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code POST /v2/import/batch} bodies for the HTTP benchmark, built before any clock starts: the
 * customers shape of {@link Customers} (flat, keyed by {@code id}), and an orders shape with a
 * nested object and an array of line items (de-nested into {@code orders__line_items}). Every body
 * of a set has other keys, and sequences grow with the keys.
 */
final class Bodies {
    static final String CUSTOMERS_SCHEMA = Customers.SCHEMA_JSON.replaceAll("\\s+", " ");
    static final String ORDERS_SCHEMA = "{\"properties\": {\"order_id\": {\"type\": \"integer\"}, \"customer_id\": {\"type\": \"integer\"},"
            + " \"placed_at\": {\"type\": \"string\", \"format\": \"date-time\"}, \"status\": {\"type\": \"string\"},"
            + " \"total\": {\"type\": \"number\"}, \"shipping\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"},"
            + " \"zip\": {\"type\": \"string\"}, \"express\": {\"type\": \"boolean\"}}},"
            + " \"line_items\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {\"sku\": {\"type\": \"string\"},"
            + " \"qty\": {\"type\": \"integer\"}, \"price\": {\"type\": \"number\"}, \"note\": {\"type\": [\"null\", \"string\"]}}}}}}";
    private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Zoë", "José", "Margaret", "Linus"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "O'Brien", "Núñez"};
    private static final String[] CITIES = {"Berlin", "München", "São Paulo", "New York", "Tokyo", "Paris", "Zürich", "Lagos"};
    private static final String[] STATUS = {"placed", "paid", "shipped", "delivered", "returned"};
    private static final long BASE_SEQUENCE = 1_800_000_000_000L;
    private static final long BASE_SECONDS = 1_700_000_000L;

    enum Shape {
        CUSTOMERS("customers"), ORDERS("orders");

        final String table;

        Shape(String table) {
            this.table = table;
        }
    }

    /** Pre-built bodies of one shape and size, and their records. */
    record Set(Shape shape, int records, List<byte[]> bodies) {
        long bytes() {
            long total = 0;
            for (byte[] b : bodies) {
                total += b.length;
            }
            return total;
        }

        double meanBytes() {
            return (double) bytes() / bodies.size();
        }
    }

    private long nextKey = 1;
    private final SplittableRandom random = new SplittableRandom(7);

    /** {@code count} bodies of {@code records} records; orders carry {@code lineItems} line items each. */
    Set build(Shape shape, int records, int count, int lineItems, String table) {
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(shape == Shape.CUSTOMERS ? customers(records, table) : orders(records, lineItems, table));
        }
        return new Set(shape, records, bodies);
    }

    byte[] customers(int records, String table) {
        StringBuilder b = new StringBuilder(records * 260 + 600);
        b.append("{\"table_name\":\"").append(table).append("\",\"key_names\":[\"id\"],\"schema\":").append(CUSTOMERS_SCHEMA)
                .append(",\"messages\":[");
        for (int i = 0; i < records; i++) {
            long id = nextKey++;
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"action\":\"upsert\",\"sequence\":").append(BASE_SEQUENCE + id).append(",\"data\":{\"id\":").append(id)
                    .append(",\"name\":\"").append(FIRST[random.nextInt(FIRST.length)]).append(' ').append(LAST[random.nextInt(LAST.length)])
                    .append("\",\"age\":").append(18 + random.nextInt(70))
                    .append(",\"has_magic\":").append(random.nextBoolean())
                    .append(",\"modified_at\":\"").append(Instant.ofEpochSecond(BASE_SECONDS + id * 7, random.nextInt(1_000_000) * 1000L))
                    .append("\",\"email\":\"customer").append(id).append("@example.com\"")
                    .append(",\"city\":\"").append(CITIES[random.nextInt(CITIES.length)])
                    .append("\",\"score\":").append(Math.round(random.nextDouble() * 100_000_000.0) / 1000.0).append("}}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    byte[] orders(int records, int lineItems, String table) {
        StringBuilder b = new StringBuilder(records * (300 + lineItems * 90) + 1000);
        b.append("{\"table_name\":\"").append(table).append("\",\"key_names\":[\"order_id\"],\"schema\":").append(ORDERS_SCHEMA)
                .append(",\"messages\":[");
        for (int i = 0; i < records; i++) {
            long id = nextKey++;
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"action\":\"upsert\",\"sequence\":").append(BASE_SEQUENCE + id).append(",\"data\":{\"order_id\":").append(id)
                    .append(",\"customer_id\":").append(1 + random.nextInt(1_000_000))
                    .append(",\"placed_at\":\"").append(Instant.ofEpochSecond(BASE_SECONDS + id * 3))
                    .append("\",\"status\":\"").append(STATUS[random.nextInt(STATUS.length)])
                    .append("\",\"total\":").append(random.nextInt(10_000_000) / 100.0)
                    .append(",\"shipping\":{\"city\":\"").append(CITIES[random.nextInt(CITIES.length)])
                    .append("\",\"zip\":\"").append(10_000 + random.nextInt(89_999))
                    .append("\",\"express\":").append(random.nextInt(4) == 0).append("},\"line_items\":[");
            int items = lineItems > 0 ? lineItems : 1 + random.nextInt(5);
            for (int l = 0; l < items; l++) {
                if (l > 0) {
                    b.append(',');
                }
                b.append("{\"sku\":\"SKU-").append(random.nextInt(100_000)).append("\",\"qty\":").append(1 + random.nextInt(9))
                        .append(",\"price\":").append(random.nextInt(100_000) / 100.0)
                        .append(",\"note\":").append(l % 3 == 0 ? "\"gift wrap, please\"" : "null").append('}');
            }
            b.append("]}}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
