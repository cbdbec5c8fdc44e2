package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import dev.bobbin.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v2/import/batch} validates the body as it streams ({@link BatchRequest#validate(byte[], ImportLimits)});
 * it must answer exactly as the validation of the whole parsed tree does, for any body: the same
 * batch when valid, the same status and body for the first problem otherwise, whatever the order of
 * the fields and wherever the problem is.
 *
 * <p>Messages are read from the token stream by {@link MessageTokens} and only the ones it does not
 * settle are read as trees, so the generator exercises each of its rules at and around its edges
 * (message shape and action, sequence range and type, time_extracted, data against nested schemas
 * with items and type lists, key properties, data points, numbers the tree path cannot read,
 * duplicate keys, nesting depth, escapes), valid and invalid.
 */
final class StreamingBatchValidationTest {
    private static final ImportLimits LIMITS = new ImportLimits(20 * 1024 * 1024, 200 * 1024 * 1024, 5, 20, 16);

    private static final String SCHEMA = "{\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":[\"null\",\"string\"]},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"at\":{\"type\":\"string\",\"format\":\"date-time\"}}}";
    private static final String[] GOOD_MESSAGES = {
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"name\":\"a\"}}",
        "{\"action\":\"upsert\",\"sequence\":2,\"data\":{\"id\":2,\"name\":null,\"tags\":[\"x\",\"y\"]}}",
        "{\"action\":\"activate_version\",\"sequence\":3}",
        "{\"action\":\"upsert\",\"sequence\":4,\"data\":{\"id\":3,\"at\":\"2020-01-01T00:00:00Z\",\"extra\":{\"deep\":[1,2.50,true]}}}",
        "{\"action\":\"upsert\",\"sequence\":5,\"data\":{\"id\":4},\"time_extracted\":\"2020-01-01T00:00:00Z\"}",
    };
    private static final String[] BAD_MESSAGES = {
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":\"one\"}}",
        "{\"action\":\"upsert\",\"data\":{\"id\":1}}",
        "{\"action\":\"upsert\",\"sequence\":-1,\"data\":{\"id\":1}}",
        "{\"action\":\"upsert\",\"sequence\":99999999999999999999,\"data\":{\"id\":1}}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"name\":\"no key\"}}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"tags\":[1]}}",
        "{\"action\":\"delete\",\"sequence\":1,\"data\":{\"id\":1}}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":[]}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1},\"extra\":1}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1},\"time_extracted\":\"yesterday\"}",
        "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":{\"a\":1}}}",
        "null",
        "7",
    };
    private static final String[] BROKEN = {"", "   ", "[]", "{", "{}", "{} {}", "{}x", "nul", "{\"a\":1,\"a\":2}", "{\"messages\":[{\"x\":1,\"x\":2}]}",
        "\"text\"", "{\"table_name\":\"t\" \"schema\":{}}"};

    /** Declared: integer vs number, type lists, nested properties, arrays with items (of arrays), untyped schemas. */
    private static final String NESTED_SCHEMA = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
            + "\"code\":{\"type\":[\"string\",\"integer\"]},\"amount\":{\"type\":\"number\"},\"flag\":{\"type\":[\"boolean\",\"null\"]},"
            + "\"address\":{\"type\":[\"object\",\"null\"],\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"geo\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"}}}}},"
            + "\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"qty\":{\"type\":\"integer\"},\"sku\":{\"type\":\"string\"}}}},"
            + "\"matrix\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},"
            + "\"anything\":{},\"untyped\":{\"properties\":{\"n\":{\"type\":\"integer\"}}}}}";
    private static final String[] NESTED_PROPERTIES = {"id", "code", "amount", "flag", "address", "lines", "matrix", "untyped",
        "extra", "x"};
    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "42", "1.0", "2.50", "-0.0", "0.1", "1e2", "1E+2", "1e-7", "-2.5E3",
        "1e999999999", "1e-999999999", "1e1000000000", "1e2147483648", "1.5e0000000001", "12345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" + "0".repeat(100), "1" + "0".repeat(99),
        "0." + "1".repeat(98), "0." + "1".repeat(99), "1" + "0".repeat(1000), "1." + "0".repeat(999),
        "1e-2147483648", "-1.5E-2147483647", "1e99999999999", "2E-0000000003"};
    private static final String[] STRINGS = {"\"a\"", "\"\"", "\"q\\\"uote\\\\\"", "\"\\u00e9t\\u00e9\"", "\"\\uD83D\\uDE00\"", "\"\u00e9\"",
        "\"\uD83D\uDE00\"", "\"line\\nbreak\"", "\"2020-01-01T00:00:00Z\""};
    /** Key property values around the limit of 16 characters (counted as Java chars: an emoji is 2, an escape 1). */
    private static final String[] KEY_VALUES = {"1", "-3", "1.5", "true", "\"k\"", "\"\"", "\"" + "a".repeat(15) + "\"", "\"" + "a".repeat(16) + "\"",
        "\"" + "a".repeat(17) + "\"", "\"" + "\\u0041".repeat(16) + "\"", "\"" + "\\u0041".repeat(17) + "\"", "\"" + "\uD83D\uDE00".repeat(8) + "\"",
        "\"" + "a".repeat(15) + "\uD83D\uDE00\"", "\"" + "\u00e9".repeat(16) + "\"", "null", "{}", "[]", "[1]", "{\"a\":1}"};
    private static final String[] SEQUENCES = {"0", "1", "-0", "-1", "7", "1.0", "1e2", "0.5", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "\"1\"", "null", "[]", "{}", "true", "1" + "0".repeat(1000)};
    private static final String[] ACTIONS = {"\"upsert\"", "\"upsert\"", "\"upsert\"", "\"activate_version\"", "\"Upsert\"", "\"upsert \"",
        "\"\\u0075psert\"", "\"activate_versio\"", "\"delete\"", "1", "null", "[\"upsert\"]", "{}"};
    private static final String[] TIMES = {"\"2020-01-01T00:00:00Z\"", "\"2020-01-01T00:00:00.123456789+05:30\"", "\"2020-01-01\"",
        "\"2020-01-01 10:00:00+0000\"", "\"2020-01-01t10:00z\"", "\"2020-02-30T00:00:00Z\"", "\"yesterday\"", "\"\"",
        "\"294277-01-01T00:00:00Z\"", "\"-4714-11-24T00:00:00Z\"", "\"-4714-11-23T23:59:59Z\"", "1", "null", "[]"};

    @Test
    void answersAsTheTreeValidationDoes() {
        SplittableRandom random = new SplittableRandom(42);
        int differences = 0;
        int accepted = 0;
        List<String> examples = new ArrayList<>();
        for (int n = 0; n < 20_000; n++) {
            String body = randomBody(random);
            String tree = outcome(() -> BatchRequest.validate(ImportApi.parse(bytes(body)), LIMITS));
            String streamed = outcome(() -> BatchRequest.validate(bytes(body), LIMITS));
            if (!tree.equals(streamed)) {
                differences++;
                if (examples.size() < 5) {
                    examples.add(abbreviated(body) + "\n   tree:     " + tree + "\n   streamed: " + streamed);
                }
            }
            if (tree.startsWith("ok ")) {
                accepted++;
            }
        }
        assertThat(examples).as("bodies answered differently").isEmpty();
        assertThat(differences).isZero();
        assertThat(accepted).as("accepted bodies (the generator must make both kinds)").isBetween(2_000, 18_000);
    }

    @Test
    void theFastPathSettlesValidMessagesAndNoInvalidOne() throws Exception {
        RecordSchema schema = RecordSchema.compile(Json.MAPPER.readTree(NESTED_SCHEMA));
        MessageTokens tokens = MessageTokens.checking(schema, List.of("id", "code"), LIMITS);
        List<String> valid = List.of(
                "{\"action\":\"upsert\",\"sequence\":0,\"data\":{\"id\":1,\"code\":\"" + "a".repeat(16) + "\"}}",
                "{\"sequence\":9223372036854775807,\"data\":{\"code\":\"" + "\\u0041".repeat(16) + "\",\"id\":-1},\"action\":\"\\u0075psert\"}",
                "{\"action\":\"upsert\",\"sequence\":-0,\"data\":{\"id\":1,\"code\":7,\"amount\":1e999999999,\"flag\":null,"
                        + "\"address\":{\"city\":\"x\",\"geo\":{\"lat\":5}},\"lines\":[{\"qty\":1,\"sku\":\"s\"},{}],\"matrix\":[[1,2],[]],"
                        + "\"anything\":[{\"deep\":[1.5,\"x\"]}],\"untyped\":{\"n\":3}},\"time_extracted\":\"2020-01-01T00:00:00Z\"}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\",\"extra\":[" + "0,".repeat(17) + "{},[],0]}}",
                "{\"action\":\"activate_version\",\"sequence\":3}",
                "{\"data\":{\"id\":1,\"code\":\"c\",\"action\":{\"sequence\":2}},\"action\":\"upsert\",\"sequence\":1}");
        List<String> invalid = List.of(
                "{\"action\":\"upsert\",\"sequence\":0,\"data\":{\"id\":1,\"code\":\"" + "a".repeat(17) + "\"}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\",\"extra\":[" + "0,".repeat(18) + "0]}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1.0,\"code\":\"c\"}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\",\"lines\":[{\"qty\":\"1\"}]}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\",\"matrix\":[[1,2.5]]}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\",\"address\":{\"geo\":{\"lat\":\"n\"}}}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":null}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1}}",
                "{\"action\":\"upsert\",\"sequence\":1.0,\"data\":{\"id\":1,\"code\":\"c\"}}",
                "{\"action\":\"upsert\",\"sequence\":9223372036854775808,\"data\":{\"id\":1,\"code\":\"c\"}}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\"},\"time_extracted\":\"2020-02-30\"}",
                "{\"action\":\"activate_version\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\"}}",
                "{\"action\":\"upsert\",\"sequence\":1}",
                "{\"action\":\"upsert\",\"sequence\":1,\"data\":{\"id\":1,\"code\":\"c\"},\"extra\":null}");
        for (String message : valid) {
            assertThat(settled(tokens, message)).as(message).isTrue();
        }
        for (String message : invalid) {
            assertThat(settled(tokens, message)).as(message).isFalse();
        }
    }

    @Test
    void aStringLongerThanTheParserReadsGetsTheTreeValidationsAnswer() {
        int longest = Json.MAPPER.getFactory().streamReadConstraints().getMaxStringLength();
        String body = "{\"table_name\":\"t\",\"schema\":{},\"messages\":[{\"action\":\"upsert\",\"sequence\":1,"
                + "\"data\":{\"s\":\"" + "x".repeat(longest + 1) + "\"}}]}";
        String tree = outcome(() -> BatchRequest.validate(ImportApi.parse(bytes(body)), LIMITS));
        assertThat(tree).startsWith("400 ");
        assertThat(outcome(() -> BatchRequest.validate(bytes(body), LIMITS))).isEqualTo(tree);
    }

    /** Whether the fast path settles {@code message} (read as the only item of an array, as a body's messages are). */
    private static boolean settled(MessageTokens tokens, String message) throws Exception {
        byte[] body = bytes("[" + message + "]");
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            p.nextToken();
            p.nextToken();
            boolean settled = tokens.treeUnlessSettled(p, body) == null;
            assertThat(p.nextToken()).as("the parser is left after the message").isEqualTo(JsonToken.END_ARRAY);
            return settled;
        }
    }

    @Test
    void brokenBodiesGetTheTreeValidationsAnswer() {
        for (String body : BROKEN) {
            assertThat(outcome(() -> BatchRequest.validate(bytes(body), LIMITS)))
                    .as(body).isEqualTo(outcome(() -> BatchRequest.validate(ImportApi.parse(bytes(body)), LIMITS)));
        }
        byte[] notUtf8 = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};
        assertThat(outcome(() -> BatchRequest.validate(notUtf8, LIMITS)))
                .isEqualTo(outcome(() -> BatchRequest.validate(ImportApi.parse(notUtf8), LIMITS)));
        // NUL bytes are UTF-8, and Jackson reads a body of them as UTF-16 or UTF-32 (a parser without byte offsets)
        String good = "{\"table_name\":\"t\",\"schema\":{},\"messages\":[{\"action\":\"upsert\",\"sequence\":1,\"data\":{}}]}";
        String bad = good.replace("\"data\":{}", "\"data\":[]");
        for (String text : List.of(good, bad)) {
            for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, java.nio.charset.Charset.forName("UTF-32BE"))) {
                byte[] encoded = text.getBytes(charset);
                assertThat(outcome(() -> BatchRequest.validate(encoded, LIMITS))).as(text + " in " + charset)
                        .isEqualTo(outcome(() -> BatchRequest.validate(ImportApi.parse(encoded), LIMITS)));
            }
            byte[] withBom = bytes("\uFEFF" + text);
            assertThat(outcome(() -> BatchRequest.validate(withBom, LIMITS))).as(text + " after a byte order mark")
                    .isEqualTo(outcome(() -> BatchRequest.validate(ImportApi.parse(withBom), LIMITS)));
        }
    }

    private static String randomBody(SplittableRandom random) {
        return random.nextBoolean() ? anyBody(random) : rightEnvelope(random);
    }

    /** A body whose envelope is right, its fields in any order: what answers it is in its messages. */
    private static String rightEnvelope(SplittableRandom random) {
        boolean nested = random.nextBoolean();
        List<String> fields = new ArrayList<>();
        fields.add("\"table_name\":\"orders\"");
        fields.add("\"schema\":" + (nested ? NESTED_SCHEMA : SCHEMA));
        fields.add("\"key_names\":" + (nested ? pick(random, "[\"id\"]", "[\"id\",\"code\"]", "[\"code\"]", "[\"id\",\"anything\"]", "[]") : pick(random, "[\"id\"]", "[]")));
        List<String> messages = new ArrayList<>();
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
            messages.add(randomMessage(random, 25));
        }
        fields.add("\"messages\":[" + String.join(",", messages) + "]");
        shuffle(random, fields);
        return "{" + String.join(",", fields) + "}";
    }

    /** A body of any envelope, right or wrong, now and then cut short, repeated or with a duplicate key. */
    private static String anyBody(SplittableRandom random) {
        List<String> fields = new ArrayList<>();
        if (random.nextInt(20) != 0) {
            fields.add("\"table_name\":" + pick(random, "\"customers\"", "\"customers\"", "\"\"", "5"));
        }
        if (random.nextInt(20) != 0) {
            fields.add("\"schema\":" + pick(random, SCHEMA, SCHEMA, NESTED_SCHEMA, NESTED_SCHEMA, NESTED_SCHEMA, "[]", "{\"type\":\"nope\"}",
                    "{\"properties\":{\"name\":{\"type\":\"string\"}}}", "{\"type\":\"array\"}", "{}"));
        }
        if (random.nextInt(3) != 0) {
            fields.add("\"key_names\":" + pick(random, "[\"id\"]", "[\"id\"]", "[\"id\",\"code\"]", "[\"code\"]", "[]", "[\"id\",\"id\"]",
                    "[\"missing\"]", "\"id\"", "[1]"));
        }
        if (random.nextInt(10) == 0) {
            fields.add("\"table_version\":" + pick(random, "1", "-1", "\"v\""));
        }
        if (random.nextInt(15) == 0) {
            fields.add("\"bookmark_names\":" + pick(random, "[\"a\"]", "[1]"));
        }
        if (random.nextInt(30) == 0) {
            fields.add("\"surprise\":1");
        }
        if (random.nextInt(20) != 0) {
            fields.add("\"messages\":" + messages(random));
        }
        for (int i = fields.size() - 1; i > 0; i--) {
            if (random.nextInt(3) == 0) {
                int j = random.nextInt(i + 1);
                String t = fields.get(i);
                fields.set(i, fields.get(j));
                fields.set(j, t);
            }
        }
        String body = "{" + String.join(",", fields) + "}";
        return switch (random.nextInt(40)) {
            case 0 -> body + " {}";
            case 1 -> body.substring(0, random.nextInt(body.length()));
            case 2 -> body.replace("\"sequence\":2", "\"sequence\":2,\"sequence\":2");
            case 3 -> fields.isEmpty() ? body : "{" + fields.get(random.nextInt(fields.size())) + "," + body.substring(1); // a repeated envelope key
            default -> body;
        };
    }

    private static String messages(SplittableRandom random) {
        if (random.nextInt(25) == 0) {
            return pick(random, "{}", "\"m\"", "null");
        }
        int count = random.nextInt(8);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(switch (random.nextInt(12)) {
                case 0 -> pick(random, BAD_MESSAGES);
                case 1, 2, 3 -> pick(random, GOOD_MESSAGES);
                default -> randomMessage(random, 4);
            });
        }
        return "[" + String.join(",", out) + "]";
    }

    /**
     * A message of the fields an upsert or activate_version has, each of them wrong (or missing,
     * repeated, extra) with a chance of 1 in about {@code wrongOdds}, independently, so that many
     * messages have just one thing wrong.
     */
    private static String randomMessage(SplittableRandom random, int wrongOdds) {
        boolean upsert = random.nextInt(8) != 0;
        List<String> fields = new ArrayList<>();
        if (random.nextInt(20 * wrongOdds) != 0) {
            fields.add("\"action\":" + (random.nextInt(wrongOdds) == 0 ? pick(random, ACTIONS) : upsert ? "\"upsert\"" : "\"activate_version\""));
        }
        if (random.nextInt(20 * wrongOdds) != 0) {
            fields.add("\"sequence\":" + (random.nextInt(wrongOdds) == 0 ? pick(random, SEQUENCES) : String.valueOf(random.nextInt(1000))));
        }
        if (upsert ? random.nextInt(20 * wrongOdds) != 0 : random.nextInt(15) == 0) {
            fields.add("\"data\":" + (random.nextInt(10 * wrongOdds) != 0 ? data(random, wrongOdds) : pick(random, "null", "[]", "\"d\"", "1")));
        }
        if (random.nextInt(5) == 0) {
            fields.add("\"time_extracted\":" + (random.nextInt(wrongOdds) == 0 ? pick(random, TIMES) : "\"2021-03-04T05:06:07.890Z\""));
        }
        if (random.nextInt(20 * wrongOdds) == 0) {
            fields.add(pick(random, "\"extra\":1", "\"extra\":{\"a\":[1]}", "\"Action\":\"upsert\""));
        }
        if (random.nextInt(20 * wrongOdds) == 0 && !fields.isEmpty()) {
            fields.add(fields.get(random.nextInt(fields.size()))); // a duplicate key: the parser refuses it
        }
        shuffle(random, fields);
        return "{" + String.join(",", fields) + "}";
    }

    /**
     * A record for NESTED_SCHEMA (or the plain one): the key properties, declared and undeclared
     * properties, now and then many data points or deep nesting; each part wrong with a chance of 1 in
     * about {@code wrongOdds}.
     */
    private static String data(SplittableRandom random, int wrongOdds) {
        List<String> fields = new ArrayList<>();
        if (random.nextInt(10 * wrongOdds) != 0) {
            fields.add("\"id\":" + (random.nextInt(wrongOdds) == 0 ? pick(random, KEY_VALUES) : String.valueOf(random.nextInt(100))));
        }
        if (random.nextInt(4) != 0) {
            fields.add("\"code\":" + (random.nextInt(wrongOdds) == 0 ? pick(random, KEY_VALUES) : "\"c" + random.nextInt(100) + "\""));
        }
        int more = random.nextInt(5);
        for (int i = 0; i < more; i++) {
            String name = pick(random, NESTED_PROPERTIES);
            if (!name.equals("id") && !name.equals("code")) { // not repeated (nor "anything", below)
                fields.add("\"" + name + "\":" + (random.nextInt(wrongOdds) == 0 ? anyValue(random, 2) : property(random, name)));
            }
        }
        if (random.nextInt(3) == 0) { // a key property in some batches, of any value: its schema does not constrain it
            fields.add("\"anything\":" + (random.nextInt(3) == 0 ? pick(random, KEY_VALUES) : "\"a" + random.nextInt(100) + "\""));
        }
        if (random.nextInt(6) == 0) {
            fields.add("\"name\":" + pick(random, "\"n\"", "null", "1") + ",\"tags\":" + pick(random, "[\"t\"]", "[]", "[1]", "\"t\""));
        }
        if (random.nextInt(8) == 0) {
            fields.add("\"points\":[" + String.join(",", java.util.Collections.nCopies(12 + random.nextInt(10), "0")) + ",[],{}]");
        }
        if (random.nextInt(200) == 0) {
            int depth = pick(random, 990, 995, 996, 997, 998, 1000);
            fields.add("\"deep\":" + "[".repeat(depth) + "]".repeat(depth));
        }
        if (random.nextInt(10 * wrongOdds) == 0 && !fields.isEmpty()) {
            fields.add(fields.get(random.nextInt(fields.size())));
        }
        shuffle(random, fields);
        return "{" + String.join(",", fields) + "}";
    }

    /** A value for a property of NESTED_SCHEMA, mostly one that conforms (its parts now and then do not). */
    private static String property(SplittableRandom random, String name) {
        return switch (name) {
            case "amount" -> pick(random, NUMBERS);
            case "flag" -> pick(random, "true", "false", "null");
            case "address" -> random.nextInt(5) == 0 ? "null" : "{\"city\":" + pick(random, STRINGS) + ",\"geo\":{\"lat\":"
                    + pick(random, "1", "-2.5", "1e3", "1", "\"north\"") + (random.nextInt(10) == 0 ? ",\"lat\":2" : "") + "}}";
            case "lines" -> {
                List<String> lines = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    lines.add(pick(random, "{\"qty\":1,\"sku\":\"s\"}", "{\"qty\":2}", "{}", "{\"other\":[1,2]}", "{\"qty\":1.5}", "{\"sku\":3}"));
                }
                yield "[" + String.join(",", lines) + "]";
            }
            case "matrix" -> pick(random, "[[1,2],[3]]", "[[]]", "[]", "[[1],[2.0]]", "[[1],\"x\"]");
            case "untyped" -> pick(random, "{\"n\":1}", "{\"n\":\"1\"}", "7", "[{\"n\":\"x\"}]");
            default -> anyValue(random, 3);
        };
    }

    /** Any JSON value: scalars of every kind (numbers at the edges, strings with escapes), objects and arrays to {@code depth}. */
    private static String anyValue(SplittableRandom random, int depth) {
        int kind = random.nextInt(depth > 0 ? 8 : 6);
        return switch (kind) {
            case 0 -> pick(random, "null", "true", "false");
            case 1, 2 -> pick(random, NUMBERS);
            case 3, 4, 5 -> pick(random, STRINGS);
            case 6 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(anyValue(random, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> fields = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    fields.add("\"" + pick(random, "a", "b", "c", "d", "e", "f", "g", "h") + "\":" + anyValue(random, depth - 1));
                }
                yield "{" + String.join(",", fields) + "}"; // may repeat a key: the parser refuses it
            }
        };
    }

    private static void shuffle(SplittableRandom random, List<String> items) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
    }

    private static String abbreviated(String body) {
        return body.length() <= 3_000 ? body : body.substring(0, 3_000) + "... (" + body.length() + " characters)";
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String outcome(java.util.function.Supplier<BatchRequest> validation) {
        try {
            return "ok " + validation.get();
        } catch (ApiError e) {
            return e.status() + " " + Json.write(e.body());
        }
    }
}
