package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path of checking a batch's messages as the body streams ({@link BatchRequest#validate(byte[], ImportLimits)}):
 * reads one message from the parser's tokens, building nothing, and says only whether the message
 * is <em>settled</em>: certainly read as a tree without error and certainly accepted by the tree
 * check ({@code BatchRequest.Envelope.check}: the message's shape, the schema, the key properties,
 * the data points). A message that breaks a rule, or that this class is not sure of, is unsettled:
 * the caller reads it as a tree and runs the tree check, the one home of the error texts. It must
 * never settle a message the tree check refuses; it may leave a good one unsettled (that costs time
 * only). Repeated keys are found here too: the caller's parser does not look for them.
 *
 * <p>One instance reads the messages of one pass over one body, one after the other (not thread-safe).
 */
final class MessageTokens {
    /**
     * Numbers of at most this many characters, with an exponent of at most {@link #PLAIN_EXPONENT_DIGITS}
     * digits, are read by the tree path (as a long, BigInteger or BigDecimal) without error; longer ones
     * are left to it. (A BigDecimal's scale must fit an int: an exponent of ten digits may not.)
     */
    private static final int PLAIN_NUMBER_LENGTH = 100;
    private static final int PLAIN_EXPONENT_DIGITS = 9;
    /**
     * The longest string the parser reads into a tree; the token stream skips strings without reading
     * them, so a message of more bytes than this (a string has at most as many chars as bytes) is left
     * to the tree path, which refuses a longer string.
     */
    private static final long LONGEST_STRING = Json.MAPPER.getFactory().streamReadConstraints().getMaxStringLength();
    private static final int WIDEST_OBJECT = 256;

    /** Null when the messages are read before the envelope is known: the data is then not checked against a schema. */
    private final RecordSchema schema;
    private final List<String> keyNames;
    private final int maxDataPoints;
    private final int maxKeyLength;

    /**
     * The keys of the objects being read, outermost first, with their hash codes: a key already among
     * its object's keys is a duplicate, which the tree read refuses. An object of more keys than
     * {@link #WIDEST_OBJECT} is left to the tree path rather than searched key by key.
     */
    private String[] keys = new String[WIDEST_OBJECT];
    private int[] keyHashes = new int[WIDEST_OBJECT];
    private int keyCount;

    /** Whether the message being read is, so far, certainly read as a tree and certainly passes. */
    private boolean sure;
    private int dataPoints;
    private int keysPresent;

    private MessageTokens(RecordSchema schema, List<String> keyNames, ImportLimits limits) {
        this.schema = schema;
        this.keyNames = keyNames;
        this.maxDataPoints = limits.maxDataPoints();
        this.maxKeyLength = limits.maxKeyLength();
    }

    /** Checks messages against a valid envelope's schema and key names. */
    static MessageTokens checking(RecordSchema schema, List<String> keyNames, ImportLimits limits) {
        return new MessageTokens(schema, keyNames, limits);
    }

    /** Reads messages before the envelope is known: their shape and data points only, the schema and keys not checked. */
    static MessageTokens withoutEnvelope(ImportLimits limits) {
        return new MessageTokens(null, List.of(), limits);
    }

