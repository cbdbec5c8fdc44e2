package dev.bobbin.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the OpenAPI 3.1 description of the served routes ({@code GET /openapi.json}). */
final class OpenApiDocument {
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApiDocument() {
    }

    static Map<String, Object> of(List<DocumentedRoutes.Route> routes, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "Bobbin", "version", version,
                "description", "Stitch-compatible Import API and Connect API served by Bobbin."));
        Map<String, Object> paths = new TreeMap<>();
        for (DocumentedRoutes.Route route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(route.path(), p -> new LinkedHashMap<>());
            Map<String, Object> operation = new LinkedHashMap<>();
            operation.put("summary", route.summary());
            operation.put("tags", List.of(tag(route.path())));
            List<Map<String, Object>> parameters = new ArrayList<>();
            Matcher m = PARAM.matcher(route.path());
            while (m.find()) {
                parameters.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
            }
            if (!parameters.isEmpty()) {
                operation.put("parameters", parameters);
            }
            if (route.authenticated()) {
                operation.put("security", List.of(Map.of("bearer", List.of())));
            }
            operation.put("responses", Map.of("default", Map.of("description", "JSON, as the Stitch documentation gives it")));
            item.put(route.method(), operation);
        }
        doc.put("paths", paths);
        doc.put("components", Map.of("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer"))));
        return doc;
    }

    private static String tag(String path) {
        if (path.startsWith("/v2/import")) {
            return "Import API";
        }
        if (path.startsWith("/v4")) {
            return "Connect API";
        }
        return "Bobbin";
    }
}
