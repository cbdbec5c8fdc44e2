package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import dev.bobbin.json.Timestamps;
import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a logged batch's payload back into messages, in the order they were sent. */
final class BatchPayloads {
    private BatchPayloads() {
    }

    /** A logged batch's messages and the key names it declares. */
    record Parsed(List<String> keyNames, List<IncomingMessage> messages) {
    }

    static Parsed parse(LoggedBatch batch) {
        if (batch.format() != PayloadFormat.BATCH_JSON) {
            throw new IllegalArgumentException("unsupported payload format " + batch.format());
        }
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
            messages.add(new IncomingMessage(batch.key(), receivedMicros, i,
                    activate ? IncomingMessage.Kind.ACTIVATE_VERSION : IncomingMessage.Kind.UPSERT,
                    m.get("sequence").longValue(), activate ? null : m.get("data"), schema, tableVersion, extracted));
        }
        return new Parsed(List.copyOf(keyNames), messages);
    }
}
