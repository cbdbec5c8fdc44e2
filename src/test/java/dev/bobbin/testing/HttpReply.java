package dev.bobbin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.util.Locale;

/** One HTTP answer as a client sees it: status, body text and headers. */
public record HttpReply(int status, String body, HttpHeaders headers) {

    /** The body parsed as JSON (with Bobbin's own JSON settings, so numbers compare exactly). */
    public JsonNode json() {
        return JsonText.parse(body);
    }

    /** The media type of {@code Content-Type}, lower-cased and without parameters; empty when absent. */
    public String mediaType() {
        return headers.firstValue("Content-Type")
                .map(v -> v.split(";", 2)[0].strip().toLowerCase(Locale.ROOT))
                .orElse("");
    }

    @Override
    public String toString() {
        return "HTTP " + status + " " + mediaType() + " " + body;
    }
}
