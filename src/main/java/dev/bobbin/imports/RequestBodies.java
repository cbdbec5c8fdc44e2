package dev.bobbin.imports;

import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an Import API request body within the limits of DECISIONS I4 and I9: at most
 * {@code maxBodyBytes} on the wire, and at most {@code maxInflatedBytes} after gzip decompression.
 * A body over either limit gets the documented 413; nothing of it is kept.
 */
final class RequestBodies {
    /** How much of an oversized body is read (to report its size and let the client read the answer) before giving up. */
    private static final long MAX_DRAIN_BYTES = 256L * 1024 * 1024;

    private RequestBodies() {
    }

    /**
     * The body's bytes, inflated when it is gzip.
     *
     * @param malformed the endpoint's malformed-body error, for a body that ends before its declared
     *                  length or chunked framing says it should (a client error, never a 500)
     */
    static byte[] read(InputStream in, long contentLength, String contentEncoding, ImportLimits limits,
                       Function<String, ApiError> malformed) throws IOException {
        if (contentLength > limits.maxBodyBytes()) {
            // Read (and drop) what the client is sending before answering: closing the connection on
            // unread bytes resets it, and a client still writing its body would never see the 413.
            drain(in);
            throw ImportErrors.bodyTooLarge(contentLength);
        }
        Bounded wire;
        try {
            wire = contentLength >= 0 && contentLength < Integer.MAX_VALUE - 8 ? readExactly(in, (int) contentLength)
                    : readAtMost(in, limits.maxBodyBytes());
        } catch (EOFException e) {
            throw malformed.apply(e.getMessage() == null ? "Unexpected end of the request body"
                    : "Unexpected end of the request body (" + e.getMessage() + ")");
        }
        if (wire.bytes() == null) {
            // the size is what was read before the limit was passed plus the rest of the body
            throw ImportErrors.bodyTooLarge(wire.read() + drain(in));
        }
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
            return wire.bytes();
        }
        if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
            throw ApiError.json(415, ImportErrors.ordered("status", "ERROR",
                    "message", "Unsupported Content-Encoding " + contentEncoding + ". Please send gzip or no encoding"));
        }
        try (InputStream inflater = new GZIPInputStream(new java.io.ByteArrayInputStream(wire.bytes()), 64 * 1024)) {
            byte[] inflated = readAtMost(inflater, limits.maxInflatedBytes()).bytes();
            if (inflated == null) {
                throw ApiError.json(413, ImportErrors.ordered("status", "ERROR",
                        "message", "Request rejected: the gzip body inflates past the maximum of " + limits.maxInflatedBytes() + " bytes"));
            }
            return inflated;
        } catch (ZipException | EOFException e) {
            throw ApiError.json(400, Map.of("status", "ERROR", "message", "Malformed gzip body: " + e.getMessage()));
        }
    }

    /** What {@link #readAtMost} read: the bytes, or null when there were more than the limit, and how many it read. */
    private record Bounded(byte[] bytes, long read) {
    }

    /**
     * A body of a declared length (already checked against the limit), read into one array of that
     * size: no growing buffer and no final copy, so a 20 MiB body takes 20 MiB of heap, not 50.
     */
    private static Bounded readExactly(InputStream in, int contentLength) throws IOException {
        byte[] bytes = new byte[contentLength];
        int read = in.readNBytes(bytes, 0, contentLength);
        return new Bounded(read == contentLength ? bytes : java.util.Arrays.copyOf(bytes, read), read);
    }

    private static Bounded readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                return new Bounded(null, total);
            }
            out.write(buffer, 0, n);
        }
        return new Bounded(out.toByteArray(), total);
    }

    /** Reads and drops the rest of the body (at most {@link #MAX_DRAIN_BYTES}); returns how many bytes that was. */
    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        try {
            while (total < MAX_DRAIN_BYTES && (n = in.read(buffer)) > 0) {
                total += n;
            }
        } catch (EOFException e) {
            // the client sent less than it declared; the answer is the 413 all the same
        }
        return total;
    }
}
