package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.json.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady mixed Import API load and the model of what must end up in the destination.
 *
 * <p>Each source gets two tables: {@code accounts}, keyed on {@code id} (nested object
 * {@code address}, scalar array {@code tags}, array of objects {@code lines} with a nested array
 * {@code parts}: three subtables, two levels), and {@code events}, keyless (nested object
 * {@code payload}, array {@code items}). Both tables are written through {@code /v2/import/batch}
 * and through {@code /v2/import/push}; a push request may carry records of both tables (two batches
 * appended atomically). Every {@code accounts} record has a sequence no other record of its source
 * has, mostly increasing, some deliberately older than records already sent (out of order). Every
 * {@code events} record carries its request's unique id ({@code req}) and its index in the request
 * ({@code n}).
 *
 * <p>Every attempt to send a request is recorded with its {@link Outcome}; {@link #verify} then
 * checks a destination against what the answers promised. Thread-safe.
 */
final class Workload {
    static final String ACCOUNTS_SCHEMA = """
            {"type": "object", "properties": {
              "id": {"type": "integer"}, "name": {"type": "string"},
              "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}},
              "tags": {"type": "array", "items": {"type": "string"}},
              "lines": {"type": "array", "items": {"type": "object", "properties": {
                "sku": {"type": "string"}, "qty": {"type": "integer"},
                "parts": {"type": "array", "items": {"type": "object", "properties": {"part": {"type": "string"}}}}}}}}}""";
    static final String EVENTS_SCHEMA = """
            {"type": "object", "properties": {
              "req": {"type": "string"}, "n": {"type": "integer"}, "kind": {"type": "string"},
              "payload": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}},
              "items": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}, "v": {"type": "integer"}}}}}}""";
    static final List<String> TABLES = List.of("accounts", "accounts__lines", "accounts__lines__parts", "accounts__tags", "events", "events__items");

    private static final int KEYS_PER_SOURCE = 25;

    /** What one attempt to send a request came to. */
    enum Outcome {
        /** 201 or 202: the batch is durable and must be loaded exactly once. */
        ACCEPTED,
        /** A definite refusal (503): nothing was stored. */
        REFUSED,
        /** The request was (or may have been) sent and no answer came: it may or may not be stored. */
        NO_ANSWER,
        /** The connection was refused: the request never reached a server. */
        NOT_SENT
    }

    /** An Import API source the workload writes to: its schema, token and account. */
    record Source(String schema, String token, long clientId) {
    }

    record Line(String sku, long qty, List<String> parts) {
    }

    record Account(String schema, long id, long sequence, String name, String city, String zip, List<String> tags, List<Line> lines) {
    }

    record Item(String k, long v) {
    }

    record Event(String schema, String req, int n, String kind, long a, String b, List<Item> items) {
    }

    /** One request as the client built it; retries send the same body (same sequences, same ids). */
    static final class Request {
        final String id;
        final Source source;
        final String path;
        final String body;
        final List<Account> accounts;
        final List<Event> events;
        final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();

        Request(String id, Source source, String path, String body, List<Account> accounts, List<Event> events) {
            this.id = id;
            this.source = source;
            this.path = path;
            this.body = body;
            this.accounts = accounts;
            this.events = events;
        }

        boolean accepted() {
            return outcomes.contains(Outcome.ACCEPTED);
        }

        /** Whether some attempt may have stored it (with {@code answered}: only an attempt that got 2xx). */
        boolean possiblyStored(boolean answered) {
            return outcomes.contains(Outcome.ACCEPTED) || (!answered && outcomes.contains(Outcome.NO_ANSWER));
        }

        /**
         * The most copies the log can hold: one per attempt that got 2xx or no answer (with
         * {@code answered}: one per attempt that got 2xx).
         */
        int maxCopies(boolean answered) {
            return (int) outcomes.stream().filter(o -> o == Outcome.ACCEPTED || (!answered && o == Outcome.NO_ANSWER)).count();
        }

        @Override
        public String toString() {
            return id + " " + path + " " + outcomes + (unexpected.isEmpty() ? "" : " unexpected " + unexpected);
        }
    }

    /** Counts a verification found, for the test's report. */
    record Report(int requests, int accepted, int ambiguous, int abandonedAmbiguous, int keyedRows, int keylessRows,
                  int duplicatedRequests) {
    }

    private final List<Source> sources;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final Set<String> usedOutOfOrder = ConcurrentHashMap.newKeySet();
    private final AtomicLong requestIds = new AtomicLong();

    Workload(List<Source> sources) {
        this.sources = List.copyOf(sources);
        sources.forEach(s -> sequences.put(s.schema(), new AtomicLong()));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** A new request for a random source: a batch for one table, or a push for one or both tables. */
    Request next(Random random) {
        Source source = sources.get(random.nextInt(sources.size()));
        String id = "r" + requestIds.incrementAndGet();
        int kind = random.nextInt(4);
        Request request = switch (kind) {
            case 0 -> accountsBatch(id, source, random);
            case 1 -> eventsBatch(id, source, random);
            default -> push(id, source, random, kind == 3);
        };
        requests.add(request);
        return request;
    }

    private Request accountsBatch(String id, Source source, Random random) {
        List<Account> accounts = accounts(source, random, 1 + random.nextInt(12));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("table_name", "accounts");
        root.set("schema", parse(ACCOUNTS_SCHEMA));
        root.putArray("key_names").add("id");
        ArrayNode messages = root.putArray("messages");
        for (Account a : accounts) {
            ObjectNode m = messages.addObject();
            m.put("action", "upsert");
            m.put("sequence", a.sequence());
            m.set("data", data(a));
        }
        return new Request(id, source, "/v2/import/batch", Json.write(root), accounts, List.of());
    }

    private Request eventsBatch(String id, Source source, Random random) {
        List<Event> events = events(source, id, random, 1 + random.nextInt(15));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("table_name", "events");
        root.set("schema", parse(EVENTS_SCHEMA));
        ArrayNode messages = root.putArray("messages");
        for (Event e : events) {
            ObjectNode m = messages.addObject();
            m.put("action", "upsert");
            m.put("sequence", e.n());
            m.set("data", data(e));
        }
        return new Request(id, source, "/v2/import/batch", Json.write(root), List.of(), events);
    }

    private Request push(String id, Source source, Random random, boolean bothTables) {
        List<Event> events = events(source, id, random, 1 + random.nextInt(10));
        List<Account> accounts = bothTables ? accounts(source, random, 1 + random.nextInt(6)) : List.of();
        List<ObjectNode> records = new ArrayList<>();
        for (Event e : events) {
            ObjectNode r = Json.MAPPER.createObjectNode();
            r.put("client_id", source.clientId());
            r.put("table_name", "events");
            r.put("action", "upsert");
            r.put("sequence", e.n());
            r.putArray("key_names");
            r.set("data", data(e));
            records.add(r);
        }
        for (Account a : accounts) {
            ObjectNode r = Json.MAPPER.createObjectNode();
            r.put("client_id", source.clientId());
            r.put("table_name", "accounts");
            r.put("action", "upsert");
            r.put("sequence", a.sequence());
            r.putArray("key_names").add("id");
            r.set("data", data(a));
            records.add(r);
        }
        Collections.shuffle(records, random);
        ArrayNode body = Json.MAPPER.createArrayNode();
        records.forEach(body::add);
        return new Request(id, source, "/v2/import/push", Json.write(body), accounts, events);
    }

    private List<Account> accounts(Source source, Random random, int count) {
        List<Account> out = new ArrayList<>();
        AtomicLong counter = sequences.get(source.schema());
        for (int i = 0; i < count; i++) {
            long sequence = 1_000_000 + 2 * counter.incrementAndGet();
            if (random.nextInt(8) == 0) {
                // out of order: older than records already sent, odd so that it is unique
                long candidate;
                do {
                    candidate = Math.max(1, sequence - 2L * (1 + random.nextInt(400)) + 1);
                } while (!usedOutOfOrder.add(source.schema() + "/" + candidate));
                sequence = candidate;
            }
            long id = random.nextInt(KEYS_PER_SOURCE);
            List<String> tags = new ArrayList<>();
            for (int t = random.nextInt(4); t > 0; t--) {
                tags.add("t" + sequence + "-" + t);
            }
            List<Line> lines = new ArrayList<>();
            int lineCount = random.nextInt(4);
            for (int l = 0; l < lineCount; l++) {
                List<String> parts = new ArrayList<>();
                for (int p = random.nextInt(3); p > 0; p--) {
                    parts.add("p" + sequence + "-" + l + "-" + p);
                }
                lines.add(new Line("s" + sequence + "-" + l, random.nextInt(100), parts));
            }
            out.add(new Account(source.schema(), id, sequence, "n" + sequence, "c" + random.nextInt(10), "z" + sequence, tags, lines));
        }
        return out;
    }

    private static List<Event> events(Source source, String req, Random random, int count) {
        List<Event> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            List<Item> items = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                items.add(new Item(req + "-" + n + "-" + i, random.nextInt(1000)));
            }
            out.add(new Event(source.schema(), req, n, random.nextBoolean() ? "click" : "view", random.nextInt(1_000_000),
                    "b" + random.nextInt(50), items));
        }
        return out;
    }

    private static ObjectNode data(Account a) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("id", a.id());
        d.put("name", a.name());
        d.putObject("address").put("city", a.city()).put("zip", a.zip());
        if (!a.tags().isEmpty() || a.sequence() % 3 == 0) {
            ArrayNode tags = d.putArray("tags");
            a.tags().forEach(tags::add);
        }
        if (!a.lines().isEmpty() || a.sequence() % 5 == 0) {
            ArrayNode lines = d.putArray("lines");
            for (Line l : a.lines()) {
                ObjectNode line = lines.addObject();
                line.put("sku", l.sku());
                line.put("qty", l.qty());
                if (!l.parts().isEmpty()) {
                    ArrayNode parts = line.putArray("parts");
                    l.parts().forEach(p -> parts.addObject().put("part", p));
                }
            }
        }
        return d;
    }

    private static ObjectNode data(Event e) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("req", e.req());
        d.put("n", e.n());
        d.put("kind", e.kind());
        d.putObject("payload").put("a", e.a()).put("b", e.b());
        if (!e.items().isEmpty()) {
            ArrayNode items = d.putArray("items");
            e.items().forEach(i -> items.addObject().put("k", i.k()).put("v", i.v()));
        }
        return d;
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- verification ------------------------------------------------------------------------------

    /**
     * Checks a destination (a JDBC connection to the DuckDB warehouse or the PostgreSQL database)
     * against the answers the clients got:
     * <ul>
     *   <li>no request got an answer other than 201, 202 or 503;</li>
     *   <li>{@code accounts}: every key written by an accepted request is there and holds a record
     *       whose sequence is at least the highest accepted one for that key; that record was sent
     *       in a request that was accepted or got no answer; its columns and its subtable rows (all
     *       three subtables, both levels) are exactly that record's; no other key is there;</li>
     *   <li>{@code events}: every accepted request's records are there, each exactly once, unless an
     *       attempt of that request got no answer (then at most once per such attempt, and the
     *       duplicates are counted); records of requests never stored are not there; subtable rows
     *       are exactly those of their parent records; nothing else is there;</li>
     *   <li>no {@code _sdc_rejected} table and no table other than the six the workload creates.</li>
     * </ul>
     */
    Report verify(Connection db) throws SQLException {
        return verify(db, false);
    }

    /**
     * As {@link #verify(Connection)}; with {@code everyStoredRequestWasAnswered}, a request that got
     * no answer counts as never stored: nothing of it may be there unless another attempt got 2xx,
     * and no request may be there twice (what a graceful shutdown promises).
     */
    Report verify(Connection db, boolean everyStoredRequestWasAnswered) throws SQLException {
        List<String> unexpected = new ArrayList<>();
        for (Request r : requests) {
            if (!r.unexpected.isEmpty()) {
                unexpected.add(r.toString());
            }
        }
        assertThat(unexpected).as("answers other than 201, 202 and 503").isEmpty();
        int keyed = 0;
        int keyless = 0;
        int duplicated = 0;
        for (Source source : sources) {
            assertThat(tables(db, source.schema())).as("tables in " + source.schema()).containsExactlyInAnyOrderElementsOf(TABLES);
            keyed += verifyAccounts(db, source.schema(), everyStoredRequestWasAnswered);
            int[] counts = verifyEvents(db, source.schema(), everyStoredRequestWasAnswered);
            keyless += counts[0];
            duplicated += counts[1];
        }
        int accepted = (int) requests.stream().filter(Request::accepted).count();
        int ambiguous = (int) requests.stream().filter(r -> r.outcomes.contains(Outcome.NO_ANSWER)).count();
        int abandoned = (int) requests.stream().filter(r -> !r.accepted() && r.outcomes.contains(Outcome.NO_ANSWER)).count();
        return new Report(requests.size(), accepted, ambiguous, abandoned, keyed, keyless, duplicated);
    }

    private static List<String> tables(Connection db, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        for (List<Object> row : rows(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
                + "' ORDER BY table_name")) {
            out.add((String) row.get(0));
        }
        return out;
    }

    private int verifyAccounts(Connection db, String schema, boolean answered) throws SQLException {
        Map<Long, Account> possible = new HashMap<>();
        Map<Long, Long> highestAccepted = new TreeMap<>();
        Set<Long> possibleKeys = new HashSet<>();
        for (Request r : requests) {
            if (!r.source.schema().equals(schema) || !r.possiblyStored(answered)) {
                continue;
            }
            for (Account a : r.accounts) {
                possible.put(a.sequence(), a);
                possibleKeys.add(a.id());
                if (r.accepted()) {
                    highestAccepted.merge(a.id(), a.sequence(), Math::max);
                }
            }
        }
        List<List<Object>> stored = rows(db, "SELECT id, _sdc_sequence, name, address__city, address__zip FROM " + q(schema, "accounts") + " ORDER BY id");
        Map<Long, Account> winners = new TreeMap<>();
        for (List<Object> row : stored) {
            long id = (Long) row.get(0);
            long sequence = (Long) row.get(1);
            Account a = possible.get(sequence);
            assertThat(a).as("%s.accounts id %d holds sequence %d, which no request that may have been stored sent", schema, id, sequence).isNotNull();
            assertThat(a.id()).as("%s.accounts: sequence %d belongs to id %d", schema, sequence, a.id()).isEqualTo(id);
            assertThat(row.subList(2, 5)).as("%s.accounts id %d columns", schema, id).containsExactly(a.name(), a.city(), a.zip());
            assertThat(sequence).as("%s.accounts id %d: the highest accepted sequence must win", schema, id)
                    .isGreaterThanOrEqualTo(highestAccepted.getOrDefault(id, Long.MIN_VALUE));
            assertThat(winners.put(id, a)).as("%s.accounts id %d appears twice", schema, id).isNull();
        }
        assertThat(winners.keySet()).as("%s.accounts: every accepted key is there", schema).containsAll(highestAccepted.keySet());
        assertThat(possibleKeys).as("%s.accounts: no key that was never sent", schema).containsAll(winners.keySet());

        List<String> tags = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (Account a : winners.values()) {
            for (int t = 0; t < a.tags().size(); t++) {
                tags.add(a.id() + "|" + t + "|" + a.tags().get(t));
            }
            for (int l = 0; l < a.lines().size(); l++) {
                Line line = a.lines().get(l);
                lines.add(a.id() + "|" + l + "|" + line.sku() + "|" + line.qty());
                for (int p = 0; p < line.parts().size(); p++) {
                    parts.add(a.id() + "|" + l + "|" + p + "|" + line.parts().get(p));
                }
            }
        }
        assertSameRows(schema + ".accounts__tags: exactly the winning records' tags",
                joined(rows(db, "SELECT _sdc_source_key_id, _sdc_level_0_id, value FROM " + q(schema, "accounts__tags"))), tags);
        assertSameRows(schema + ".accounts__lines: exactly the winning records' lines",
                joined(rows(db, "SELECT _sdc_source_key_id, _sdc_level_0_id, sku, qty FROM " + q(schema, "accounts__lines"))), lines);
        assertSameRows(schema + ".accounts__lines__parts: exactly the winning records' parts",
                joined(rows(db, "SELECT _sdc_source_key_id, _sdc_level_0_id, _sdc_level_1_id, part FROM " + q(schema, "accounts__lines__parts"))), parts);
        return stored.size();
    }

    /** Returns {rows, requests loaded more than once}. */
    private int[] verifyEvents(Connection db, String schema, boolean answered) throws SQLException {
        Map<String, Request> byId = new HashMap<>();
        for (Request r : requests) {
            if (r.source.schema().equals(schema) && !r.events.isEmpty()) {
                byId.put(r.id, r);
            }
        }
        List<List<Object>> stored = rows(db, "SELECT __sdc_primary_key, req, n, kind, payload__a, payload__b FROM " + q(schema, "events"));
        Map<String, Map<Integer, Integer>> copies = new HashMap<>();
        Map<String, Event> byKey = new HashMap<>();
        for (List<Object> row : stored) {
            String req = (String) row.get(1);
            int n = Math.toIntExact((Long) row.get(2));
            Request r = byId.get(req);
            assertThat(r).as("%s.events has a record of request %s, which was never sent", schema, req).isNotNull();
            assertThat(n).as("%s.events: request %s has no record %d", schema, req, n).isBetween(0, r.events.size() - 1);
            Event e = r.events.get(n);
            assertThat(row.subList(3, 6)).as("%s.events %s/%d columns", schema, req, n).containsExactly(e.kind(), e.a(), e.b());
            copies.computeIfAbsent(req, k -> new HashMap<>()).merge(n, 1, Integer::sum);
            assertThat(byKey.put((String) row.get(0), e)).as("%s.events: primary key %s twice", schema, row.get(0)).isNull();
        }
        int duplicated = 0;
        for (Request r : byId.values()) {
            Map<Integer, Integer> perRecord = copies.getOrDefault(r.id, Map.of());
            Set<Integer> counts = new HashSet<>();
            for (int n = 0; n < r.events.size(); n++) {
                counts.add(perRecord.getOrDefault(n, 0));
            }
            assertThat(counts).as("%s.events: request %s (%s) is stored whole or not at all", schema, r.id, r.outcomes).hasSize(1);
            int c = counts.iterator().next();
            if (r.accepted()) {
                assertThat(c).as("%s.events: accepted request %s (%s) is loaded", schema, r.id, r.outcomes).isGreaterThanOrEqualTo(1);
            }
            assertThat(c).as("%s.events: request %s (%s) is loaded at most once per attempt that got 2xx or no answer", schema, r.id, r.outcomes)
                    .isLessThanOrEqualTo(r.maxCopies(answered));
            if (c > 1) {
                assertThat(r.outcomes).as("%s.events: request %s is loaded %d times; only a retry after no answer may do that", schema, r.id, c)
                        .contains(Outcome.NO_ANSWER);
                duplicated++;
            }
        }
        List<String> expectedItems = new ArrayList<>();
        for (Map.Entry<String, Event> row : byKey.entrySet()) {
            List<Item> items = row.getValue().items();
            for (int i = 0; i < items.size(); i++) {
                expectedItems.add(row.getKey() + "|" + i + "|" + items.get(i).k() + "|" + items.get(i).v());
            }
        }
        assertSameRows(schema + ".events__items: exactly the items of the stored events",
                joined(rows(db, "SELECT _sdc_source_key___sdc_primary_key, _sdc_level_0_id, k, v FROM " + q(schema, "events__items"))), expectedItems);
        return new int[] {stored.size(), duplicated};
    }

    /**
     * The same rows, duplicates counted, in any order; a failure lists only the differences (the
     * tables of a soak run hold hundreds of thousands of rows).
     */
    static void assertSameRows(String what, List<String> actual, List<String> expected) {
        Map<String, Integer> surplus = new HashMap<>();
        actual.forEach(r -> surplus.merge(r, 1, Integer::sum));
        expected.forEach(r -> surplus.merge(r, -1, Integer::sum));
        List<String> unexpected = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        surplus.forEach((row, count) -> {
            for (int i = 0; i < Math.abs(count); i++) {
                (count > 0 ? unexpected : missing).add(row);
            }
        });
        assertThat(missing).as("%s: rows missing", what).isEmpty();
        assertThat(unexpected).as("%s: rows that should not be there", what).isEmpty();
    }

    private static String q(String schema, String table) {
        return "\"" + schema + "\".\"" + table + "\"";
    }

    private static List<String> joined(List<List<Object>> rows) {
        List<String> out = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            StringBuilder b = new StringBuilder();
            for (Object v : row) {
                if (!b.isEmpty()) {
                    b.append('|');
                }
                b.append(v);
            }
            out.add(b.toString());
        }
        return out;
    }

    /** Rows with integers as Long and everything else as String. */
    static List<List<Object>> rows(Connection db, String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Number number && !(v instanceof java.math.BigDecimal) && !(v instanceof Double)) {
                        row.add(number.longValue());
                    } else {
                        row.add(v == null ? null : v.toString());
                    }
                }
                out.add(row);
            }
        }
        return out;
    }
}
