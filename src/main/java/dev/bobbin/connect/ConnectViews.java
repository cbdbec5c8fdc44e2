package dev.bobbin.connect;

import dev.bobbin.catalog.ImportToken;
import dev.bobbin.catalog.Source;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders Connect API objects in the documented shapes and key order (connect-api.md §5.1, §6.5, §7). */
final class ConnectViews {
    static final String IMPORT_API = "import_api";

    private ConnectViews() {
    }

    /** The Source object; an Import API source's report card is at step 2, {@code fully_configured} (DECISIONS C2). */
    static Map<String, Object> source(Source s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("properties", s.properties());
        view.put("updated_at", timestamp(s.updatedAt()));
        view.put("schedule", null);
        view.put("name", s.name());
        view.put("type", s.type());
        view.put("deleted_at", s.deletedAt().map(ConnectViews::timestamp).orElse(null));
        view.put("system_paused_at", null);
        view.put("stitch_client_id", s.clientId());
        view.put("paused_at", s.pausedAt().map(ConnectViews::timestamp).orElse(null));
        view.put("id", s.id());
        view.put("display_name", s.displayName());
        view.put("created_at", timestamp(s.createdAt()));
        view.put("report_card", reportCard(2, "fully_configured"));
        return view;
    }

    /** The {@code import_api} source type's report card: step 1, {@code form}, with details (DECISIONS C2). */
    static Map<String, Object> importApiType() {
        Map<String, Object> card = reportCard(1, "form");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pricing_tier", "standard");
        details.put("pipeline_state", "released");
        details.put("default_start_date", "-1 year");
        details.put("default_scheduling_interval", 60);
        details.put("protocol", IMPORT_API);
        details.put("access", true);
        card.put("details", details);
        return card;
    }

    /** One entry of {@code GET /v4/sources/{id}/tokens} (DECISIONS C1). */
    static Map<String, Object> token(ImportToken t) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("token_id", t.id());
        view.put("created_at", timestamp(t.createdAt()));
        return view;
    }

    private static Map<String, Object> reportCard(int step, String stepType) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("type", IMPORT_API);
        card.put("current_step", step);
        card.put("current_step_type", stepType);
        card.put("steps", List.of(step("form"), step("fully_configured")));
        return card;
    }

    private static Map<String, Object> step(String type) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("type", type);
        step.put("properties", List.of());
        return step;
    }

    /** Connect API timestamps: ISO-8601 in UTC to the second, {@code 2020-01-02T15:49:27Z}. */
    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
}
