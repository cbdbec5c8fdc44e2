package dev.bobbin.connect;

import java.util.Locale;

/**
 * Derives a source's schema name from its display name (DECISIONS C4): lower-cased, spaces to
 * {@code _}, every other character outside {@code [a-z0-9_]} dropped.
 */
final class SourceNames {
    static final int MAX_LENGTH_EXCLUSIVE = 50;

    private SourceNames() {
    }

    static String derive(String displayName) {
        String lower = displayName.toLowerCase(Locale.ROOT);
        StringBuilder name = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == ' ') {
                name.append('_');
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
                name.append(c);
            }
        }
        return name.toString();
    }

    /** A derived name is usable when it is under 50 characters and starts with a letter or an underscore. */
    static boolean valid(String name) {
        if (name.isEmpty() || name.length() >= MAX_LENGTH_EXCLUSIVE) {
            return false;
        }
        char first = name.charAt(0);
        return (first >= 'a' && first <= 'z') || first == '_';
    }
}
