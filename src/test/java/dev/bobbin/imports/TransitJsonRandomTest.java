package dev.bobbin.imports;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.imports.TransitTestWriter.Kw;
import dev.bobbin.imports.TransitTestWriter.Sym;
import dev.bobbin.imports.TransitTestWriter.TList;
import dev.bobbin.imports.TransitTestWriter.TSet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Random documents: written by {@link TransitTestWriter} and read back (round trips, including cache
 * resets), then mutated to check that bad input never escapes as anything but a TransitException.
 */
class TransitJsonRandomTest {
    private static final String[] AWKWARD_STRINGS = {
        "", "~", "^", "`", "^ ", "~tilde", "^caret", "`tick", "~#set", "~:kw", "~i5", "plain text", "caf\u00e9",
        "\uD83D\uDE00 emoji", "a\"quote", "line\nbreak"};

    /** Strings a hostile client might put anywhere. */
    private static final String[] HOSTILE_STRINGS = {
        "^ ", "^0", "^1", "^9", "^[", "^[[", "^10", "^", "^\u0000", "~", "~#", "~#'", "~#set", "~#list", "~#cmap",
        "~#u", "~#m", "~#t", "~#ratio", "~i", "~i-", "~i99999999999999999999999", "~n", "~n-1", "~f", "~f1e2147483648",
        "~f.", "~d", "~dNaN", "~d1e400", "~m", "~m-", "~m99999999999999999999", "~t", "~t9999999999-01-01T00:00Z",
        "~u", "~u00000000-0000-0000-0000-00000000000g", "~c", "~b", "~b=", "~z", "~zNaN", "~?", "~?t", "~_", "~:", "~$",
        "~~", "~^", "~`", "~\uD83D\uDE00", "\uD83D", "~\uD83D", "~#\uD83D", "^\uD83D\uDE00"};

    private final Random random = new Random(20190815L);
    private final List<String> keyPool = new ArrayList<>();

    TransitJsonRandomTest() {
        for (int i = 0; i < 300; i++) {
            keyPool.add(i % 3 == 0 ? "k" + i : "field_" + i);
        }
        keyPool.add("id");
        keyPool.addAll(List.of(AWKWARD_STRINGS));
    }

    @Test
    void randomDocumentsRoundTripInBothForms() throws Exception {
        for (int i = 0; i < 300; i++) {
            Object value = randomValue(0);
            String expected = TransitTestWriter.render(value);
            String compact = TransitTestWriter.compact(value);
            String verbose = TransitTestWriter.verbose(value);
            assertThat(TransitTestWriter.render(TransitJson.decode(compact.getBytes(UTF_8)))).as(compact).isEqualTo(expected);
            assertThat(TransitTestWriter.render(TransitJson.decode(verbose.getBytes(UTF_8)))).as(verbose).isEqualTo(expected);
        }
    }

    @Test
    void batchesLargeEnoughToResetTheCacheSeveralTimesRoundTrip() throws Exception {
        // 400 records, each with ten fresh keys and repeated ones: well over 3 * 1936 cache entries.
        List<Object> batch = new ArrayList<>();
        for (int r = 0; r < 400; r++) {
            Map<Object, Object> data = new LinkedHashMap<>();
            data.put("id", (long) r);
            for (int k = 0; k < 10; k++) {
                data.put("col_" + r + "_" + k, random.nextBoolean() ? new Kw("value_" + random.nextInt(3000)) : (long) k);
                data.put(keyPool.get(random.nextInt(300)), randomScalar());
            }
            Map<Object, Object> record = new LinkedHashMap<>();
            record.put(new Kw("client_id"), 7723L);
            record.put(new Kw("namespace"), "ns");
            record.put(new Kw("table_name"), "table_" + (r % 7));
            record.put(new Kw("key_names"), List.of("id"));
            record.put(new Kw("action"), new Kw("upsert"));
            record.put(new Kw("table_version"), 1L);
            record.put(new Kw("sequence"), 1565880017000L + r);
            record.put(new Kw("data"), data);
            batch.add(record);
        }
        String compact = TransitTestWriter.compact(batch);
        // Without a reset "~:client_id" would be written once and referenced as ^0 ever after; it is
        // written out again each time the cache has been cleared.
        int written = compact.split("\"~:client_id\"", -1).length - 1;
        assertThat(written).isGreaterThanOrEqualTo(3);
        JsonNode decoded = TransitJson.decode(compact.getBytes(UTF_8));
        assertThat(TransitTestWriter.render(decoded)).isEqualTo(TransitTestWriter.render(batch));
    }

    @Test
    void mutatedDocumentsOnlyEverFailWithTransitException() {
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Object value = randomValue(0);
            seeds.add(TransitTestWriter.compact(value));
            seeds.add(TransitTestWriter.verbose(value));
        }
        seeds.add("[\"^ \",\"~:client_id\",7723,\"~:table_name\",\"customers\",\"~:key_names\",[\"id\"],"
                + "\"~:action\",\"~:upsert\",\"~:sequence\",1565880017,\"~:data\",[\"^ \",\"id\",1,\"name\",\"Finn\"]]");
        seeds.add("[[\"~#set\",[1]],[\"^0\",[2]],[\"~#cmap\",[\"a\",1]],[\"~#u\",[1,2]],[\"~#m\",5],{\"~#t\":\"2019-08-15T14:40:17Z\"}]");

