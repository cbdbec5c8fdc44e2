package dev.bobbin.loading;

import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A local harness, not one of {@code bench/run}'s benchmarks: the CPU seconds of reading and
 * flattening logged batch bodies ({@link BatchPayloads#parse}) on one thread, for the customers shape
 * of {@code PgLoadBench} and an orders shape (nested object, line-item subtable) like {@code HttpBench}'s,
 * and random records ({@link StreamingParseTest#object}), and a digest of every flattened result (fields, types, values, subtable rows, dropped values,
 * rejections), so that two builds can be shown to flatten alike. Run after {@code bench/run} built
 * the bench classes:
 * {@code java -cp target/bench-classes:target/classes:target/test-classes:$(cat target/bench-classpath.txt) dev.bobbin.loading.FlattenBench}
 * (put other main classes first on the class path to measure them). Settings: {@code FLATTEN_RECORDS}
 * (records per shape, default 300,000), {@code FLATTEN_RUNS} (default 5), {@code FLATTEN_SHAPES} (default
 * {@code customers,orders,mixed}).
 */
public final class FlattenBench {
    private static final String CUSTOMERS_SCHEMA = "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"name\": {\"type\": \"string\"},"
            + " \"age\": {\"type\": \"integer\"}, \"has_magic\": {\"type\": \"boolean\"}, \"modified_at\": {\"type\": \"string\", \"format\": \"date-time\"},"
            + " \"email\": {\"type\": \"string\"}, \"city\": {\"type\": \"string\"}, \"score\": {\"type\": \"number\"}}}";
    private static final String ORDERS_SCHEMA = "{\"properties\": {\"order_id\": {\"type\": \"integer\"}, \"customer_id\": {\"type\": \"integer\"},"
            + " \"placed_at\": {\"type\": \"string\", \"format\": \"date-time\"}, \"status\": {\"type\": \"string\"},"
            + " \"total\": {\"type\": \"number\"}, \"shipping\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"},"
            + " \"zip\": {\"type\": \"string\"}, \"express\": {\"type\": \"boolean\"}}},"
            + " \"line_items\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {\"sku\": {\"type\": \"string\"},"
            + " \"qty\": {\"type\": \"integer\"}, \"price\": {\"type\": \"number\"}, \"note\": {\"type\": [\"null\", \"string\"]}}}}}}";
    private static final String[] NAMES = {"Ada Lovelace", "Grace Hopper", "Zoë O'Brien", "José Núñez", "Ken \\\\ the\\tsecond"};
    private static final String[] CITIES = {"Berlin", "München", "São Paulo", "New York", "Tokyo", "Zürich"};
    private static final int BATCH = 20_000;

    private FlattenBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(System.getenv().getOrDefault("FLATTEN_RECORDS", "300000"));
        int runs = Integer.parseInt(System.getenv().getOrDefault("FLATTEN_RUNS", "5"));
        SplittableRandom random = new SplittableRandom(7);
        List<BatchPayload> customers = new ArrayList<>();
        List<BatchPayload> orders = new ArrayList<>();
        List<BatchPayload> mixed = new ArrayList<>();
        long key = 1;
        for (int from = 0; from < records; from += BATCH) {
            customers.add(payload(customers(random, key, BATCH)));
            orders.add(payload(orders(random, key, BATCH / 4)));
            mixed.add(payload(mixed(random, BATCH / 4)));
            key += BATCH;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String shape : System.getenv().getOrDefault("FLATTEN_SHAPES", "customers,orders,mixed").split(",")) {
            List<BatchPayload> set = switch (shape) {
                case "customers" -> customers;
                case "orders" -> orders;
                default -> mixed;
            };
            String digest = null;
            double best = Double.MAX_VALUE;
            for (int run = 0; run < runs; run++) {
                long cpu = threads.getCurrentThreadCpuTime();
                MessageDigest md = run == 0 ? MessageDigest.getInstance("SHA-256") : null;
                long sink = 0;
                for (BatchPayload p : set) {
                    BatchPayloads.Parsed parsed = BatchPayloads.parse(p);
                    sink += parsed.messages().size();
                    if (md != null) {
                        digest(md, parsed);
                    }
                }
                double seconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
                if (md != null) {
                    digest = HexFormat.of().formatHex(md.digest()).substring(0, 16);
                } else {
                    best = Math.min(best, seconds);
                }
                System.out.printf(Locale.ROOT, "%-9s run %d: %.3f CPU s (%d messages)%n", shape, run, seconds, sink);
            }
            System.out.printf(Locale.ROOT, "%-9s best of runs 1..: %.3f CPU s; digest %s%n", shape, best, digest);
        }
    }

    private static void digest(MessageDigest md, BatchPayloads.Parsed parsed) throws Exception {
        StringBuilder b = new StringBuilder();
        for (IncomingMessage m : parsed.messages()) {
            try {
                FlatRecord f = m.parsed().get();
                cells(b, f.cells());
                for (Map.Entry<String, List<FlatRecord.ChildRow>> e : f.children().entrySet()) {
                    b.append('[').append(e.getKey());
                    for (FlatRecord.ChildRow row : e.getValue()) {
                        b.append(row.levels());
                        cells(b, row.cells());
                    }
                }
                b.append(f.droppedValues());
            } catch (RecordFlattener.RejectedException e) {
                b.append("rejected ").append(e.getMessage());
            }
            b.append('\n');
        }
        md.update(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void cells(StringBuilder b, List<Cell> cells) {
        for (Cell c : cells) {
            Object v = c.value();
            b.append(c.field()).append(':').append(c.type()).append('=').append(v == null ? "null" : v.getClass().getSimpleName() + v).append(';');
        }
    }

    private static BatchPayload payload(byte[] body) {
        return BatchPayload.of(new LoggedBatch(1, "k", 1, 1, "t", PayloadFormat.BATCH_JSON, Instant.EPOCH, body));
    }

    private static byte[] customers(SplittableRandom random, long firstKey, int count) {
        StringBuilder b = new StringBuilder(count * 260);
        b.append("{\"table_name\":\"customers\",\"schema\":").append(CUSTOMERS_SCHEMA).append(",\"messages\":[");
        for (int i = 0; i < count; i++) {
            long id = firstKey + i;
            b.append(i > 0 ? "," : "").append("{\"action\":\"upsert\",\"sequence\":").append(1_700_000_000_000L + id)
                    .append(",\"data\":{\"id\":").append(id)
                    .append(",\"name\":\"").append(NAMES[random.nextInt(NAMES.length)])
                    .append("\",\"age\":").append(18 + random.nextInt(70))
                    .append(",\"has_magic\":").append(random.nextBoolean())
                    .append(",\"modified_at\":\"").append(Instant.ofEpochSecond(1_700_000_000L + id * 7, random.nextInt(1_000_000) * 1000L))
                    .append("\",\"email\":\"customer").append(id).append("@example.com\"")
                    .append(",\"city\":\"").append(CITIES[random.nextInt(CITIES.length)])
                    .append("\",\"score\":").append(Math.round(random.nextDouble() * 100_000_000.0) / 1000.0).append("}}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The mixed shape: records of random fields, values and nesting under one of a few schemas, those of {@link StreamingParseTest}. */
    private static byte[] mixed(SplittableRandom random, int count) {
        StringBuilder b = new StringBuilder(count * 200);
        String schema = StreamingParseTest.SCHEMAS[random.nextInt(StreamingParseTest.SCHEMAS.length)];
        b.append("{\"table_name\":\"t\",").append(schema == null ? "" : "\"schema\":" + schema + ",").append("\"messages\":[");
        for (int i = 0; i < count; i++) {
            b.append(i > 0 ? "," : "").append("{\"action\":\"upsert\",\"sequence\":").append(i + 1).append(",\"data\":")
                    .append(StreamingParseTest.object(random, 0)).append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] orders(SplittableRandom random, long firstKey, int count) {
        StringBuilder b = new StringBuilder(count * 1200);
        b.append("{\"table_name\":\"orders\",\"key_names\":[\"order_id\"],\"schema\":").append(ORDERS_SCHEMA).append(",\"messages\":[");
        for (int i = 0; i < count; i++) {
            long id = firstKey + i;
            b.append(i > 0 ? "," : "").append("{\"action\":\"upsert\",\"sequence\":").append(1_800_000_000_000L + id)
                    .append(",\"data\":{\"order_id\":").append(id)
                    .append(",\"customer_id\":").append(1 + random.nextInt(1_000_000))
                    .append(",\"placed_at\":\"").append(Instant.ofEpochSecond(1_700_000_000L + id * 3))
                    .append("\",\"status\":\"paid\",\"total\":").append(random.nextInt(10_000_000) / 100.0)
                    .append(",\"shipping\":{\"city\":\"").append(CITIES[random.nextInt(CITIES.length)])
                    .append("\",\"zip\":\"").append(10_000 + random.nextInt(89_999))
                    .append("\",\"express\":").append(random.nextInt(4) == 0).append("},\"line_items\":[");
            int items = 1 + random.nextInt(12);
            for (int l = 0; l < items; l++) {
                b.append(l > 0 ? "," : "").append("{\"sku\":\"SKU-").append(random.nextInt(100_000)).append("\",\"qty\":").append(1 + random.nextInt(9))
                        .append(",\"price\":").append(random.nextInt(100_000) / 100.0)
                        .append(",\"note\":").append(l % 3 == 0 ? "\"gift wrap, please\"" : "null").append('}');
            }
            b.append("]}}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
