package dev.bobbin.imports;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Strict UTF-8 checking of request bodies (RFC 8259 §8.1, RFC 3629). Jackson rejects most broken
 * UTF-8 but decodes overlong forms ({@code C0 AF} as {@code /}) and UTF-8-encoded surrogates, so a
 * body that is not UTF-8 could be accepted and load as other text than the client sent.
 *
 * <p>Checked byte by byte against the well-formed sequences of RFC 3629 §4 (no decoding into
 * characters), eight ASCII bytes at a time: request bodies are mostly ASCII, and this check is on
 * every request's path.
 */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** Why {@code bytes} are not well-formed UTF-8, naming the first bad byte and its offset; empty when they are. */
    static Optional<String> problem(byte[] bytes) {
        int bad = firstMalformed(bytes);
        if (bad < 0) {
            return Optional.empty();
        }
        return Optional.of(String.format("Invalid UTF-8 at byte offset %d (0x%02x)", bad, bytes[bad] & 0xFF));
    }

    /**
     * The offset of the first byte that does not belong to a well-formed sequence (the lead byte of a
     * sequence that is cut short or has a bad continuation), or -1 when all bytes are well-formed.
     */
    static int firstMalformed(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            if (i + 8 <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int lead = b[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int length;
            int min2;
            int max2;
            if (lead >= 0xC2 && lead <= 0xDF) {
                length = 2;
                min2 = 0x80;
                max2 = 0xBF;
            } else if (lead == 0xE0) {
                length = 3;
                min2 = 0xA0; // no overlong 3-byte forms
                max2 = 0xBF;
            } else if (lead == 0xED) {
                length = 3;
                min2 = 0x80;
                max2 = 0x9F; // no surrogates U+D800..U+DFFF
            } else if (lead >= 0xE1 && lead <= 0xEF) {
                length = 3;
                min2 = 0x80;
                max2 = 0xBF;
            } else if (lead == 0xF0) {
                length = 4;
                min2 = 0x90; // no overlong 4-byte forms
                max2 = 0xBF;
            } else if (lead >= 0xF1 && lead <= 0xF3) {
                length = 4;
                min2 = 0x80;
                max2 = 0xBF;
            } else if (lead == 0xF4) {
                length = 4;
                min2 = 0x80;
                max2 = 0x8F; // nothing above U+10FFFF
            } else {
                return i; // a continuation byte without a lead, C0, C1 (overlong 2-byte forms) or F5..FF
            }
            if (i + length > n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < min2 || second > max2) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
