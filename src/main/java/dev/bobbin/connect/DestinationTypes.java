package dev.bobbin.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The destination types Bobbin loads into (connect-api.md §9, DECISIONS C5): {@code postgres} with
 * its documented form properties, and {@code duckdb}, the embedded warehouse, with none.
 */
final class DestinationTypes {
    static final String POSTGRES = "postgres";
    static final String DUCKDB = "duckdb";
    static final List<String> ALL = List.of(DUCKDB, POSTGRES);

    /** A form property: name, required, credential (never returned), and its JSON Schema. */
    private record Property(String name, boolean required, boolean credential, Map<String, Object> schema) {
    }

    private static final Map<String, Object> STRING = Map.of("type", "string");
    private static final Map<String, Object> DIGITS = Map.of("type", "string", "pattern", "^\\d+$");
    private static final Map<String, Object> HOST = Map.of("anyOf", List.of(
            Map.of("type", "string", "format", "ipv4"), Map.of("type", "string", "format", "ipv6"),
            Map.of("type", "string", "format", "hostname")));
    private static final List<Property> POSTGRES_PROPERTIES = List.of(
            new Property("database", true, false, STRING),
            new Property("host", true, false, HOST),
            new Property("port", true, false, DIGITS),
            new Property("username", true, false, STRING),
            new Property("password", true, true, STRING),
            new Property("ssl", true, false, Map.of("type", "boolean")),
            new Property("sslrootcert", false, false, STRING),
            new Property("encryption_type", true, false, Map.of("type", "string", "pattern", "^(ssh|none)$")),
            new Property("encryption_host", false, false, HOST),
            new Property("encryption_port", false, false, DIGITS),
            new Property("encryption_username", false, false, STRING));
    /** Properties that get a value when the client leaves them out. */
    private static final Map<String, String> POSTGRES_DEFAULTS = Map.of("port", "5432", "ssl", "false", "encryption_type", "none");

    private DestinationTypes() {
    }

    static boolean known(String type) {
        return ALL.contains(type);
    }

    /**
     * The type's report card at step {@code step} (1 = form, 2 = fully configured), with details when
     * asked. A form property is {@code provided} when {@code provided} names it (connect-api.md §6.3).
     */
    static Map<String, Object> reportCard(String type, int step, boolean withDetails, Set<String> provided) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("type", type);
        card.put("current_step", step);
        card.put("current_step_type", step == 1 ? "form" : "fully_configured");
        List<Map<String, Object>> form = new ArrayList<>();
        if (POSTGRES.equals(type)) {
            for (Property p : POSTGRES_PROPERTIES) {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", p.name());
                view.put("is_required", p.required());
                view.put("is_credential", p.credential());
                view.put("system_provided", false);
                view.put("property_type", "user_provided");
                view.put("json_schema", p.schema());
                view.put("provided", provided.contains(p.name()));
                form.add(view);
            }
        }
        card.put("steps", List.of(Map.of("type", "form", "properties", form), Map.of("type", "fully_configured", "properties", List.of())));
        if (withDetails) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("pricing_tier", "standard");
            details.put("pipeline_state", "released");
            details.put("protocol", type);
            details.put("access", true);
            card.put("details", details);
        }
        return card;
    }

    /**
     * Normalizes client properties to strings with defaults filled in, or names the problem.
     * {@code ssl} may be sent as a boolean or as "true"/"false"; ports as a number or digits.
     */
    static Map<String, String> normalize(String type, Map<String, Object> given) throws InvalidPropertiesException {
        if (DUCKDB.equals(type)) {
            if (!given.isEmpty()) {
                throw new InvalidPropertiesException("the duckdb destination takes no properties");
            }
            return Map.of();
        }
        Set<String> names = new java.util.HashSet<>();
        POSTGRES_PROPERTIES.forEach(p -> names.add(p.name()));
        Map<String, String> out = new LinkedHashMap<>(POSTGRES_DEFAULTS);
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Object> e : given.entrySet()) {
            Object v = e.getValue();
            if (!names.contains(e.getKey()) || v == null || v instanceof Map || v instanceof List) {
                bad.add(e.getKey());
            } else {
                out.put(e.getKey(), String.valueOf(v));
            }
        }
        for (Property p : POSTGRES_PROPERTIES) {
            String v = out.get(p.name());
            if (p.required() && (v == null || v.isBlank())) {
                bad.add(p.name());
            }
        }
        if (out.containsKey("port") && !out.get("port").matches("^\\d{1,5}$")) {
            bad.add("port");
        }
        if (!Set.of("true", "false").contains(out.getOrDefault("ssl", "false"))) {
            bad.add("ssl");
        }
        if (!"none".equals(out.get("encryption_type"))) {
            throw new InvalidPropertiesException("encryption_type must be none: SSH tunnels are not supported by Bobbin");
        }
        if (!bad.isEmpty()) {
            throw new InvalidPropertiesException("properties do not match schema: " + String.join(", ", bad.stream().distinct().sorted().toList()));
        }
        return Map.copyOf(out);
    }

    /** The properties a client may see: never credentials. */
    static Map<String, String> visible(String type, Map<String, String> properties) {
        Map<String, String> out = new java.util.TreeMap<>(properties);
        for (Property p : POSTGRES_PROPERTIES) {
            if (p.credential()) {
                out.remove(p.name());
            }
        }
        return out;
    }

    static Optional<String> unknownTypeMessage(String type) {
        return known(type) ? Optional.empty() : Optional.of("destination type not found (" + type + ")");
    }

    static final class InvalidPropertiesException extends Exception {
        InvalidPropertiesException(String message) {
            super(message, null, false, false);
        }
    }
}
