package dev.bobbin.loading;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a logged batch's payload back into messages, in the order they were sent. Both payload
 * formats share one shape: {@code table_name}, {@code key_names}, an optional {@code schema} and
 * {@code table_version}, and {@code messages}; a push message may carry its own {@code schema} (type
 * hints from Transit) and {@code table_version}.
 *
 * <p>The payload is read with Jackson's streaming parser and no JSON tree is built for the records:
 * each record is flattened straight from the payload's bytes ({@link ParsedRecord}). A batch body
 * whose {@code schema} comes before its {@code messages} (the usual order) is flattened as it is
 * read; otherwise (a push message's {@code schema} follows its {@code data}, or the schema follows the
 * messages) each record's place in the payload is noted and it is flattened once its schema is known.
 * The small envelope values (key names, schemas, versions) are read as trees, exactly as before.
 *
 * <p>Duplicate keys are not looked for: a payload is logged only after Bobbin's parser, which refuses
 * them, has read it (a batch body), or Bobbin wrote it (push).
 */
final class BatchPayloads {
    /** Reads one value of the envelope as a tree; the payload goes on after it, so trailing tokens are expected. */
    private static final ObjectReader TREES = Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String ACTIVATE_VERSION = "activate_version";

    private BatchPayloads() {
    }

    /** A logged batch's messages and the key names it declares. */
    record Parsed(List<String> keyNames, List<IncomingMessage> messages) {
    }

    /** A message as read from the envelope; its record is flattened already or only located. */
    private static final class RawMessage {
        boolean activate;
        Long sequence;
        int dataOffset = -1;
        int dataLength;
        JsonNode dataTree;
        ParsedRecord parsed;
        boolean hasSchema;
        JsonNode schema;
        boolean hasVersion;
        long version;
        String extracted;
    }

    static Parsed parse(BatchPayload payload) {
        return new Reading(payload).read();
    }

    /** The state of reading one payload. */
    private static final class Reading {
        private final LoggedBatch batch;
        private final BatchPayload source;
        private final byte[] payload;
        private final RecordFlattener.FieldNames names = new RecordFlattener.FieldNames();
        private final List<String> keyNames = new ArrayList<>();
        private final List<RawMessage> raw = new ArrayList<>();
        private boolean schemaRead;
        private JsonNode schema;
        private long tableVersion;

        Reading(BatchPayload source) {
            this.batch = source.batch();
            this.source = source;
            this.payload = source.bytes();
        }

