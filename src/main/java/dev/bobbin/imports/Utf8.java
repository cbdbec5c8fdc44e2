package dev.bobbin.imports;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Strict UTF-8 checking of request bodies (RFC 8259 §8.1, RFC 3629). Jackson rejects most broken
 * UTF-8 but decodes overlong forms ({@code C0 AF} as {@code /}) and UTF-8-encoded surrogates, so a
 * body that is not UTF-8 could be accepted and load as other text than the client sent.
 */
final class Utf8 {
    private Utf8() {
    }

    /** Why {@code bytes} are not well-formed UTF-8, naming the first bad byte and its offset; empty when they are. */
    static Optional<String> problem(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                int at = in.position();
                return Optional.of(String.format("Invalid UTF-8 at byte offset %d (0x%02x)", at, bytes[at] & 0xFF));
            }
            if (result.isUnderflow()) {
                return Optional.empty();
            }
            out.clear();
        }
    }
}
