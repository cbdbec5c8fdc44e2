package dev.bobbin.imports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.util.List;

/**
 * For the benchmarks: checks a generated {@code POST /v2/import/batch} body the way the Import API
 * does before logging it ({@link BatchRequest#validate}, default limits), so that what a benchmark
 * appends to the log is what the Import API would have appended. In this package only because
 * {@code BatchRequest} is package-private.
 */
public final class BenchBatchCheck {
    private BenchBatchCheck() {
    }

    /** @throws IllegalArgumentException with the Import API's error body when the body would be refused */
    public static void requireAccepted(byte[] body, List<String> expectedKeyNames) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("a generated batch body is not JSON: " + e.getMessage(), e);
        }
        try {
            BatchRequest request = BatchRequest.validate(root, ImportLimits.DEFAULTS);
            if (!request.keyNames().equals(expectedKeyNames)) {
                throw new IllegalArgumentException("a generated batch body has key names " + request.keyNames());
            }
        } catch (ApiError e) {
            throw new IllegalArgumentException("the Import API would refuse a generated batch body: " + e.status() + " " + e.body(), e);
        }
    }
}
