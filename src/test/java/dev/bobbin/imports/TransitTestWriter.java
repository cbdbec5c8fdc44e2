package dev.bobbin.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.bobbin.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A small Transit JSON writer for tests, written from the format's rules (it shares no code with
 * {@link TransitJson}): the compact form with the write cache, or the verbose form without it.
 *
 * <p>Values are plain Java objects: {@link Map} (keys {@link String} or {@link Kw}), {@link List},
 * {@link TSet}, {@link TList}, {@link String}, {@link Kw}, {@link Sym}, {@link Long},
 * {@link BigInteger}, {@link BigDecimal}, {@link Instant}, {@link UUID}, {@link Boolean} and null.
 * {@link #render(Object)} and {@link #render(JsonNode)} print a value and a decoded tree in the same
 * canonical text, so a round trip can be checked with one string comparison.
 */
final class TransitTestWriter {
    record Kw(String name) {
    }

    record Sym(String name) {
    }

    record TSet(List<Object> items) {
    }

    record TList(List<Object> items) {
    }

    private static final long JSON_SAFE_INTEGER = 1L << 53;

    private final boolean verbose;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final Map<String, String> cache = new HashMap<>();
    private int next;

    private TransitTestWriter(boolean verbose) {
        this.verbose = verbose;
    }

    static String compact(Object value) {
        return new TransitTestWriter(false).write(value);
    }

    static String verbose(Object value) {
        return new TransitTestWriter(true).write(value);
    }

    /** The cache code of the {@code index}-th cached string. */
    static String code(int index) {
        if (index < 44) {
            return "^" + (char) (index + 48);
        }
        return "^" + (char) (index / 44 + 48) + (char) (index % 44 + 48);
    }

    private String write(Object value) {
        boolean scalar = !(value instanceof Map || value instanceof List || value instanceof TSet || value instanceof TList);
        JsonNode tree = scalar ? tagged("'", value) : emit(value);
        return Json.write(tree);
    }

    private JsonNode emit(Object v) {
        if (v == null) {
            return nodes.nullNode();
        }
        if (v instanceof Boolean b) {
            return nodes.booleanNode(b);
        }
        if (v instanceof Long n) {
            if (Math.abs(n) < JSON_SAFE_INTEGER) {
                return nodes.numberNode(n);
            }
            return str("~i" + n, false);
        }
        if (v instanceof BigInteger n) {
            return str("~n" + n, false);
        }
        if (v instanceof BigDecimal d) {
            return str("~f" + d, false);
        }
        if (v instanceof Instant t) {
            return verbose ? str("~t" + t, false) : str("~m" + t.toEpochMilli(), false);
        }
        if (v instanceof UUID u) {
            return str("~u" + u, false);
        }
        if (v instanceof String s) {
            return str(escape(s), false);
        }
        if (v instanceof Kw k) {
            return str("~:" + k.name(), false);
        }
        if (v instanceof Sym s) {
            return str("~$" + s.name(), false);
        }
        if (v instanceof TSet s) {
            return tagged("set", s.items());
        }
        if (v instanceof TList l) {
            return tagged("list", l.items());
        }
        if (v instanceof List<?> list) {
            ArrayNode out = nodes.arrayNode();
            for (Object item : list) {
                out.add(emit(item));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            if (verbose) {
                ObjectNode out = nodes.objectNode();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.set(keyText(e.getKey()), emit(e.getValue()));
                }
                return out;
            }
            ArrayNode out = nodes.arrayNode();
            out.add(str("^ ", false));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.add(str(keyText(e.getKey()), true));
                out.add(emit(e.getValue()));
            }
            return out;
        }
        throw new IllegalArgumentException("no Transit form for " + v.getClass());
    }

    private JsonNode tagged(String tag, Object rep) {
        if (verbose) {
            ObjectNode out = nodes.objectNode();
            out.set("~#" + tag, emit(rep));
            return out;
        }
        ArrayNode out = nodes.arrayNode();
        out.add(str("~#" + tag, false));
        out.add(emit(rep));
        return out;
    }

    private static String keyText(Object key) {
        if (key instanceof String s) {
            return escape(s);
        }
        if (key instanceof Kw k) {
            return "~:" + k.name();
        }
        throw new IllegalArgumentException("keys are strings or keywords");
    }

    private static String escape(String s) {
        if (!s.isEmpty() && (s.charAt(0) == '~' || s.charAt(0) == '^' || s.charAt(0) == '`')) {
            return "~" + s;
        }
        return s;
    }

    /** The write cache: the second and later uses of a cacheable string are replaced by its code. */
    private JsonNode str(String s, boolean asMapKey) {
        if (verbose || s.length() <= 3) {
            return nodes.textNode(s);
        }
        boolean cacheable = asMapKey || s.startsWith("~:") || s.startsWith("~$") || s.startsWith("~#");
        if (!cacheable) {
            return nodes.textNode(s);
        }
        String known = cache.get(s);
        if (known != null) {
            return nodes.textNode(known);
        }
        if (next == 44 * 44) {
            cache.clear();
            next = 0;
        }
        cache.put(s, code(next++));
        return nodes.textNode(s);
    }

    // ---- canonical rendering ------------------------------------------------------------------

    static String render(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean b) {
            return "b:" + b;
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return "i:" + v;
        }
        if (v instanceof BigDecimal d) {
            return "dec:" + d;
        }
        if (v instanceof Instant t) {
            return "t:" + t;
        }
        if (v instanceof UUID u) {
            return "s:" + Json.write(u.toString());
        }
        if (v instanceof String s) {
            return "s:" + Json.write(s);
        }
        if (v instanceof Kw k) {
            return "s:" + Json.write(k.name());
        }
        if (v instanceof Sym s) {
            return "s:" + Json.write(s.name());
        }
        if (v instanceof TSet s) {
            return render(s.items());
        }
        if (v instanceof TList l) {
            return render(l.items());
        }
        if (v instanceof List<?> list) {
            return list.stream().map(TransitTestWriter::render).collect(Collectors.joining(",", "[", "]"));
        }
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .map(e -> Json.write(e.getKey() instanceof Kw k ? k.name() : (String) e.getKey()) + "=" + render(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        throw new IllegalArgumentException(v.getClass().toString());
    }

    static String render(JsonNode n) {
        if (n.isNull()) {
            return "null";
        }
        if (n.isBoolean()) {
            return "b:" + n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return "i:" + n.bigIntegerValue();
        }
        if (n.isDouble()) {
            return "d:" + n.doubleValue();
        }
        if (n.isBigDecimal()) {
            return "float:" + n.decimalValue();
        }
        if (n instanceof POJONode p) {
            if (p.getPojo() instanceof BigDecimal d) {
                return "dec:" + d;
            }
            if (p.getPojo() instanceof Instant t) {
                return "t:" + t;
            }
            return "pojo:" + p.getPojo();
        }
        if (n.isTextual()) {
            return "s:" + Json.write(n.textValue());
        }
        if (n.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < n.size(); i++) {
                out.append(i == 0 ? "" : ",").append(render(n.get(i)));
            }
            return out.append(']').toString();
        }
        if (n.isObject()) {
            StringBuilder out = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                out.append(first ? "" : ",").append(Json.write(e.getKey())).append('=').append(render(e.getValue()));
                first = false;
            }
            return out.append('}').toString();
        }
        throw new IllegalArgumentException(n.getNodeType().toString());
    }
}
