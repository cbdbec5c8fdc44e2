package dev.bobbin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Parses JSON text in tests with the same settings as Bobbin, so expected and actual trees compare equal. */
public final class JsonText {
    private JsonText() {
    }

    public static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }
}
