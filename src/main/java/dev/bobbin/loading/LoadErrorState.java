package dev.bobbin.loading;

import dev.bobbin.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code error_state} object of a failed load, shaped like Stitch's (connect-api.md §11.3):
 * {@code notification_data} with the message and action, and the {@code exception_chain}.
 */
final class LoadErrorState {
    private static final int MAX_CHAIN = 5;

    private LoadErrorState() {
    }

    static String of(String action, Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        Map<String, Object> notification = new LinkedHashMap<>();
        notification.put("message", action + " failed");
        notification.put("exception_message", message);
        notification.put("error", "LOADER_WAREHOUSE_ERROR");
        notification.put("status", "ERROR");
        notification.put("action", action);
        List<Map<String, Object>> chain = new ArrayList<>();
        Throwable t = failure;
        for (int i = 0; t != null && i < MAX_CHAIN; i++, t = t.getCause()) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("class", t.getClass().getName());
            link.put("message", t.getMessage());
            link.put("chain_sequence_num", i);
            link.put("action", action);
            chain.add(link);
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("notification_data", notification);
        state.put("exception_chain", chain);
        return Json.write(state);
    }
}
