package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import dev.bobbin.log.LoggedBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a logged batch's payload back into messages, in the order they were sent. Both payload
 * formats share one shape: {@code table_name}, {@code key_names}, an optional {@code schema} and
 * {@code table_version}, and {@code messages}; a push message may carry its own {@code schema} (type
 * hints from Transit) and {@code table_version}.
 */
final class BatchPayloads {
    private BatchPayloads() {
    }

    /** A logged batch's messages and the key names it declares. */
    record Parsed(List<String> keyNames, List<IncomingMessage> messages) {
    }

    static Parsed parse(LoggedBatch batch) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(batch.payload());
        } catch (IOException e) {
            throw new IllegalStateException("logged batch " + batch.key() + " is not valid JSON: " + e.getMessage(), e);
        }
        List<String> keyNames = new ArrayList<>();
        root.path("key_names").forEach(k -> keyNames.add(k.asText()));
        JsonNode schema = root.get("schema");
        long tableVersion = root.path("table_version").asLong(0);
        long receivedMicros = Timestamps.toMicros(batch.receivedAt());
        List<IncomingMessage> messages = new ArrayList<>();
        JsonNode list = root.get("messages");
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            boolean activate = "activate_version".equals(m.path("action").asText());
            Optional<Long> extracted = Optional.ofNullable(m.get("time_extracted"))
                    .flatMap(t -> Timestamps.parse(t.asText()))
                    .map(Timestamps::toMicros);
            JsonNode messageSchema = m.has("schema") ? m.get("schema") : schema;
            long messageVersion = m.has("table_version") ? m.get("table_version").asLong() : tableVersion;
            messages.add(new IncomingMessage(batch.key(), receivedMicros, i,
                    activate ? IncomingMessage.Kind.ACTIVATE_VERSION : IncomingMessage.Kind.UPSERT,
                    m.get("sequence").longValue(), activate ? null : m.get("data"), messageSchema, messageVersion, extracted));
        }
        return new Parsed(List.copyOf(keyNames), messages);
    }
}
