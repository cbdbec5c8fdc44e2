package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void answersAsTheTreeValidationDoes() {
        SplittableRandom random = new SplittableRandom(42);
        int differences = 0;
        List<String> examples = new ArrayList<>();
        for (int n = 0; n < 20_000; n++) {
            String body = randomBody(random);
            String tree = outcome(() -> BatchRequest.validate(ImportApi.parse(bytes(body)), LIMITS));
            String streamed = outcome(() -> BatchRequest.validate(bytes(body), LIMITS));
            if (!tree.equals(streamed)) {
                differences++;
                if (examples.size() < 5) {
                    examples.add(body + "\n   tree:     " + tree + "\n   streamed: " + streamed);
                }
            }
        }
        assertThat(examples).as("bodies answered differently").isEmpty();
        assertThat(differences).isZero();
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
    }

    private static String randomBody(SplittableRandom random) {
        List<String> fields = new ArrayList<>();
        if (random.nextInt(20) != 0) {
            fields.add("\"table_name\":" + pick(random, "\"customers\"", "\"customers\"", "\"\"", "5"));
        }
        if (random.nextInt(20) != 0) {
            fields.add("\"schema\":" + pick(random, SCHEMA, SCHEMA, SCHEMA, "[]", "{\"type\":\"nope\"}", "{\"properties\":{\"name\":{\"type\":\"string\"}}}"));
        }
        if (random.nextInt(3) != 0) {
            fields.add("\"key_names\":" + pick(random, "[\"id\"]", "[\"id\"]", "[]", "[\"id\",\"id\"]", "[\"missing\"]", "\"id\"", "[1]"));
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
            out.add(random.nextInt(6) == 0 ? pick(random, BAD_MESSAGES) : pick(random, GOOD_MESSAGES));
        }
        return "[" + String.join(",", out) + "]";
    }

    private static String pick(SplittableRandom random, String... options) {
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
