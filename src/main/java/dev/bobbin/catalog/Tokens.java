package dev.bobbin.catalog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Token generation and hashing (DECISIONS C3): the one home for how tokens look and how they are stored.
 *
 * <p>Tokens are a prefix ({@code ac_} for the Connect API, {@code at_} for the Import API) and 32 random
 * bytes, URL-safe base64 without padding. Only a SHA-256 hash is stored: with 256 bits of entropy a
 * slow password hash adds nothing, and a fast one keeps authentication off the hot path's profile.
 */
public final class Tokens {
    public static final String CONNECT_PREFIX = "ac_";
    public static final String IMPORT_PREFIX = "at_";
    private static final int RANDOM_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String newConnectToken() {
        return CONNECT_PREFIX + randomPart();
    }

    public static String newImportToken() {
        return IMPORT_PREFIX + randomPart();
    }

    /** The stored form of a token: lower-case hex SHA-256 of its UTF-8 bytes. */
    public static String hash(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    private static String randomPart() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