        Parsed read() {
            try (JsonParser p = parser(0, payload.length)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("the payload is not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "key_names" -> {
                            keyNames.clear();
                            tree(p).forEach(k -> keyNames.add(k.asText()));
                        }
                        case "schema" -> {
                            schema = tree(p);
                            schemaRead = true;
                        }
                        case "table_version" -> tableVersion = tree(p).asLong(0);
                        case "messages" -> messages(p);
                        default -> p.skipChildren();
                    }
                }
                if (p.nextToken() != null) {
                    throw new IOException("content after the payload's JSON object");
                }
            } catch (IOException e) {
                throw new IllegalStateException("logged batch " + batch.key() + " is not valid JSON: " + e.getMessage(), e);
            }
            long receivedMicros = Timestamps.toMicros(batch.receivedAt());
            List<IncomingMessage> messages = new ArrayList<>(raw.size());
            for (int i = 0; i < raw.size(); i++) {
                RawMessage m = raw.get(i);
                if (m.sequence == null) {
                    throw new IllegalStateException("message " + i + " of logged batch " + batch.key() + " has no sequence");
                }
                Optional<Long> extracted = Optional.ofNullable(m.extracted).flatMap(Timestamps::parse).map(Timestamps::toMicros);
                JsonNode messageSchema = m.hasSchema ? m.schema : schema;
                long messageVersion = m.hasVersion ? m.version : tableVersion;
                IncomingMessage.Kind kind = m.activate ? IncomingMessage.Kind.ACTIVATE_VERSION : IncomingMessage.Kind.UPSERT;
                JsonNode data = null;
                ParsedRecord parsed = null;
                if (!m.activate) {
                    if (m.dataOffset >= 0) {
                        parsed = m.parsed != null && !m.hasSchema ? m.parsed : flatten(m.dataOffset, m.dataLength, messageSchema);
                    } else if (m.dataTree != null) {
                        data = m.dataTree; // a record that is not an object: flattened as a tree, as always
                    } else {
                        throw new IllegalStateException("message " + i + " of logged batch " + batch.key() + " has no data");
                    }
                }
                messages.add(new IncomingMessage(batch.key(), receivedMicros, i, kind, m.sequence, data, messageSchema, messageVersion,
                        extracted, parsed));
            }
            return new Parsed(List.copyOf(keyNames), messages);
        }

        /** Reads the messages array the parser is on. */
        private void messages(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw new IOException("messages is not an array");
            }
            // a batch body's messages have no schema of their own (import-api.md §6): the batch's applies
            boolean flattenNow = schemaRead && batch.format() == PayloadFormat.BATCH_JSON;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw new IOException("a message is not an object");
                }
                RawMessage m = new RawMessage();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "action" -> {
                            // the length first: no String is made of an upsert's action
                            m.activate = value == JsonToken.VALUE_STRING && p.getTextLength() == ACTIVATE_VERSION.length()
                                    && ACTIVATE_VERSION.equals(p.getText());
                            p.skipChildren();
                        }
                        case "sequence" -> m.sequence = sequence(p, value);
                        case "data" -> data(p, value, m, flattenNow);
                        case "schema" -> {
                            m.hasSchema = true;
                            m.schema = tree(p);
                        }
                        case "table_version" -> {
                            m.hasVersion = true;
                            m.version = tree(p).asLong();
                        }
                        case "time_extracted" -> m.extracted = value == JsonToken.VALUE_STRING ? p.getText() : tree(p).asText();
                        default -> p.skipChildren();
                    }
                }
                raw.add(m);
            }
        }

        /** Flattens the record the parser is on now, or notes where it is to flatten it later. */
        private void data(JsonParser p, JsonToken value, RawMessage m, boolean flattenNow) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                m.dataTree = tree(p);
                return;
            }
            m.dataOffset = Math.toIntExact(p.currentTokenLocation().getByteOffset());
            FlatRecord flat = null;
            String rejection = null;
            if (flattenNow) {
                int depth = p.getParsingContext().getNestingDepth();
                try {
                    flat = RecordFlattener.flatten(p, schema, names);
                } catch (RecordFlattener.RejectedException e) {
                    rejection = e.getMessage();
                    // on to the record's own END_OBJECT, after which the nesting is one level less
                    while (!(p.currentToken() == JsonToken.END_OBJECT && p.getParsingContext().getNestingDepth() == depth - 1)) {
                        p.nextToken();
                    }
                }
            } else {
                p.skipChildren();
            }
            m.dataLength = Math.toIntExact(p.currentTokenLocation().getByteOffset() + 1 - m.dataOffset);
            if (flattenNow) {
                m.parsed = new ParsedRecord(flat, rejection, source, m.dataOffset, m.dataLength);
            }
        }

        private ParsedRecord flatten(int offset, int length, JsonNode recordSchema) {
            try (JsonParser p = parser(offset, length)) {
                p.nextToken();
                return new ParsedRecord(RecordFlattener.flatten(p, recordSchema, names), null, source, offset, length);
            } catch (RecordFlattener.RejectedException e) {
                return new ParsedRecord(null, e.getMessage(), source, offset, length);
            } catch (IOException e) {
                throw new IllegalStateException("logged batch " + batch.key() + " is not valid JSON: " + e.getMessage(), e);
            }
        }

        private JsonParser parser(int offset, int length) throws IOException {
            return Json.MAPPER.createParser(payload, offset, length).disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
    }

    /** The envelope value the parser is on, as a tree; the parser is left on its last token. */
    private static JsonNode tree(JsonParser p) throws IOException {
        JsonNode node = TREES.readTree(p);
        return node == null ? NullNode.getInstance() : node;
    }

    /** A message's sequence as {@code JsonNode.longValue()} reads it (validated on intake: an integer from 0 to 2^63-1). */
    private static long sequence(JsonParser p, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue()
                    : p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue().longValue();
            default -> {
                p.skipChildren();
                yield 0L;
            }
        };
    }
}
