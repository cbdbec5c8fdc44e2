package dev.bobbin.loading;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Warehouse object names (DECISIONS L4, loading.md §8, §12.1): cleaning, length limits and reserved
 * words, in one place.
 *
 * <p>Cleaning keeps case, spaces and a leading underscore, drops leading digits, and drops every
 * other character that is not an ASCII letter, digit, underscore or space. Names are compared
 * case-insensitively for collisions, so that a case-insensitive warehouse (DuckDB) and a
 * case-sensitive one (PostgreSQL) load the same records the same way.
 */
final class Names {
    static final String SEPARATOR = "__";
    static final int MAX_TABLE_LENGTH = 63;
    /** 63 minus room for a type suffix such as {@code __st}. */
    static final int MAX_COLUMN_LENGTH = 59;
    private static final Set<String> RESERVED_SUFFIXES = Set.of("__bi", "__bo", "__de", "__do", "__it", "__st", "__ti", "__fl");
    private static final Set<String> RESERVED_PREFIXES = Set.of("_sdc", "_rjm");

    private Names() {
    }

    static String clean(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean digit = c >= '0' && c <= '9';
            if (digit && out.isEmpty()) {
                continue;
            }
            if (letter || digit || c == '_' || c == ' ') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Why a client's field name cannot be used, if it cannot (reserved prefix or type suffix, nothing left after cleaning). */
    static Optional<String> fieldProblem(String raw, String cleaned) {
        if (cleaned.isEmpty() || cleaned.isBlank()) {
            return Optional.of("field name '" + abbreviate(raw) + "' has no letters or digits");
        }
        String lower = cleaned.toLowerCase(Locale.ROOT);
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return Optional.of("field names from the client must not start with the reserved prefix " + prefix + " on " + cleaned);
            }
        }
        return reservedSuffixProblem(cleaned);
    }

    /**
     * Why a column name cannot be used, if it ends in a type-split suffix (§12.1): such names are
     * reserved for L1's split columns. Checked on client field names and on flattened names
     * ({@code {"foo":{"st":…}}} would make {@code foo__st}).
     */
    static Optional<String> reservedSuffixProblem(String column) {
        String lower = column.toLowerCase(Locale.ROOT);
        for (String suffix : RESERVED_SUFFIXES) {
            if (lower.endsWith(suffix)) {
                return Optional.of("column names from client should not include reserved datatype suffix on " + column);
            }
        }
        return Optional.empty();
    }

    /** Why a table name cannot be used, if it cannot. */
    static Optional<String> tableProblem(String raw, String cleaned) {
        if (cleaned.isBlank()) {
            return Optional.of("table name '" + abbreviate(raw) + "' has no letters or digits");
        }
        if (cleaned.length() > MAX_TABLE_LENGTH) {
            return Optional.of("Table name " + abbreviate(cleaned) + " is longer than " + MAX_TABLE_LENGTH + " characters");
        }
        String lower = cleaned.toLowerCase(Locale.ROOT);
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return Optional.of("table names from the client must not start with the reserved prefix " + prefix + " on " + cleaned);
            }
        }
        return Optional.empty();
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }
}
