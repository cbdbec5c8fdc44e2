package dev.bobbin.http;

import java.util.Optional;

/**
 * Reads the token from an {@code Authorization} header (DECISIONS I6): the scheme {@code Bearer} in
 * any case, followed by a space or by {@code ": "} (the form the docs' boilerplate shows).
 */
public final class BearerToken {
    private static final String SCHEME = "bearer";

    private BearerToken() {
    }

    public static Optional<String> from(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String trimmed = header.strip();
        if (trimmed.length() <= SCHEME.length() || !trimmed.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String rest = trimmed.substring(SCHEME.length());
        if (rest.startsWith(":")) {
            rest = rest.substring(1);
        } else if (!Character.isWhitespace(rest.charAt(0))) {
            return Optional.empty();
        }
        String token = rest.strip();
        return token.isEmpty() || token.chars().anyMatch(Character::isWhitespace) ? Optional.empty() : Optional.of(token);
    }
}