    /**
     * Reads the message whose first token is the current token of {@code p}, a parser over the bytes
     * {@code body} that may or may not look for duplicate keys, through its last token (the whole
     * message, whatever it finds), and returns null when the fast path settled it; otherwise the
     * message as a tree, read again from its bytes with Bobbin's JSON settings, for the tree check.
     *
     * @throws IOException as the parser throws it (not JSON, too deep), and as reading the message as
     *                     a tree throws it (a duplicate key too)
     */
    JsonNode treeUnlessSettled(JsonParser p, byte[] body) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return BatchRequest.valueTree(p, body); // not an object: refused
        }
        long start = p.currentTokenLocation().getByteOffset();
        boolean accepted = accepts(p);
        long end = p.currentTokenLocation().getByteOffset() + 1;
        if (accepted && end - start <= LONGEST_STRING) {
            return null;
        }
        return BatchRequest.treeOf(body, start, end);
    }

    /** Reads the message whose {@code START_OBJECT} is current through its {@code END_OBJECT}: whether it certainly passes. */
    private boolean accepts(JsonParser p) throws IOException {
        sure = true;
        dataPoints = 0;
        keysPresent = 0;
        keyCount = 0;
        boolean sequence = false;
        boolean upsert = false;
        boolean activate = false;
        boolean data = false;
        boolean timeExtracted = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            key(0, name);
            JsonToken value = p.nextToken();
            switch (name) {
                case BatchRequest.ACTION -> {
                    upsert = value == JsonToken.VALUE_STRING && textIs(p, BatchRequest.UPSERT);
                    activate = value == JsonToken.VALUE_STRING && textIs(p, BatchRequest.ACTIVATE_VERSION);
                    unless(upsert || activate, p, value);
                }
                case BatchRequest.SEQUENCE -> {
                    sequence = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                            && p.getLongValue() >= 0;
                    unless(sequence, p, value);
                }
                case BatchRequest.DATA -> {
                    data = true;
                    data(p, value);
                }
                case BatchRequest.TIME_EXTRACTED -> {
                    timeExtracted = true;
                    unless(value == JsonToken.VALUE_STRING && BatchRequest.isTimeExtracted(p.getText()), p, value);
                }
                default -> unless(false, p, value); // an extraneous key
            }
        }
        boolean shaped = sequence && (upsert ? data : activate && !data && !timeExtracted);
        return sure && shaped && (!data || keysPresent == keyNames.size()) && dataPoints <= maxDataPoints;
    }

    /** When {@code ok} is false, the message is not sure; the value (first token {@code first}) is read through its end. */
    private void unless(boolean ok, JsonParser p, JsonToken first) throws IOException {
        if (!ok) {
            sure = false;
            value(p, first, null);
        }
    }

    /** The message's {@code data}: an object, checked against the schema, its key properties present and scalar. */
    private void data(JsonParser p, JsonToken first) throws IOException {
        if (first != JsonToken.START_OBJECT) {
            unless(false, p, first);
            return;
        }
        if (schema != null && !schema.admits(RecordSchema.Kind.OBJECT)) {
            sure = false;
        }
        int firstKey = keyCount;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            key(firstKey, name);
            JsonToken value = p.nextToken();
            if (keyNames.contains(name)) {
                // as Envelope.check: present, not null, not an object or array, a string no longer than the limit
                if (value == JsonToken.VALUE_NULL || value.isStructStart()
                        || (value == JsonToken.VALUE_STRING && p.getTextLength() > maxKeyLength)) {
                    sure = false;
                } else {
                    keysPresent++;
                }
            }
            value(p, value, schema == null ? null : schema.property(name));
        }
        keyCount = firstKey;
    }

    /**
     * Reads the value whose first token is {@code first} through its last token, checking it against
     * {@code schema} (null: not checked) as {@code RecordSchema.violation} does, and counting its data
     * points as {@link DataPoints} does: every scalar (null included) at any depth; objects and arrays
     * themselves are none.
     */
    private void value(JsonParser p, JsonToken first, RecordSchema schema) throws IOException {
        if (schema != null && !schema.admits(RecordSchema.Kind.of(first))) {
            sure = false;
        }
        switch (first) {
            case START_OBJECT -> {
                int firstKey = keyCount;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    key(firstKey, name);
                    value(p, p.nextToken(), schema == null ? null : schema.property(name));
                }
                keyCount = firstKey;
            }
            case START_ARRAY -> {
                RecordSchema items = schema == null ? null : schema.items();
                JsonToken item;
                while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (item == null) {
                        throw new IOException("unexpected end of input in an array"); // the parser throws first
                    }
                    value(p, item, items);
                }
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                dataPoints++;
                if (!plainNumber(p, first)) {
                    sure = false;
                }
            }
            default -> dataPoints++;
        }
    }

    /** The next key of the object whose keys start at {@code firstKey}: not sure when it repeats one (or the object is too wide). */
    private void key(int firstKey, String name) {
        int hash = name.hashCode();
        for (int i = firstKey; i < keyCount; i++) {
            if (keyHashes[i] == hash && keys[i].equals(name)) {
                sure = false;
                return;
            }
        }
        if (keyCount - firstKey >= WIDEST_OBJECT) {
            sure = false;
            return;
        }
        if (keyCount == keys.length) {
            keys = Arrays.copyOf(keys, keys.length * 2);
            keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
        }
        keys[keyCount] = name;
        keyHashes[keyCount++] = hash;
    }

    /** Whether the current number is certainly read by the tree path without error (see {@link #PLAIN_NUMBER_LENGTH}). */
    private static boolean plainNumber(JsonParser p, JsonToken token) throws IOException {
        int length = p.getTextLength();
        if (length > PLAIN_NUMBER_LENGTH) {
            return false;
        }
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return true;
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        for (int i = 0; i < length; i++) {
            char c = chars[offset + i];
            if (c == 'e' || c == 'E') {
                int digits = length - i - 1;
                if (digits > 0 && (chars[offset + i + 1] == '+' || chars[offset + i + 1] == '-')) {
                    digits--;
                }
                return digits <= PLAIN_EXPONENT_DIGITS;
            }
        }
        return true;
    }

    /** Whether the current string token's text is {@code expected}, without making a String of it. */
    private static boolean textIs(JsonParser p, String expected) throws IOException {
        int length = p.getTextLength();
        if (length != expected.length()) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        for (int i = 0; i < length; i++) {
            if (chars[offset + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
