package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One message of a logged batch, in acceptance order.
 *
 * @param data     the record ({@code upsert}) as a JSON tree; null for {@code activate_version}, and for
 *                 a record already {@code parsed} from the payload
 * @param schema   the JSON Schema node describing {@code data} (batch endpoint), or null (push: typed by value)
 * @param tableVersion the version the record belongs to (0 when the client sends none)
 * @param parsed   the record flattened straight from the payload bytes ({@link BatchPayloads}), or null:
 *                 then {@code data} is flattened when the message is prepared
 */
record IncomingMessage(String batchKey, long receivedAtMicros, int index, Kind kind, long sequence, JsonNode data, JsonNode schema,
                       long tableVersion, Optional<Long> extractedAtMicros, ParsedRecord parsed) {

    enum Kind { UPSERT, ACTIVATE_VERSION }

    /** A message whose record is a JSON tree. */
    IncomingMessage(String batchKey, long receivedAtMicros, int index, Kind kind, long sequence, JsonNode data, JsonNode schema,
                    long tableVersion, Optional<Long> extractedAtMicros) {
        this(batchKey, receivedAtMicros, index, kind, sequence, data, schema, tableVersion, extractedAtMicros, null);
    }

    /** The record as {@code _sdc_rejected.record} shows it: its compact JSON, or empty for {@code activate_version}. */
    String recordText() {
        if (data != null) {
            return data.toString();
        }
        return parsed != null ? parsed.text() : "";
    }
}
