package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/** The body formats {@code /push} and {@code /validate} accept (import-api.md §4, DECISIONS I8). */
enum PushFormat {
    JSON("application/json"),
    TRANSIT("application/transit+json");

    private final String mediaType;

    PushFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    static Optional<PushFormat> of(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (PushFormat f : values()) {
            if (f.mediaType.equals(media)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The body as a JSON tree; malformed input gets the documented 400. */
    JsonNode parse(byte[] body) {
        Optional<String> notUtf8 = Utf8.problem(body);
        if (notUtf8.isPresent()) {
            throw ImportErrors.pushMalformed(notUtf8.get());
        }
        if (this == TRANSIT) {
            try {
                return TransitJson.decode(body);
            } catch (TransitException e) {
                throw ImportErrors.pushMalformed(e.getMessage());
            }
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw ImportErrors.pushMalformed("No content to map due to end-of-input");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw ImportErrors.pushMalformed(e.getOriginalMessage());
        } catch (IOException | NumberFormatException e) {
            // Jackson throws NumberFormatException for a decimal whose exponent a BigDecimal cannot hold (1e-2147483648)
            throw ImportErrors.pushMalformed(e.getMessage());
        }
    }
}
