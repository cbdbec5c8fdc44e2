package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Decodes Transit JSON (compact and verbose) into a Jackson tree (DECISIONS I8).
 *
 * <p>The body is parsed with {@link Json#MAPPER}, so JSON syntax, duplicate keys and the nesting
 * limit behave exactly as for a JSON body. The tree is then walked depth-first, left to right, which
 * is the order in which a Transit writer fills its cache, and rebuilt as a plain JSON tree:
 *
 * <ul>
 *   <li>maps ({@code ["^ ", k, v, ...]}, JSON objects, {@code ["~#cmap", [k, v, ...]]}) become
 *       objects; their keys must decode to strings, keywords or symbols;
 *   <li>arrays, {@code #list} and {@code #set} become arrays;
 *   <li>{@code ~i} becomes a long (or a BigInteger past the long range), {@code ~n} a BigInteger,
 *       {@code ~d} a double, {@code ~f} a POJO node holding a {@link BigDecimal} (so a Transit
 *       decimal stays distinguishable from a JSON float), {@code ~m} and {@code ~t} a POJO node
 *       holding an {@link Instant};
 *   <li>keywords, symbols, UUIDs, URIs, chars and binary become text; {@code ~?t}, {@code ~?f} and
 *       {@code ~_} become booleans and null;
 *   <li>JSON numbers, booleans and null are kept as they are.
 * </ul>
 *
 * <p>Anything else (NaN and infinities, ratios, links, unknown tags) is refused with a
 * {@link TransitException}. Bad input never causes any other exception.
 */
final class TransitJson {
    /** Cache codes are one or two base-44 digits, the digits being the characters 48 ('0') to 91. */
    private static final int CACHE_CODE_DIGITS = 44;
    private static final int BASE_CHAR = 48;
    private static final int MAX_CACHE_ENTRIES = CACHE_CODE_DIGITS * CACHE_CODE_DIGITS;
    /** Strings of this length or shorter are never cached. */
    private static final int MAX_UNCACHED_LENGTH = 3;
    /** The longest number text accepted, the same bound Jackson puts on JSON numbers. */
    private static final int MAX_NUMBER_LENGTH = 1000;
    /** How much of a client's string an error message repeats. */
    private static final int MAX_SHOWN = 40;

    private static final String MAP_AS_ARRAY = "^ ";

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final JsonNodeFactory nodes = Json.MAPPER.getNodeFactory();
    /** The read cache: the raw (still encoded) strings, in the order the writer cached them. */
    private final String[] cache = new String[MAX_CACHE_ENTRIES];
    private int cached;

    private TransitJson() {
    }

    /**
     * Decodes a Transit JSON body.
     *
     * @throws TransitException with a message a client can act on, for malformed input or unsupported values
     */
    static JsonNode decode(byte[] body) throws TransitException {
        if (body == null) {
            throw new TransitException("malformed Transit JSON: the body is empty");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw malformed(e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new TransitException("malformed Transit JSON: the body is empty");
        }
        return new TransitJson().decodeTree(root);
    }

    private static TransitException malformed(String parserMessage, Exception e) {
        return new TransitException("malformed Transit JSON: "
                + (parserMessage == null ? e.getClass().getSimpleName() : parserMessage));
    }

    // ---- structure ----------------------------------------------------------------------------

    /**
     * Decodes the tree without recursion: containers being decoded wait on an explicit stack, so no
     * document, however deep, needs more than a few frames of the thread's stack. Children are
     * visited depth-first, left to right, keys before their values: the writer's cache order.
     */
    private JsonNode decodeTree(JsonNode root) throws TransitException {
        Deque<Container> open = new ArrayDeque<>();
        JsonNode raw = root;
        while (true) {
            JsonNode done = null;
            Container container = start(raw);
            if (container == null) {
                done = leaf(raw);
            } else {
                open.push(container);
            }
            while (true) {
                Container top = open.peek();
                if (top == null) {
                    return done;
                }
                if (done != null) {
                    top.accept(done);
                    done = null;
                }
                raw = top.next();
                if (raw != null) {
                    break;
                }
                open.pop();
                done = top.finish();
            }
        }
    }

    /** A value without children to decode: a string, number, boolean, null or empty container. */
    private JsonNode leaf(JsonNode node) throws TransitException {
        if (node.isTextual()) {
            return scalar(read(node.textValue(), false));
        }
        if (node.isArray()) {
            return nodes.arrayNode();
        }
        if (node.isObject()) {
            return nodes.objectNode();
        }
        if (node.isNumber() || node.isBoolean() || node.isNull()) {
            return node;
        }
        // readTree produces nothing else; refuse rather than pass on something unexpected.
        throw new TransitException("unsupported JSON value of type " + node.getNodeType());
    }

    /**
     * Starts decoding a non-empty array or object: reads its first string (the "^ " marker, a tag, or
     * the first key) and returns what will collect its children; null for any other value.
     */
    private Container start(JsonNode node) throws TransitException {
        if (node.isArray() && !node.isEmpty()) {
            int size = node.size();
            JsonNode first = node.get(0);
            if (!first.isTextual()) {
                return new ArrayContainer(node, nodes.arrayNode(size), 0);
            }
            String s = read(first.textValue(), false);
            if (s.equals(MAP_AS_ARRAY)) {
                if (size % 2 == 0) {
                    throw new TransitException("the map [\"^ \", ...] has a key without a value: it needs an even"
                            + " number of elements after \"^ \"");
                }
                return new MapArrayContainer(node, 1, true);
            }
            if (isTag(s)) {
                if (size != 2) {
                    throw new TransitException("the tagged value [\"" + show(s) + "\", ...] must be an array of"
                            + " exactly two elements, the tag and its value");
                }
                return tagged(tagName(s), node.get(1));
            }
            ArrayNode out = nodes.arrayNode(size);
            out.add(scalar(s));
            return new ArrayContainer(node, out, 1);
        }
        if (node.isObject() && !node.isEmpty()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            Map.Entry<String, JsonNode> first = fields.next();
            String key = read(first.getKey(), true);
            if (isTag(key)) {
                if (node.size() != 1) {
                    throw new TransitException("the tagged value {\"" + show(key) + "\": ...} must be the only key"
                            + " of its object");
                }
                return tagged(tagName(key), first.getValue());
            }
            return new ObjectContainer(fields, keyName(key), first.getValue());
        }
        return null;
    }

    /** The name of a supported tag ({@code "~#set"} → {@code "set"}); others are refused before their value is read. */
    private static String tagName(String s) throws TransitException {
        String tag = s.substring(2);
        switch (tag) {
            case "'", "list", "set", "cmap", "u", "m", "t":
                return tag;
            default:
                throw new TransitException("unsupported Transit tag #" + show(tag));
        }
    }

    private Container tagged(String tag, JsonNode rep) throws TransitException {
        if (!tag.equals("cmap")) {
            return new TaggedContainer(tag, rep);
        }
        if (!rep.isArray() || rep.size() % 2 != 0) {
            throw new TransitException("the Transit #cmap needs an array of keys and values");
        }
        // cmap keys are written as ordinary array elements, not as map keys, so they are cached as such.
        return new MapArrayContainer(rep, 0, false);
    }

    /** The value of a tagged value other than {@code #cmap}, given its decoded representation. */
    private JsonNode untag(String tag, JsonNode rep) throws TransitException {
        switch (tag) {
            case "'":
                return rep;
            case "list", "set":
                if (!rep.isArray()) {
                    throw new TransitException("the Transit #" + tag + " needs an array of elements");
                }
                return rep;
            case "u":
                if (rep.isTextual()) {
                    return uuid(rep.textValue(), "\"" + rep.textValue() + "\"");
                }
                if (rep.isArray() && rep.size() == 2 && isLong(rep.get(0)) && isLong(rep.get(1))) {
                    return nodes.textNode(new UUID(rep.get(0).longValue(), rep.get(1).longValue()).toString());
                }
                throw new TransitException("the Transit #u needs a UUID string or an array of two 64-bit integers");
            case "m":
                if (isLong(rep)) {
                    return nodes.pojoNode(Instant.ofEpochMilli(rep.longValue()));
                }
                if (rep.isTextual()) {
                    return epochMillis(rep.textValue(), "\"" + rep.textValue() + "\"");
                }
                throw new TransitException("the Transit #m needs epoch milliseconds (a 64-bit integer)");
            case "t":
                if (!rep.isTextual()) {
                    throw new TransitException("the Transit #t needs an ISO-8601 date-time string");
                }
                return dateTime(rep.textValue(), "\"" + rep.textValue() + "\"");
            default:
                throw new TransitException("unsupported Transit tag #" + show(tag));
        }
    }

    private static boolean isLong(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong();
    }

    private void put(ObjectNode out, String key, JsonNode value) throws TransitException {
        if (out.has(key)) {
            throw new TransitException("duplicate map key \"" + show(key) + "\"");
        }
        out.set(key, value);
    }

    /** An array or object whose children are being decoded. */
    private interface Container {
        /** The next child to decode, having read any key that comes before it; null when all are done. */
        JsonNode next() throws TransitException;

        /** Takes the decoded form of the child last returned by {@link #next()}. */
        void accept(JsonNode child) throws TransitException;

        JsonNode finish() throws TransitException;
    }

    private static final class ArrayContainer implements Container {
        private final JsonNode source;
        private final ArrayNode out;
        private int index;

        ArrayContainer(JsonNode source, ArrayNode out, int index) {
            this.source = source;
            this.out = out;
            this.index = index;
        }

        @Override
        public JsonNode next() {
            return index < source.size() ? source.get(index++) : null;
        }

        @Override
        public void accept(JsonNode child) {
            out.add(child);
        }

        @Override
        public JsonNode finish() {
            return out;
        }
    }

    /** Keys and values alternating in an array: a compact map after its "^ ", or a #cmap's array. */
    private final class MapArrayContainer implements Container {
        private final JsonNode source;
        private final boolean asMapKeys;
        private final ObjectNode out = nodes.objectNode();
        private int index;
        private String key;

        MapArrayContainer(JsonNode source, int index, boolean asMapKeys) {
            this.source = source;
            this.index = index;
            this.asMapKeys = asMapKeys;
        }

        @Override
        public JsonNode next() throws TransitException {
            if (index >= source.size()) {
                return null;
            }
            key = key(source.get(index), asMapKeys);
            JsonNode value = source.get(index + 1);
            index += 2;
            return value;
        }

        @Override
        public void accept(JsonNode child) throws TransitException {
            put(out, key, child);
        }

        @Override
        public JsonNode finish() {
            return out;
        }
    }

    /** A JSON object (a verbose map) whose first key has been read already. */
    private final class ObjectContainer implements Container {
        private final Iterator<Map.Entry<String, JsonNode>> fields;
        private final ObjectNode out = nodes.objectNode();
        private String key;
        private JsonNode firstValue;

        ObjectContainer(Iterator<Map.Entry<String, JsonNode>> fields, String firstKey, JsonNode firstValue) {
            this.fields = fields;
            this.key = firstKey;
            this.firstValue = firstValue;
        }

        @Override
        public JsonNode next() throws TransitException {
            if (firstValue != null) {
                JsonNode value = firstValue;
                firstValue = null;
                return value;
            }
            if (!fields.hasNext()) {
                return null;
            }
            Map.Entry<String, JsonNode> field = fields.next();
            key = keyName(read(field.getKey(), true));
            return field.getValue();
        }

        @Override
        public void accept(JsonNode child) throws TransitException {
            put(out, key, child);
        }

        @Override
        public JsonNode finish() {
            return out;
        }
    }

    /** {@code ["~#tag", rep]} or {@code {"~#tag": rep}}, other than #cmap. */
    private final class TaggedContainer implements Container {
        private final String tag;
        private JsonNode rep;
        private JsonNode decoded;

        TaggedContainer(String tag, JsonNode rep) {
            this.tag = tag;
            this.rep = rep;
        }

        @Override
        public JsonNode next() {
            JsonNode value = rep;
            rep = null;
            return value;
        }

        @Override
        public void accept(JsonNode child) {
            decoded = child;
        }

        @Override
        public JsonNode finish() throws TransitException {
            return untag(tag, decoded);
        }
    }

    // ---- the cache ----------------------------------------------------------------------------

    /**
     * Reads one string as the writer's cache sees it: a cache code is replaced by the string it stands
     * for, and a cacheable string is remembered. Returns the raw string, still to be decoded.
     */
    private String read(String s, boolean asMapKey) throws TransitException {
        if (isCacheCode(s)) {
            return lookUp(s);
        }
        if (isCacheable(s, asMapKey)) {
            if (cached == MAX_CACHE_ENTRIES) {
                Arrays.fill(cache, null);
                cached = 0;
            }
            cache[cached++] = s;
        }
        return s;
    }

    private static boolean isCacheCode(String s) {
        return !s.isEmpty() && s.charAt(0) == '^' && !s.equals(MAP_AS_ARRAY);
    }

    private static boolean isCacheable(String s, boolean asMapKey) {
        if (s.length() <= MAX_UNCACHED_LENGTH) {
            return false;
        }
        if (asMapKey) {
            return true;
        }
        char c = s.charAt(1);
        return s.charAt(0) == '~' && (c == ':' || c == '$' || c == '#');
    }

    private String lookUp(String code) throws TransitException {
        int index = -1;
        if (code.length() == 2) {
            index = digit(code.charAt(1));
        } else if (code.length() == 3) {
            int high = digit(code.charAt(1));
            int low = digit(code.charAt(2));
            index = high < 0 || low < 0 ? -1 : high * CACHE_CODE_DIGITS + low;
        }
        if (index < 0 || index >= cached) {
            throw new TransitException("invalid cache reference " + show(code));
        }
        return cache[index];
    }

    private static int digit(char c) {
        int d = c - BASE_CHAR;
        return d >= 0 && d < CACHE_CODE_DIGITS ? d : -1;
    }

    // ---- strings ------------------------------------------------------------------------------

    private static boolean isTag(String s) {
        return s.startsWith("~#");
    }

    /** A map key, which must be a JSON string that decodes to a string, keyword or symbol. */
    private String key(JsonNode node, boolean asMapKey) throws TransitException {
        if (!node.isTextual()) {
            throw new TransitException("map keys must be strings");
        }
        return keyName(read(node.textValue(), asMapKey));
    }

    private String keyName(String s) throws TransitException {
        if (s.length() < 2 || s.charAt(0) != '~') {
            return s;
        }
        switch (s.charAt(1)) {
            case '~', '^', '`':
                return s.substring(1);
            case ':', '$':
                return s.substring(2);
            default:
                scalar(s); // an unsupported or malformed value is reported as such
                throw new TransitException("map keys must be strings");
        }
    }

    /** A string in value position, after cache resolution. */
    private JsonNode scalar(String s) throws TransitException {
        if (s.length() < 2 || s.charAt(0) != '~') {
            return nodes.textNode(s);
        }
        char tag = s.charAt(1);
        String rep = s.substring(2);
        switch (tag) {
            case '~', '^', '`':
                return nodes.textNode(s.substring(1));
            case ':', '$':
                return nodes.textNode(rep);
            case '#':
                throw new TransitException("misplaced Transit tag " + show(s) + ": a tag must be the first element of"
                        + " a two-element array or the only key of an object");
            case '_':
                if (!rep.isEmpty()) {
                    throw invalid("null", s);
                }
                return nodes.nullNode();
            case '?':
                if (rep.equals("t")) {
                    return nodes.booleanNode(true);
                }
                if (rep.equals("f")) {
                    return nodes.booleanNode(false);
                }
                throw invalid("boolean", s);
            case 'i':
                return integer(rep, s);
            case 'n':
                return nodes.numberNode(bigInteger(rep, s, "big integer"));
            case 'f':
                return nodes.pojoNode(decimal(rep, s));
            case 'd':
                return nodes.numberNode(dbl(rep, s));
            case 'm':
                return epochMillis(rep, s);
            case 't':
                return dateTime(rep, s);
            case 'u':
                return uuid(rep, s);
            case 'r':
                return nodes.textNode(rep);
            case 'c':
                if (rep.isEmpty() || rep.codePointCount(0, rep.length()) != 1) {
                    throw invalid("char", s);
                }
                return nodes.textNode(rep);
            case 'b':
                try {
                    Base64.getDecoder().decode(rep);
                } catch (IllegalArgumentException e) {
                    throw invalid("binary (base64)", s);
                }
                return nodes.textNode(rep);
            case 'z':
                if (rep.equals("NaN") || rep.equals("INF") || rep.equals("-INF")) {
                    throw nanOrInfinity();
                }
                throw invalid("special number", s);
            default:
                throw new TransitException("unsupported Transit tag ~" + new String(Character.toChars(s.codePointAt(1))));
        }
    }

    private JsonNode integer(String rep, String shown) throws TransitException {
        BigInteger value = bigInteger(rep, shown, "integer");
        return value.bitLength() < Long.SIZE ? nodes.numberNode(value.longValue()) : nodes.numberNode(value);
    }

    private static BigInteger bigInteger(String rep, String shown, String what) throws TransitException {
        if (rep.length() > MAX_NUMBER_LENGTH) {
            throw new TransitException("Transit " + what + " " + show(shown) + " is longer than " + MAX_NUMBER_LENGTH
                    + " characters");
        }
        if (!INTEGER.matcher(rep).matches()) {
            throw invalid(what, shown);
        }
        return new BigInteger(rep);
    }

    private static BigDecimal decimal(String rep, String shown) throws TransitException {
        if (rep.length() > MAX_NUMBER_LENGTH) {
            throw new TransitException("Transit decimal " + show(shown) + " is longer than " + MAX_NUMBER_LENGTH
                    + " characters");
        }
        if (isNanOrInfinity(rep)) {
            throw nanOrInfinity();
        }
        if (!DECIMAL.matcher(rep).matches()) {
            throw invalid("decimal", shown);
        }
        try {
            return new BigDecimal(rep);
        } catch (NumberFormatException | ArithmeticException e) {
            // an exponent beyond the range of an int
            throw invalid("decimal", shown);
        }
    }

    private static double dbl(String rep, String shown) throws TransitException {
        if (rep.length() > MAX_NUMBER_LENGTH) {
            throw new TransitException("Transit double " + show(shown) + " is longer than " + MAX_NUMBER_LENGTH
                    + " characters");
        }
        if (isNanOrInfinity(rep)) {
            throw nanOrInfinity();
        }
        if (!DECIMAL.matcher(rep).matches()) {
            throw invalid("double", shown);
        }
        double value = Double.parseDouble(rep);
        if (Double.isInfinite(value)) {
            throw new TransitException("Transit double " + show(shown) + " is out of range");
        }
        return value;
    }

    private static boolean isNanOrInfinity(String rep) {
        String unsigned = rep.startsWith("-") || rep.startsWith("+") ? rep.substring(1) : rep;
        return unsigned.equals("NaN") || unsigned.equals("INF") || unsigned.equals("Infinity");
    }

    private static TransitException nanOrInfinity() {
        return new TransitException("NaN and Infinity are not supported");
    }

    private JsonNode epochMillis(String rep, String shown) throws TransitException {
        if (rep.length() > 20 || !INTEGER.matcher(rep).matches()) {
            throw invalid("timestamp (epoch milliseconds)", shown);
        }
        try {
            return nodes.pojoNode(Instant.ofEpochMilli(Long.parseLong(rep)));
        } catch (NumberFormatException e) {
            throw new TransitException("Transit timestamp " + show(shown) + " is out of range");
        }
    }

    private JsonNode dateTime(String rep, String shown) throws TransitException {
        Optional<Instant> instant;
        try {
            instant = Timestamps.parse(rep);
        } catch (DateTimeException e) {
            instant = Optional.empty();
        }
        if (instant.isEmpty()) {
            throw invalid("date-time (ISO-8601)", shown);
        }
        return nodes.pojoNode(instant.get());
    }

    private JsonNode uuid(String rep, String shown) throws TransitException {
        if (!UUID_TEXT.matcher(rep).matches()) {
            throw invalid("UUID", shown);
        }
        return nodes.textNode(UUID.fromString(rep).toString());
    }

    private static TransitException invalid(String what, String shown) {
        return new TransitException("invalid Transit " + what + " " + show(shown));
    }

    /** The client's text, shortened to a length fit for an error message. */
    private static String show(String s) {
        if (s.length() <= MAX_SHOWN) {
            return s;
        }
        int end = MAX_SHOWN;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }
}
