package dev.bobbin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.JsonText;
import dev.bobbin.testing.RunningBobbin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /openapi.json}: an OpenAPI 3.1 description that lists exactly the routes the server
 * answers, each with a summary and the right security requirement.
 */
final class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    /** Every Import API and Connect API operation Bobbin serves (import-api.md, connect-api.md, DECISIONS C1–C7). */
    private static final List<String> API_OPERATIONS = List.of(
            "get /v2/import/status",
            "post /v2/import/batch",
            "post /v2/import/push",
            "post /v2/import/validate",
            "get /v4/source-types",
            "get /v4/source-types/{type}",
            "get /v4/sources",
            "post /v4/sources",
            "get /v4/sources/{id}",
            "put /v4/sources/{id}",
            "delete /v4/sources/{id}",
            "get /v4/sources/{id}/tokens",
            "post /v4/sources/{id}/tokens",
            "delete /v4/sources/{id}/tokens/{token_id}",
            "get /v4/destination-types",
            "get /v4/destination-types/{type}",
            "get /v4/destinations",
            "post /v4/destinations",
            "put /v4/destinations/{id}",
            "delete /v4/destinations/{id}",
            "get /v4/{client_id}/loads",
            "get /v4/{client_id}/extractions");

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;
    private JsonNode document;

    @BeforeEach
    void start() {
        bobbin = RunningBobbin.start(dataDir, RunningBobbin.MANUAL_LOADING);
        HttpReply reply = bobbin.get("/openapi.json");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.mediaType()).isEqualTo("application/json");
        document = reply.json();
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void isAnOpenApi31DocumentServedWithoutAToken() {
        assertThat(document.get("openapi").asText()).startsWith("3.1.");
        assertThat(document.get("info").get("title").asText()).isNotBlank();
        assertThat(document.get("info").get("version").asText()).isNotBlank();
        assertThat(document.get("paths").isObject()).isTrue();
        assertThat(document.get("components").get("securitySchemes").get("bearer"))
                .isEqualTo(JsonText.parse("{\"type\":\"http\",\"scheme\":\"bearer\"}"));
    }

    @Test
    void describesExactlyTheImportAndConnectOperations() {
        List<String> api = operations().stream().filter(o -> o.contains(" /v2/") || o.contains(" /v4/")).toList();

        assertThat(api).containsExactlyInAnyOrderElementsOf(API_OPERATIONS);
    }

    @Test
    void everyOperationHasASummaryItsPathParametersAndTheRightSecurity() {
        for (String operation : operations()) {
            JsonNode op = operation(operation);
            String path = operation.substring(operation.indexOf(' ') + 1);
            assertThat(op.path("summary").asText()).as(operation).isNotBlank();
            assertThat(op.path("responses").isObject()).as(operation).isTrue();

            List<String> declared = new ArrayList<>();
            op.path("parameters").forEach(p -> {
                assertThat(p.get("in").asText()).as(operation).isEqualTo("path");
                assertThat(p.get("required").asBoolean()).as(operation).isTrue();
                declared.add(p.get("name").asText());
            });
            List<String> inPath = new ArrayList<>();
            Matcher m = PARAM.matcher(path);
            while (m.find()) {
                inPath.add(m.group(1));
            }
            assertThat(declared).as(operation).containsExactlyElementsOf(inPath);

            boolean isPublic = operation.equals("get /v2/import/status") || operation.equals("get /openapi.json");
            if (isPublic) {
                assertThat(op.has("security")).as(operation + " needs no token").isFalse();
            } else {
                assertThat(op.get("security")).as(operation + " needs a token").isEqualTo(JsonText.parse("[{\"bearer\":[]}]"));
            }
        }
        assertThat(operations()).contains("get /openapi.json");
    }

    @Test
    void everyDocumentedOperationIsServed() {
        for (String operation : operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = PARAM.matcher(operation.substring(operation.indexOf(' ') + 1)).replaceAll(p -> switch (p.group(1)) {
                case "type" -> "import_api";
                default -> "987654321";
            });

            HttpReply reply = send(method, path);

            assertThat(reply.status()).as(operation + " -> " + reply).isNotEqualTo(405);
            assertThat(reply.body()).as(operation + " -> " + reply).doesNotContain("no such endpoint");
        }
    }

    @Test
    void pathsThatAreNotInTheDocumentAre404AndOtherMethodsAreNotServed() {
        List<String> undocumented = List.of(
                "get /v4/sources/1/streams",
                "get /v4/sources/1/last-connection-check",
                "post /v4/sources/1/sync",
                "get /v4/destinations/1/last-connection-check",
                "get /v3/destinations",
                "post /v3/accounts",
                "post /v3/sessions/ephemeral",
                "get /v4/123456/extractions/123456.1.sync.x",
                "get /v2/import/batch/1",
                "get /v2/import",
                "get /v2/import/status/deep",
                "get /notifications/public/v1/api/hooks",
                "get /openapi.yaml",
                "get /");
        for (String operation : undocumented) {
            assertThat(document.get("paths").has(operation.substring(operation.indexOf(' ') + 1))).as(operation).isFalse();
            HttpReply reply = send(operation.substring(0, operation.indexOf(' ')), operation.substring(operation.indexOf(' ') + 1));
            assertThat(reply.status()).as(operation + " -> " + reply).isEqualTo(404);
        }

        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            for (String method : METHODS) {
                if (!path.getValue().has(method)) {
                    String concrete = PARAM.matcher(path.getKey()).replaceAll("1");
                    HttpReply reply = send(method, concrete);
                    assertThat(reply.status()).as(method + " " + path.getKey() + " is not documented: " + reply).isIn(404, 405);
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** {@code "<method> <path>"} for every operation in the document, sorted. */
    private Set<String> operations() {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            path.getValue().fieldNames().forEachRemaining(method -> {
                assertThat(METHODS).as(path.getKey()).contains(method);
                out.add(method + " " + path.getKey());
            });
        }
        return out;
    }

    private JsonNode operation(String operation) {
        String method = operation.substring(0, operation.indexOf(' '));
        return document.get("paths").get(operation.substring(operation.indexOf(' ') + 1)).get(method);
    }

    /** Sends with the Connect API token and a JSON body where a body can go. */
    private HttpReply send(String method, String path) {
        String[] headers = {"Authorization", "Bearer " + bobbin.connectToken(), "Content-Type", "application/json"};
        return switch (method) {
            case "get" -> bobbin.get(path, headers);
            case "post" -> bobbin.post(path, "{}", headers);
            case "put" -> bobbin.put(path, "{}", headers);
            case "delete" -> bobbin.delete(path, headers);
            case "patch" -> bobbin.patch(path, "{}", headers);
            default -> throw new IllegalArgumentException(method);
        };
    }
}
