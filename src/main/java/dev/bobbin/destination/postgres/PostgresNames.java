package dev.bobbin.destination.postgres;

import dev.bobbin.destination.TableRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Identifiers in SQL sent to PostgreSQL: always double-quoted (DECISIONS L4), never silently
 * truncated, and the names Bobbin derives itself (primary-key constraints) kept within the limit.
 */
final class PostgresNames {
    /** PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and drops the rest. */
    static final int MAX_IDENTIFIER_BYTES = 63;
    private static final String PKEY_SUFFIX = "_pkey";

    private PostgresNames() {
    }

    /**
     * The identifier in double quotes, inner double quotes doubled. Refuses a name PostgreSQL would
     * truncate or cannot hold, because a truncated name would address a different table or column.
     */
    static String quote(String identifier) {
        if (identifier.isEmpty()) {
            throw new IllegalArgumentException("PostgreSQL cannot hold an empty identifier");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PostgreSQL cannot hold an identifier with the character U+0000");
        }
        int bytes = utf8Length(identifier);
        if (bytes > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("PostgreSQL identifiers are limited to " + MAX_IDENTIFIER_BYTES
                    + " bytes; \"" + identifier + "\" has " + bytes);
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    static String qualified(TableRef table) {
        return quote(table.schema()) + "." + quote(table.table());
    }

    static String quotedList(List<String> names) {
        return names.stream().map(PostgresNames::quote).collect(Collectors.joining(", "));
    }

    /**
     * The primary-key constraint name, {@code <table>_pkey} (loading.md §4). When that would pass 63
     * bytes, the table part is cut at a character boundary and an 8-hex-digit hash of the whole table
     * name is inserted, so two long table names sharing a prefix still get distinct names.
     */
    static String primaryKeyName(String table) {
        if (utf8Length(table) + PKEY_SUFFIX.length() <= MAX_IDENTIFIER_BYTES) {
            return table + PKEY_SUFFIX;
        }
        String hash = "_" + shortHash(table);
        return clip(table, MAX_IDENTIFIER_BYTES - PKEY_SUFFIX.length() - hash.length()) + hash + PKEY_SUFFIX;
    }

    /** The longest prefix of {@code s} that fits in {@code maxBytes} bytes of UTF-8, never splitting a character. */
    static String clip(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = utf8Length(new String(Character.toChars(cp)));
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** The first 8 hex digits of the SHA-256 of {@code text}'s UTF-8 bytes. */
    static String shortHash(String text) {
        return HexFormat.of().formatHex(sha256(text), 0, 4);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
