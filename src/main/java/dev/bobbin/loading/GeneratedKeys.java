package dev.bobbin.loading;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The generated key of a record of a keyless table (DECISIONS L7): the text of
 * {@link UUID#nameUUIDFromBytes} of {@code <batch key>#<message index>} (UTF-8), deterministic so that a
 * replayed batch generates the same keys.
 *
 * <p>Computed without the intermediate strings and arrays of that method: one MD5 digest, the name
 * bytes and the hash reused for every record, the batch key encoded once per batch, and the hex text
 * written straight into the key's bytes. Not thread-safe: one instance per plan.
 */
final class GeneratedKeys {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest md5;
    private final byte[] hash = new byte[16];
    private final byte[] text = new byte[36];
    private String batchKey;
    /** {@code <batch key>#} in UTF-8, then room for the index's digits. */
    private byte[] name = new byte[0];
    private int prefixLength;

    GeneratedKeys() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 not supported", e);
        }
    }

    /** The key of message {@code index} of batch {@code batchKey}. */
    String of(String batchKey, int index) {
        if (!batchKey.equals(this.batchKey)) {
            byte[] prefix = (batchKey + "#").getBytes(StandardCharsets.UTF_8);
            name = new byte[prefix.length + 11]; // an int has at most 10 digits and a sign
            System.arraycopy(prefix, 0, name, 0, prefix.length);
            prefixLength = prefix.length;
            this.batchKey = batchKey;
        }
        int length = prefixLength + digits(index, name, prefixLength);
        md5.update(name, 0, length);
        try {
            md5.digest(hash, 0, hash.length);
        } catch (DigestException e) {
            throw new IllegalStateException("MD5 did not give 16 bytes", e);
        }
        hash[6] &= 0x0f; // version 3, as UUID.nameUUIDFromBytes sets it
        hash[6] |= 0x30;
        hash[8] &= 0x3f; // IETF variant
        hash[8] |= (byte) 0x80;
        int at = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                text[at++] = '-';
            }
            text[at++] = HEX[(hash[i] >> 4) & 0x0f];
            text[at++] = HEX[hash[i] & 0x0f];
        }
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    /** Writes the decimal digits of {@code value} (as {@link Integer#toString}) at {@code out[from]}; returns how many bytes were written. */
    private static int digits(int value, byte[] out, int from) {
        int at = from;
        long rest = value;
        if (rest < 0) {
            out[at++] = '-';
            rest = -rest;
        }
        int length = 1;
        for (long r = rest / 10; r > 0; r /= 10) {
            length++;
        }
        for (int i = at + length - 1; i >= at; i--) {
            out[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return at + length - from;
    }
}
