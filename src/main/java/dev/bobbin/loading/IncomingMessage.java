package dev.bobbin.loading;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One message of a logged batch, in acceptance order.
 *
 * @param data     the record ({@code upsert}); null for {@code activate_version}
 * @param schema   the JSON Schema node describing {@code data} (batch endpoint), or null (push: typed by value)
 * @param tableVersion the version the record belongs to (0 when the client sends none)
 */
record IncomingMessage(String batchKey, long receivedAtMicros, int index, Kind kind, long sequence, JsonNode data, JsonNode schema,
                       long tableVersion, Optional<Long> extractedAtMicros) {

    enum Kind { UPSERT, ACTIVATE_VERSION }
}