        int accepted = 0;
        int refused = 0;
        List<String> escapes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] mutated = mutate(seeds.get(random.nextInt(seeds.size())));
            try {
                TransitJson.decode(mutated);
                accepted++;
            } catch (TransitException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            } catch (Throwable t) {
                escapes.add(t + " for " + new String(mutated, UTF_8));
            }
        }
        assertThat(escapes).isEmpty();
        // Both outcomes must be common, or the mutations are not exercising the decoder.
        assertThat(accepted).isGreaterThan(100);
        assertThat(refused).isGreaterThan(100);
    }

    // ---- random values ------------------------------------------------------------------------

    private Object randomValue(int depth) {
        int kind = random.nextInt(depth >= 4 ? 2 : 8);
        return switch (kind) {
            case 0, 1 -> randomScalar();
            case 2, 3 -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                int size = random.nextInt(6);
                for (int i = 0; i < size; i++) {
                    String name = random.nextInt(4) == 0 ? "fresh_" + random.nextInt(100_000) : keyPool.get(random.nextInt(keyPool.size()));
                    Object key = random.nextBoolean() ? name : new Kw(name);
                    if (!containsName(map, name)) {
                        map.put(key, randomValue(depth + 1));
                    }
                }
                yield map;
            }
            case 4, 5 -> randomList(depth);
            case 6 -> new TSet(randomList(depth));
            default -> new TList(randomList(depth));
        };
    }

    private static boolean containsName(Map<Object, Object> map, String name) {
        return map.containsKey(name) || map.containsKey(new Kw(name));
    }

    private List<Object> randomList(int depth) {
        List<Object> list = new ArrayList<>();
        int size = random.nextInt(5);
        for (int i = 0; i < size; i++) {
            list.add(randomValue(depth + 1));
        }
        return list;
    }

    private Object randomScalar() {
        return switch (random.nextInt(13)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> (long) random.nextInt(2000) - 1000;
            case 3 -> random.nextLong(); // often past 2^53, so written as ~i
            case 4 -> BigInteger.valueOf(random.nextLong()).multiply(BigInteger.valueOf(Long.MAX_VALUE));
            case 5 -> new BigDecimal(BigInteger.valueOf(random.nextInt()), random.nextInt(10) - 3);
            case 6 -> Instant.ofEpochMilli(1565880017000L + random.nextInt());
            case 7 -> new UUID(random.nextLong(), random.nextLong());
            case 8 -> new Kw(keyPool.get(random.nextInt(keyPool.size())));
            case 9 -> new Sym("sym_" + random.nextInt(50));
            case 10 -> AWKWARD_STRINGS[random.nextInt(AWKWARD_STRINGS.length)];
            default -> keyPool.get(random.nextInt(keyPool.size()));
        };
    }

    // ---- mutations ----------------------------------------------------------------------------

    private static final Pattern STRING_TOKEN = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final String STRUCTURAL = "[]{},:\"^~#0123456789 -.eE\\tnfu";

    private byte[] mutate(String doc) {
        String text = doc;
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            text = switch (random.nextInt(6)) {
                case 0, 1 -> replaceStringToken(text);
                case 2 -> replaceChar(text);
                case 3 -> deleteSlice(text);
                case 4 -> insertChar(text);
                default -> duplicateSlice(text);
            };
        }
        byte[] bytes = text.getBytes(UTF_8);
        if (bytes.length > 0 && random.nextInt(20) == 0) {
            bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80)); // invalid UTF-8, usually
        }
        return bytes;
    }

    private String replaceStringToken(String text) {
        List<int[]> tokens = new ArrayList<>();
        Matcher m = STRING_TOKEN.matcher(text);
        while (m.find()) {
            tokens.add(new int[] {m.start(), m.end()});
        }
        if (tokens.isEmpty()) {
            return insertChar(text);
        }
        int[] token = tokens.get(random.nextInt(tokens.size()));
        String replacement = dev.bobbin.json.Json.write(HOSTILE_STRINGS[random.nextInt(HOSTILE_STRINGS.length)]);
        return text.substring(0, token[0]) + replacement + text.substring(token[1]);
    }

    private String replaceChar(String text) {
        if (text.isEmpty()) {
            return insertChar(text);
        }
        int at = random.nextInt(text.length());
        return text.substring(0, at) + STRUCTURAL.charAt(random.nextInt(STRUCTURAL.length())) + text.substring(at + 1);
    }

    private String insertChar(String text) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + STRUCTURAL.charAt(random.nextInt(STRUCTURAL.length())) + text.substring(at);
    }

    private String deleteSlice(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int at = random.nextInt(text.length());
        int end = Math.min(text.length(), at + 1 + random.nextInt(4));
        return text.substring(0, at) + text.substring(end);
    }

    private String duplicateSlice(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int at = random.nextInt(text.length());
        int end = Math.min(text.length(), at + 1 + random.nextInt(20));
        return text.substring(0, end) + text.substring(at, end) + text.substring(end);
    }
}
