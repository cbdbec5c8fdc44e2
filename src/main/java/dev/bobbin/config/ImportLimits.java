package dev.bobbin.config;

/**
 * Import API request limits (DECISIONS I4, I9).
 *
 * @param maxBodyBytes     largest request body accepted, counted before decompression
 * @param maxInflatedBytes largest body after gzip decompression
 * @param maxMessages      most messages (records) in one request
 * @param maxDataPoints    most leaf values in one record's {@code data}
 * @param maxKeyLength     longest string primary-key value, in characters
 */
public record ImportLimits(long maxBodyBytes, long maxInflatedBytes, int maxMessages, int maxDataPoints, int maxKeyLength) {

    public static final ImportLimits DEFAULTS = new ImportLimits(20L * 1024 * 1024, 200L * 1024 * 1024, 20_000, 10_000, 1024);

    public ImportLimits {
        if (maxBodyBytes <= 0 || maxInflatedBytes < maxBodyBytes || maxMessages <= 0 || maxDataPoints <= 0 || maxKeyLength <= 0) {
            throw new IllegalArgumentException("import limits must be positive and the inflated limit at least the body limit");
        }
    }
}
