package dev.bobbin.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bobbin.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark's data: customers-shaped records, the first {@code 80%} with new keys and the rest
 * later versions (higher sequence, changed values) of randomly chosen keys already sent, and the
 * same records as {@code POST /v2/import/batch} bodies of up to {@link #BATCH_SIZE} messages, keyed
 * ({@code key_names ["id"]}) and keyless. Deterministic for a given count.
 */
final class Customers {
    /** Messages per batch: the Import API's limit, what a bulk client sends. */
    static final int BATCH_SIZE = 20_000;
    static final String TABLE = "customers";
    static final String SCHEMA_JSON = """
            {"properties": {
              "id": {"type": "integer"}, "name": {"type": "string"}, "age": {"type": "integer"},
              "has_magic": {"type": "boolean"}, "modified_at": {"type": "string", "format": "date-time"},
              "email": {"type": "string"}, "city": {"type": "string"}, "score": {"type": "number"}}}""";

    private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Zoë", "José", "Margaret", "Linus",
            "Frances", "Donald", "Radia", "Niklaus", "Sophie", "Björn"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "O'Brien", "Núñez",
            "Hamilton", "Torvalds", "Allen", "Knuth", "Perlman", "Wirth", "Wilson", "Stroustrup"};
    private static final String[] CITIES = {"Berlin", "München", "São Paulo", "New York", "Tokyo", "Paris", "Zürich", "Lagos",
            "Mumbai", "Toronto", "Kraków", "Reykjavík"};
    static final long BASE_SEQUENCE = 1_700_000_000_000L;
    private static final long BASE_MICROS = 1_700_000_000_000_000L;

    /** One record as the client means it; {@code modifiedAtMicros} is microseconds since the epoch. */
    record Customer(long id, String name, long age, boolean hasMagic, long modifiedAtMicros, String email, String city, double score,
                    long sequence) {
    }

    /** A batch body and the records in it, in order. */
    record Batch(List<Customer> records, byte[] keyedPayload, byte[] keylessPayload) {
    }

    final int records;
    final int newKeys;
    final List<Batch> inserts;
    final List<Batch> updates;

    private Customers(int records, int newKeys, List<Batch> inserts, List<Batch> updates) {
        this.records = records;
        this.newKeys = newKeys;
        this.inserts = inserts;
        this.updates = updates;
    }

    List<Batch> all() {
        List<Batch> all = new ArrayList<>(inserts);
        all.addAll(updates);
        return all;
    }

    long payloadBytes() {
        long total = 0;
        for (Batch b : all()) {
            total += b.keyedPayload().length;
        }
        return total;
    }

    static Customers generate(int records) {
        int updates = records / 5;
        int newKeys = records - updates;
        SplittableRandom random = new SplittableRandom(20_240_501L + records);
        List<Customer> first = new ArrayList<>(newKeys);
        for (int i = 0; i < newKeys; i++) {
            long id = i + 1;
            first.add(new Customer(id, name(random, id), 18 + random.nextInt(70), random.nextBoolean(),
                    BASE_MICROS + i * 1_000_003L + random.nextInt(1_000_000), "customer" + id + "@example.com",
                    CITIES[random.nextInt(CITIES.length)], Math.round(random.nextDouble() * 100_000_000.0) / 1000.0, BASE_SEQUENCE + i));
        }
        // 20% of the keys, each updated once, in random order
        long[] ids = new long[newKeys];
        for (int i = 0; i < newKeys; i++) {
            ids[i] = i + 1;
        }
        for (int i = 0; i < updates; i++) {
            int j = i + random.nextInt(newKeys - i);
            long t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        List<Customer> later = new ArrayList<>(updates);
        for (int i = 0; i < updates; i++) {
            Customer old = first.get((int) ids[i] - 1);
            later.add(new Customer(old.id(), name(random, old.id()), old.age() + 1, !old.hasMagic(),
                    old.modifiedAtMicros() + 86_400_000_000L + random.nextInt(1_000_000), old.email(),
                    CITIES[random.nextInt(CITIES.length)], Math.round(random.nextDouble() * 100_000_000.0) / 1000.0,
                    BASE_SEQUENCE + records + i));
        }
        return new Customers(records, newKeys, batches(first), batches(later));
    }

    /** Mostly plain names; a few carry characters COPY must escape (backslash, tab). */
    private static String name(SplittableRandom random, long id) {
        String name = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
        if (id % 5_000 == 0) {
            return name + " \\ the\tsecond";
        }
        return name;
    }

    private static List<Batch> batches(List<Customer> records) {
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < records.size(); from += BATCH_SIZE) {
            List<Customer> part = List.copyOf(records.subList(from, Math.min(records.size(), from + BATCH_SIZE)));
            out.add(new Batch(part, payload(part, true), payload(part, false)));
        }
        return out;
    }

    /** A {@code POST /v2/import/batch} body, as the Import API logs it (the body exactly as received). */
    private static byte[] payload(List<Customer> records, boolean keyed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("table_name", TABLE);
            g.writeFieldName("schema");
            g.writeRawValue(SCHEMA_JSON);
            if (keyed) {
                g.writeArrayFieldStart("key_names");
                g.writeString("id");
                g.writeEndArray();
            }
            g.writeArrayFieldStart("messages");
            for (Customer c : records) {
                g.writeStartObject();
                g.writeStringField("action", "upsert");
                g.writeNumberField("sequence", c.sequence());
                g.writeObjectFieldStart("data");
                g.writeNumberField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeNumberField("age", c.age());
                g.writeBooleanField("has_magic", c.hasMagic());
                g.writeStringField("modified_at", iso(c.modifiedAtMicros()));
                g.writeStringField("email", c.email());
                g.writeStringField("city", c.city());
                g.writeNumberField("score", c.score());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** ISO-8601 in UTC, e.g. {@code 2023-11-14T22:13:20.123456Z}: what Singer taps send. */
    private static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L).toString();
    }
}
