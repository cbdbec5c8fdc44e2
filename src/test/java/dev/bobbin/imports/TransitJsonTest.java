package dev.bobbin.imports;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bobbin.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TransitJsonTest {
    /** A record as the java-stitch-client posts it: keyword keys and action, compact maps. */
    private static final String STITCH_RECORD = """
            ["^ ","~:client_id",7723,"~:namespace","ns","~:table_name","customers","~:key_names",["id"],\
            "~:action","~:upsert","~:sequence",1565880017,"~:data",["^ ","id",1,"name","Finn"]]""";

    /** The same record as plain JSON: what the Transit record must decode to. */
    private static final String STITCH_RECORD_JSON = """
            {"client_id":7723,"namespace":"ns","table_name":"customers","key_names":["id"],\
            "action":"upsert","sequence":1565880017,"data":{"id":1,"name":"Finn"}}""";

    static JsonNode decode(String transit) throws TransitException {
        return TransitJson.decode(transit.getBytes(UTF_8));
    }

    static JsonNode json(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    static void assertFails(String transit, String message) {
        assertThatThrownBy(() -> decode(transit)).isExactlyInstanceOf(TransitException.class).hasMessage(message);
    }

    static Object pojo(JsonNode node) {
        assertThat(node).isInstanceOf(POJONode.class);
        return ((POJONode) node).getPojo();
    }

    @Nested
    class StitchRecords {
        @Test
        void compactRecordDecodesToTheEquivalentJson() throws Exception {
            JsonNode record = decode(STITCH_RECORD);
            assertThat(record).isEqualTo(json(STITCH_RECORD_JSON));
            assertThat(record.get("action").textValue()).isEqualTo("upsert");
            assertThat(record.get("client_id").longValue()).isEqualTo(7723);
            assertThat(record.get("data").get("name").textValue()).isEqualTo("Finn");
        }

        @Test
        void verboseRecordDecodesToTheEquivalentJson() throws Exception {
            String verbose = """
                    {"~:client_id":7723,"~:namespace":"ns","~:table_name":"customers","~:key_names":["id"],\
                    "~:action":"~:upsert","~:sequence":1565880017,"~:data":{"id":1,"name":"Finn"}}""";
            assertThat(decode(verbose)).isEqualTo(json(STITCH_RECORD_JSON));
        }

        @Test
        void secondRecordOfABatchUsesCacheCodesForRepeatedKeysAndKeywords() throws Exception {
            // Cached in the first record, in document order:
            //   ^0 ~:client_id  ^1 ~:namespace  ^2 ~:table_name  ^3 ~:key_names  ^4 ~:action
            //   ^5 ~:upsert (a keyword value)  ^6 ~:sequence  ^7 ~:data  ^8 name (a map key of 4 chars)
            // Not cached: "ns", "customers", "id" and "Finn" (values, or keys of 3 characters or less).
            // The second record adds ~:table_version as ^9 and the data key "order_id" as ^: (index 10);
            // "order_id" inside key_names is a value, so it is not cached there.
            String batch = "[" + STITCH_RECORD + ","
                    + "[\"^ \",\"^0\",7723,\"^1\",\"ns\",\"^2\",\"orders\",\"^3\",[\"order_id\"],\"^4\",\"^5\","
                    + "\"~:table_version\",3,\"^6\",1565838645,\"^7\",[\"^ \",\"order_id\",561,\"^8\",\"BMO\"]],"
                    + "[\"^ \",\"^0\",7723,\"^1\",\"ns\",\"^2\",\"orders\",\"^3\",[\"order_id\"],\"^4\",\"^5\","
                    + "\"^9\",3,\"^6\",1565838646,\"^7\",[\"^ \",\"^:\",562,\"^8\",\"Jake\"]]]";
            JsonNode decoded = decode(batch);
            assertThat(decoded).isEqualTo(json("[" + STITCH_RECORD_JSON + ","
                    + "{\"client_id\":7723,\"namespace\":\"ns\",\"table_name\":\"orders\",\"key_names\":[\"order_id\"],"
                    + "\"action\":\"upsert\",\"table_version\":3,\"sequence\":1565838645,"
                    + "\"data\":{\"order_id\":561,\"name\":\"BMO\"}},"
                    + "{\"client_id\":7723,\"namespace\":\"ns\",\"table_name\":\"orders\",\"key_names\":[\"order_id\"],"
                    + "\"action\":\"upsert\",\"table_version\":3,\"sequence\":1565838646,"
                    + "\"data\":{\"order_id\":562,\"name\":\"Jake\"}}]"));
        }

        @Test
        void aValueNotYetCachedCannotBeReferenced() {
            // Only ^0..^8 exist after the first record.
            assertFails("[" + STITCH_RECORD + ",[\"^ \",\"^9\",1]]", "invalid cache reference ^9");
        }

        @Test
        void recordsWithTypedTransitDataKeepTheirTypes() throws Exception {
            JsonNode record = decode("""
                    ["^ ","~:client_id",7723,"~:table_name","orders","~:sequence","~i1565880017000000123",\
                    "~:data",["^ ","id","~i42","total","~f19.90","at","~m1565880017000","ref","~u0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]]""");
            assertThat(record.get("sequence")).isEqualTo(LongNode.valueOf(1565880017000000123L));
            JsonNode data = record.get("data");
            assertThat(data.get("id")).isEqualTo(LongNode.valueOf(42));
            assertThat(pojo(data.get("total"))).isEqualTo(new BigDecimal("19.90"));
            assertThat(pojo(data.get("at"))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
            assertThat(data.get("ref").textValue()).isEqualTo("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        }
    }

    @Nested
    class Scalars {
        @Test
        void epochMilliseconds() throws Exception {
            assertThat(pojo(decode("[\"~m1565880017000\"]").get(0))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
            assertThat(pojo(decode("[\"~m-1\"]").get(0))).isEqualTo(Instant.parse("1969-12-31T23:59:59.999Z"));
        }

        @Test
        void isoDateTime() throws Exception {
            assertThat(pojo(decode("[\"~t2019-08-15T14:40:17.000Z\"]").get(0))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
            assertThat(pojo(decode("[\"~t2019-08-15T16:40:17.250+02:00\"]").get(0)))
                    .isEqualTo(Instant.parse("2019-08-15T14:40:17.250Z"));
        }

        @Test
        void decimalIsABigDecimalKeptApartFromJsonFloats() throws Exception {
            JsonNode values = decode("[\"~f3.14\", 3.14, \"~f-0.000\", \"~f1E+3\"]");
            assertThat(pojo(values.get(0))).isEqualTo(new BigDecimal("3.14"));
            assertThat(((BigDecimal) pojo(values.get(0))).scale()).isEqualTo(2);
            assertThat(values.get(1).isBigDecimal()).isTrue(); // a JSON float, as Json.MAPPER reads it
            assertThat(pojo(values.get(2))).isEqualTo(new BigDecimal("-0.000"));
            assertThat(pojo(values.get(3))).isEqualTo(new BigDecimal("1E+3"));
        }

        @Test
        void integers() throws Exception {
            JsonNode values = decode("""
                    ["~i9223372036854775807","~i9223372036854775808","~i-9223372036854775808",\
                    "~i-9223372036854775809","~i0","~n123456789012345678901234567890","~n5"]""");
            assertThat(values.get(0)).isEqualTo(LongNode.valueOf(Long.MAX_VALUE));
            assertThat(values.get(1)).isEqualTo(BigIntegerNode.valueOf(new BigInteger("9223372036854775808")));
            assertThat(values.get(2)).isEqualTo(LongNode.valueOf(Long.MIN_VALUE));
            assertThat(values.get(3)).isEqualTo(BigIntegerNode.valueOf(new BigInteger("-9223372036854775809")));
            assertThat(values.get(4)).isEqualTo(LongNode.valueOf(0));
            assertThat(values.get(5)).isEqualTo(BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")));
            assertThat(values.get(6)).isEqualTo(BigIntegerNode.valueOf(BigInteger.valueOf(5)));
        }

        @Test
        void jsonNumbersPassThroughExactly() throws Exception {
            JsonNode values = decode("[1, 12345678901234567890123, 2.50]");
            assertThat(values.get(0).longValue()).isEqualTo(1);
            assertThat(values.get(1).bigIntegerValue()).isEqualTo(new BigInteger("12345678901234567890123"));
            assertThat(values.get(2).decimalValue()).isEqualByComparingTo("2.50");
        }

        @Test
        void doubles() throws Exception {
            assertThat(decode("[\"~d2.5\",\"~d-1e3\"]")).containsExactly(DoubleNode.valueOf(2.5), DoubleNode.valueOf(-1000));
        }

        @Test
        void escapedStrings() throws Exception {
            assertThat(decode("[\"~~tilde\",\"~^caret\",\"~`tick\",\"~~\",\"plain\",\"\",\"~\",\"a~b\"]"))
                    .containsExactly(TextNode.valueOf("~tilde"), TextNode.valueOf("^caret"), TextNode.valueOf("`tick"),
                            TextNode.valueOf("~"), TextNode.valueOf("plain"), TextNode.valueOf(""),
                            TextNode.valueOf("~"), TextNode.valueOf("a~b"));
        }

        @Test
        void uuidIsCanonicalText() throws Exception {
            assertThat(decode("[\"~u531a379e-31bb-4ce1-8690-158dceb64be6\",\"~u531A379E-31BB-4CE1-8690-158DCEB64BE6\"]"))
                    .containsExactly(TextNode.valueOf("531a379e-31bb-4ce1-8690-158dceb64be6"),
                            TextNode.valueOf("531a379e-31bb-4ce1-8690-158dceb64be6"));
        }

        @Test
        void keywordsSymbolsAndOtherTextualValues() throws Exception {
            assertThat(decode("[\"~:upsert\",\"~:ns/name\",\"~$sym\",\"~rhttps://example.com/a?b=c\",\"~cx\",\"~bAQID\"]"))
                    .containsExactly(TextNode.valueOf("upsert"), TextNode.valueOf("ns/name"), TextNode.valueOf("sym"),
                            TextNode.valueOf("https://example.com/a?b=c"), TextNode.valueOf("x"), TextNode.valueOf("AQID"));
        }

        @Test
        void booleansAndNull() throws Exception {
            assertThat(decode("[\"~?t\",\"~?f\",\"~_\",true,false,null]")).containsExactly(BooleanNode.TRUE,
                    BooleanNode.FALSE, NullNode.instance, BooleanNode.TRUE, BooleanNode.FALSE, NullNode.instance);
        }

        @Test
        void quotedTopLevelScalars() throws Exception {
            assertThat(decode("[\"~#'\",5]").longValue()).isEqualTo(5);
            assertThat(decode("[\"~#'\",\"~:kw\"]")).isEqualTo(TextNode.valueOf("kw"));
            assertThat(decode("{\"~#'\":\"~i7\"}")).isEqualTo(LongNode.valueOf(7));
            assertThat(decode("[\"~#'\",null]")).isEqualTo(NullNode.instance);
        }

        @Test
        void caretSpaceOutsideTheFirstPositionIsJustText() throws Exception {
            assertThat(decode("[1,\"^ \"]")).containsExactly(json("1"), TextNode.valueOf("^ "));
        }
    }

    @Nested
    class TaggedValues {
        @Test
        void setsAndListsBecomeArrays() throws Exception {
            assertThat(decode("[\"~#set\",[1,2]]")).isEqualTo(json("[1,2]"));
            assertThat(decode("[\"~#list\",[\"a\",[\"~#set\",[]]]]")).isEqualTo(json("[\"a\",[]]"));
            assertThat(decode("{\"~#list\":[1,{\"~#set\":[\"~:x\"]}]}")).isEqualTo(json("[1,[\"x\"]]"));
        }

        @Test
        void cachedTagIsATagAgain() throws Exception {
            // "~#set" is cacheable (5 characters starting with ~#): the second set is written ["^0", ...].
            assertThat(decode("[[\"~#set\",[1]],[\"^0\",[2]]]")).isEqualTo(json("[[1],[2]]"));
            // A verbose tag is read as a map key, so it is cached as well.
            assertThat(decode("[{\"~#list\":[1]},[\"^0\",[2]],{\"^0\":[3]}]")).isEqualTo(json("[[1],[2],[3]]"));
        }

        @Test
        void shortTagsAreNotCached() {
            // "~#'" has only three characters, so it takes no cache slot.
            assertFails("[[\"~#'\",1],\"^0\"]", "invalid cache reference ^0");
        }

        @Test
        void uuidAsTwoLongs() throws Exception {
            UUID uuid = UUID.fromString("531a379e-31bb-4ce1-8690-158dceb64be6");
            String doc = "[\"~#u\",[\"~i" + uuid.getMostSignificantBits() + "\",\"~i" + uuid.getLeastSignificantBits() + "\"]]";
            assertThat(decode(doc)).isEqualTo(TextNode.valueOf(uuid.toString()));
            assertThat(decode("[\"~#u\",[0,1]]")).isEqualTo(TextNode.valueOf("00000000-0000-0000-0000-000000000001"));
            assertThat(decode("{\"~#u\":\"531a379e-31bb-4ce1-8690-158dceb64be6\"}")).isEqualTo(TextNode.valueOf(uuid.toString()));
        }

        @Test
        void taggedTimestamps() throws Exception {
            assertThat(pojo(decode("[\"~#m\",1565880017000]"))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
            assertThat(pojo(decode("[\"~#m\",\"1565880017000\"]"))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
            assertThat(pojo(decode("{\"~#t\":\"2019-08-15T14:40:17.000Z\"}"))).isEqualTo(Instant.parse("2019-08-15T14:40:17Z"));
        }

        @Test
        void cmapWithStringKeysIsAnObject() throws Exception {
            assertThat(decode("[\"~#cmap\",[\"a\",1,\"~:b\",[\"~#set\",[2]]]]")).isEqualTo(json("{\"a\":1,\"b\":[2]}"));
        }
    }

    @Nested
    class Maps {
        @Test
        void keysDecodeToStrings() throws Exception {
            assertThat(decode("[\"^ \",\"~:kw\",1,\"~$sym\",2,\"~~x\",3,\"~^y\",4,\"plain\",5,\"\",6]"))
                    .isEqualTo(json("{\"kw\":1,\"sym\":2,\"~x\":3,\"^y\":4,\"plain\":5,\"\":6}"));
            assertThat(decode("{\"~:kw\":1,\"~~x\":2}")).isEqualTo(json("{\"kw\":1,\"~x\":2}"));
            assertThat(decode("[\"^ \"]")).isEqualTo(json("{}"));
            assertThat(decode("{}")).isEqualTo(json("{}"));
        }

        @Test
        void plainKeysLongerThanThreeCharactersAreCached() throws Exception {
            // "abc" (3 characters) is not cached; "abcd" is ^0 and "~:kw" is ^1.
            assertThat(decode("[[\"^ \",\"abc\",1,\"abcd\",2,\"~:kw\",3],[\"^ \",\"^0\",4,\"^1\",5]]"))
                    .isEqualTo(json("[{\"abc\":1,\"abcd\":2,\"kw\":3},{\"abcd\":4,\"kw\":5}]"));
            // Plain string values are never cached, whatever their length.
            assertFails("[\"abcdef\",\"^0\"]", "invalid cache reference ^0");
        }

        @Test
        void verboseKeysAreCachedAsMapKeys() throws Exception {
            assertThat(decode("[{\"name\":1},[\"^ \",\"^0\",2]]")).isEqualTo(json("[{\"name\":1},{\"name\":2}]"));
        }

        @Test
        void aCachedKeyMayBeUsedAsAValue() throws Exception {
            assertThat(decode("[[\"^ \",\"~:action\",\"~:upsert\"],\"^0\",\"^1\"]"))
                    .isEqualTo(json("[{\"action\":\"upsert\"},\"action\",\"upsert\"]"));
        }

        @Test
        void twoCharacterCacheCodes() throws Exception {
            // 90 distinct keys: indexes 0..89. Index 44 is "^10", 87 is "^1[" and 88 is "^20".
            StringBuilder doc = new StringBuilder("[[\"^ \"");
            for (int i = 0; i < 90; i++) {
                doc.append(",\"key").append(i).append("\",").append(i);
            }
            doc.append("],[\"^ \",\"^0\",0,\"^[\",43,\"^10\",44,\"^11\",45,\"^1[\",87,\"^20\",88,\"^21\",89]]");
            assertThat(decode(doc.toString()).get(1)).isEqualTo(json(
                    "{\"key0\":0,\"key43\":43,\"key44\":44,\"key45\":45,\"key87\":87,\"key88\":88,\"key89\":89}"));
            assertThat(TransitTestWriter.code(44)).isEqualTo("^10");
            assertThat(TransitTestWriter.code(87)).isEqualTo("^1[");
            assertThat(TransitTestWriter.code(1935)).isEqualTo("^[[");
        }

        @Test
        void cacheIsResetWhenFull() throws Exception {
            // 1936 + 10 distinct keys: k0000..k1935 fill the cache (the last one is "^[["); k1936 finds it
            // full, so the cache is cleared and k1936 becomes ^0, ..., k1945 becomes ^9.
            StringBuilder first = new StringBuilder("[\"^ \"");
            for (int i = 0; i < 1946; i++) {
                first.append(String.format(",\"k%04d\",%d", i, i));
            }
            first.append(']');
            String refs = "[\"^ \",\"^0\",0,\"^1\",1,\"^9\",9]";
            assertThat(decode("[" + first + "," + refs + "]").get(1))
                    .isEqualTo(json("{\"k1936\":0,\"k1937\":1,\"k1945\":9}"));
            // Index 10 has not been filled again since the reset, nor has the last slot.
            assertFails("[" + first + ",\"^:\"]", "invalid cache reference ^:");
            assertFails("[" + first + ",\"^[[\"]", "invalid cache reference ^[[");
        }

        @Test
        void lastSlotIsUsableBeforeTheReset() throws Exception {
            StringBuilder first = new StringBuilder("[\"^ \"");
            for (int i = 0; i < 1936; i++) {
                first.append(String.format(",\"k%04d\",%d", i, i));
            }
            first.append(']');
            JsonNode decoded = decode("[" + first + ",[\"^ \",\"^[[\",1,\"^[Z\",2,\"^0\",3]]");
            assertThat(decoded.get(1)).isEqualTo(json("{\"k1935\":1,\"k1934\":2,\"k0000\":3}"));
        }

        @Test
        void cacheFollowsDocumentOrderAcrossKindsOfStrings() throws Exception {
            // ^0 ~#set, ^1 ~:kw, ^2 abcd (key), ^3 ~$sym, ^4 ~:upsert.
            String doc = "[[\"~#set\",[\"~:kw\"]],[\"^ \",\"abcd\",\"~$sym\"],\"~:upsert\","
                    + "[\"^0\",[\"^1\",\"^2\",\"^3\",\"^4\"]]]";
            assertThat(decode(doc)).isEqualTo(json("[[\"kw\"],{\"abcd\":\"sym\"},\"upsert\",[\"kw\",\"abcd\",\"sym\",\"upsert\"]]"));
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownTags() {
            assertFails("[\"~Qabc\"]", "unsupported Transit tag ~Q");
            assertFails("[\"~#ratio\",[1,2]]", "unsupported Transit tag #ratio");
            assertFails("{\"~#point\":[1,2]}", "unsupported Transit tag #point");
            assertFails("[\"~#link\",[\"^ \"]]", "unsupported Transit tag #link");
            assertFails("[\"~#i\",\"5\"]", "unsupported Transit tag #i");
        }

        @Test
        void badCacheReferences() {
            assertFails("[\"^0\"]", "invalid cache reference ^0");
            assertFails("[\"^ \",\"^0\",1]", "invalid cache reference ^0");
            assertFails("[\"^\"]", "invalid cache reference ^");
            assertFails("[\"^abcd\"]", "invalid cache reference ^abcd");
            assertFails("[\"^\\\\\"]", "invalid cache reference ^\\");
            assertFails("[\"^/\"]", "invalid cache reference ^/");
            assertFails("{\"^0\":1}", "invalid cache reference ^0");
        }

        @Test
        void nonStringMapKeys() {
            assertFails("[\"^ \",\"~i1\",2]", "map keys must be strings");
            assertFails("[\"^ \",1,\"a\"]", "map keys must be strings");
            assertFails("[\"^ \",null,\"a\"]", "map keys must be strings");
            assertFails("[\"^ \",[\"a\"],\"a\"]", "map keys must be strings");
            assertFails("[\"^ \",\"~?t\",\"a\"]", "map keys must be strings");
            assertFails("[\"^ \",\"~_\",\"a\"]", "map keys must be strings");
            assertFails("[\"^ \",\"~u531a379e-31bb-4ce1-8690-158dceb64be6\",\"a\"]", "map keys must be strings");
            assertFails("{\"~i1\":2}", "map keys must be strings");
            assertFails("{\"a\":1,\"~m0\":2}", "map keys must be strings");
            assertFails("[\"~#cmap\",[[\"^ \",\"a\",1],2]]", "map keys must be strings");
            assertFails("[\"~#cmap\",[\"~i1\",2]]", "map keys must be strings");
            assertFails("[\"~#cmap\",[\"a\",1,3,4]]", "map keys must be strings");
        }

        @Test
        void badValuesInKeysAreReportedAsSuch() {
            assertFails("[\"^ \",\"~Qx\",2]", "unsupported Transit tag ~Q");
            assertFails("[\"^ \",\"~#set\",[2]]",
                    "misplaced Transit tag ~#set: a tag must be the first element of a two-element array or the only key of an object");
        }

        @Test
        void duplicateKeysAfterDecoding() {
            assertFails("[\"^ \",\"~:a\",1,\"a\",2]", "duplicate map key \"a\"");
            assertFails("{\"~:name\":1,\"name\":2}", "duplicate map key \"name\"");
            assertFails("[[\"^ \",\"name\",1],[\"^ \",\"^0\",1,\"name\",2]]", "duplicate map key \"name\"");
            assertFails("[\"~#cmap\",[\"a\",1,\"~:a\",2]]", "duplicate map key \"a\"");
        }

        @Test
        void nanAndInfinity() {
            for (String special : new String[] {"~zNaN", "~zINF", "~z-INF", "~dNaN", "~dInfinity", "~d-Infinity", "~fNaN"}) {
                assertFails("[\"" + special + "\"]", "NaN and Infinity are not supported");
            }
            assertFails("[\"~zfoo\"]", "invalid Transit special number ~zfoo");
            assertFails("[\"~d1e999\"]", "Transit double ~d1e999 is out of range");
        }

        @Test
        void malformedJson() {
            assertThatThrownBy(() -> decode("[1,")).isExactlyInstanceOf(TransitException.class)
                    .hasMessageStartingWith("malformed Transit JSON: ");
            assertThatThrownBy(() -> decode("{\"a\":1,\"a\":2}")).isExactlyInstanceOf(TransitException.class)
                    .hasMessageStartingWith("malformed Transit JSON: Duplicate field 'a'");
            assertThatThrownBy(() -> decode("[NaN]")).isExactlyInstanceOf(TransitException.class)
                    .hasMessageStartingWith("malformed Transit JSON: ");
            assertThatThrownBy(() -> decode("[1] [2]")).isExactlyInstanceOf(TransitException.class)
                    .hasMessageStartingWith("malformed Transit JSON: ");
            assertFails("", "malformed Transit JSON: the body is empty");
            assertFails("  \n", "malformed Transit JSON: the body is empty");
            assertThatThrownBy(() -> TransitJson.decode(null)).isExactlyInstanceOf(TransitException.class)
                    .hasMessage("malformed Transit JSON: the body is empty");
            assertThatThrownBy(() -> TransitJson.decode(new byte[] {'[', '"', (byte) 0xC3, '"', ']'}))
                    .isExactlyInstanceOf(TransitException.class).hasMessageStartingWith("malformed Transit JSON: ");
        }

        @Test
        void malformedCompactMapsAndTaggedValues() {
            assertFails("[\"^ \",\"a\"]",
                    "the map [\"^ \", ...] has a key without a value: it needs an even number of elements after \"^ \"");
            assertFails("[\"^ \",\"a\",1,\"b\"]",
                    "the map [\"^ \", ...] has a key without a value: it needs an even number of elements after \"^ \"");
            assertFails("[\"~#set\",[1],[2]]",
                    "the tagged value [\"~#set\", ...] must be an array of exactly two elements, the tag and its value");
            assertFails("[\"~#set\"]",
                    "the tagged value [\"~#set\", ...] must be an array of exactly two elements, the tag and its value");
            assertFails("{\"~#set\":[1],\"a\":2}", "the tagged value {\"~#set\": ...} must be the only key of its object");
            assertFails("[1,\"~#set\"]",
                    "misplaced Transit tag ~#set: a tag must be the first element of a two-element array or the only key of an object");
            assertFails("{\"a\":\"~#set\"}",
                    "misplaced Transit tag ~#set: a tag must be the first element of a two-element array or the only key of an object");
            assertFails("[\"~#list\",5]", "the Transit #list needs an array of elements");
            assertFails("[\"~#set\",[\"^ \",\"a\",1]]", "the Transit #set needs an array of elements");
            assertFails("[\"~#cmap\",[\"a\"]]", "the Transit #cmap needs an array of keys and values");
            assertFails("[\"~#cmap\",{\"a\":1}]", "the Transit #cmap needs an array of keys and values");
            assertFails("[\"~#u\",[1]]", "the Transit #u needs a UUID string or an array of two 64-bit integers");
            assertFails("[\"~#u\",[1,\"~i9223372036854775808\"]]",
                    "the Transit #u needs a UUID string or an array of two 64-bit integers");
            assertFails("[\"~#u\",\"nope\"]", "invalid Transit UUID \"nope\"");
            assertFails("[\"~#m\",1.5]", "the Transit #m needs epoch milliseconds (a 64-bit integer)");
            assertFails("[\"~#m\",\"soon\"]", "invalid Transit timestamp (epoch milliseconds) \"soon\"");
            assertFails("[\"~#t\",5]", "the Transit #t needs an ISO-8601 date-time string");
            assertFails("[\"~#t\",\"yesterday\"]", "invalid Transit date-time (ISO-8601) \"yesterday\"");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "~iabc                 | invalid Transit integer ~iabc",
            "~i                    | invalid Transit integer ~i",
            "~i1.5                 | invalid Transit integer ~i1.5",
            "~i+1                  | invalid Transit integer ~i+1",
            "~n12a                 | invalid Transit big integer ~n12a",
            "~f                    | invalid Transit decimal ~f",
            "~f1.2.3               | invalid Transit decimal ~f1.2.3",
            "~f1e99999999999       | invalid Transit decimal ~f1e99999999999",
            "~f0x10                | invalid Transit decimal ~f0x10",
            "~d0x1p3               | invalid Transit double ~d0x1p3",
            "~d1.5f                | invalid Transit double ~d1.5f",
            "~m                    | invalid Transit timestamp (epoch milliseconds) ~m",
            "~m12:00               | invalid Transit timestamp (epoch milliseconds) ~m12:00",
            "~m9223372036854775808 | Transit timestamp ~m9223372036854775808 is out of range",
            "~t2019-13-45T00:00:00Z | invalid Transit date-time (ISO-8601) ~t2019-13-45T00:00:00Z",
            "~tnow                 | invalid Transit date-time (ISO-8601) ~tnow",
            "~ubad                 | invalid Transit UUID ~ubad",
            "~u1-1-1-1-1           | invalid Transit UUID ~u1-1-1-1-1",
            "~?x                   | invalid Transit boolean ~?x",
            "~?                    | invalid Transit boolean ~?",
            "~_x                   | invalid Transit null ~_x",
            "~c                    | invalid Transit char ~c",
            "~cab                  | invalid Transit char ~cab",
            "~b!!!!                | invalid Transit binary (base64) ~b!!!!",
        })
        void malformedScalars(String transit, String message) {
            assertFails("[" + Json.write(transit) + "]", message);
        }

        @Test
        void overlongNumbersAreRefusedBeforeParsing() {
            String digits = "9".repeat(1001);
            assertFails("[\"~n" + digits + "\"]",
                    "Transit big integer ~n" + digits.substring(0, 38) + "... is longer than 1000 characters");
            assertFails("[\"~i" + digits + "\"]",
                    "Transit integer ~i" + digits.substring(0, 38) + "... is longer than 1000 characters");
            assertFails("[\"~f" + digits + "\"]",
                    "Transit decimal ~f" + digits.substring(0, 38) + "... is longer than 1000 characters");
        }

        @Test
        void longClientStringsAreShortenedInMessages() {
            String tag = "x".repeat(500);
            assertFails("[\"~#" + tag + "\",1]", "unsupported Transit tag #" + "x".repeat(40) + "...");
            assertFails("[\"^" + tag + "\"]", "invalid cache reference ^" + "x".repeat(39) + "...");
        }

        @Test
        void charsMayBeOutsideTheBasicPlane() throws Exception {
            assertThat(decode("[\"~c\uD83D\uDE00\"]").get(0).textValue()).isEqualTo("\uD83D\uDE00");
            assertFails("[\"~\uD83D\uDE00\"]", "unsupported Transit tag ~\uD83D\uDE00");
        }
    }

    @Nested
    class Nesting {
        private static String nested(int depth) {
            return "[".repeat(depth) + "\"~i1\"" + "]".repeat(depth);
        }

        @Test
        void theJsonNestingLimitIsTheOnlyLimit() throws Exception {
            JsonNode node = decode(nested(Json.MAX_NESTING_DEPTH));
            for (int i = 0; i < Json.MAX_NESTING_DEPTH; i++) {
                node = node.get(0);
            }
            assertThat(node).isEqualTo(LongNode.valueOf(1));
            assertThatThrownBy(() -> decode(nested(Json.MAX_NESTING_DEPTH + 1)))
                    .isExactlyInstanceOf(TransitException.class).hasMessageStartingWith("malformed Transit JSON: ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[\"~#list\",", "[\"^ \",\"k\",", "{\"~#set\":", "{\"k\":"})
        void deepestDocumentsDecodeOnASmallStack(String opener) throws Exception {
            // Each opener adds one JSON level. The decoder keeps open containers on the heap, so the deepest
            // document decodes on a 256 KiB thread stack (a recursive walk overflowed 512 KiB here).
            int levels = Json.MAX_NESTING_DEPTH - 1;
            String closer = opener.startsWith("{") ? "}" : "]";
            String doc = opener.repeat(levels) + "[]" + closer.repeat(levels);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    TransitJson.decode(doc.getBytes(UTF_8));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "small-stack", 256 * 1024);
            thread.start();
            thread.join();
            assertThat(failure.get()).isNull();
        }
    }
}
