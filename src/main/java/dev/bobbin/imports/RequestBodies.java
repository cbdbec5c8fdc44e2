package dev.bobbin.imports;

import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
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

    static byte[] read(InputStream in, long contentLength, String contentEncoding, ImportLimits limits) throws IOException {
        if (contentLength > limits.maxBodyBytes()) {
            // Read (and drop) what the client is sending before answering: closing the connection on
            // unread bytes resets it, and a client still writing its body would never see the 413.
            drain(in);
            throw ImportErrors.bodyTooLarge(contentLength);
        }
        byte[] wire = readAtMost(in, limits.maxBodyBytes());
        if (wire == null) {
            throw ImportErrors.bodyTooLarge(limits.maxBodyBytes() + 1 + drain(in));
        }
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
            return wire;
        }
        if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
            throw ApiError.json(415, ImportErrors.ordered("status", "ERROR",
                    "message", "Unsupported Content-Encoding " + contentEncoding + ". Please send gzip or no encoding"));
        }
        try (InputStream inflater = new GZIPInputStream(new java.io.ByteArrayInputStream(wire), 64 * 1024)) {
            byte[] inflated = readAtMost(inflater, limits.maxInflatedBytes());
            if (inflated == null) {
                throw ApiError.json(413, ImportErrors.ordered("status", "ERROR",
                        "message", "Request rejected: the gzip body inflates past the maximum of " + limits.maxInflatedBytes() + " bytes"));
            }
            return inflated;
        } catch (ZipException | java.io.EOFException e) {
            throw ApiError.json(400, Map.of("status", "ERROR", "message", "Malformed gzip body: " + e.getMessage()));
        }
    }

    /** The stream's bytes, or null when it holds more than {@code limit}. */
    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < MAX_DRAIN_BYTES && (n = in.read(buffer)) > 0) {
            total += n;
        }
        return total;
    }
}
