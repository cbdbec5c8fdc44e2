package dev.bobbin.loading;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A record flattened straight from the bytes of its batch's payload, without a JSON tree: the
 * flattened record or why it was rejected, and where its text is in the payload, read back into
 * compact JSON only when {@code _sdc_rejected} needs it (from the payload's bytes, which are read
 * from the log again if they are no longer held: {@link BatchPayload}).
 *
 * @param flat      the flattened record; null when rejected
 * @param rejection why {@link RecordFlattener} rejected the record; null when flattened
 * @param offset    where the record's JSON object starts in {@code payload}
 * @param length    its length in bytes
 */
record ParsedRecord(FlatRecord flat, String rejection, BatchPayload payload, int offset, int length) {

    /** The flattened record, or the rejection as {@link RecordFlattener#flatten} would have thrown it. */
    FlatRecord get() throws RecordFlattener.RejectedException {
        if (rejection != null) {
            throw new RecordFlattener.RejectedException(rejection);
        }
        return flat;
    }

    /** The record's compact JSON, exactly as the JSON tree of the same text prints it. */
    String text() {
        try {
            return Json.MAPPER.readTree(payload.bytes(), offset, length).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a logged record is not valid JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
