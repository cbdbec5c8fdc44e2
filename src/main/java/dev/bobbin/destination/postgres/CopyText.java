package dev.bobbin.destination.postgres;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * The one home of the {@code COPY … FROM STDIN} text format (tab-delimited, {@code \N} for null,
 * backslash escapes): how each {@link dev.bobbin.destination.TableRows} value is written so that
 * PostgreSQL reads back exactly the value given. Rows are encoded straight into UTF-8 bytes in a
 * growable buffer that is reused for every chunk ({@link #clear}), without a String per value.
 *
 * <ul>
 *   <li>BIGINT: decimal digits; DOUBLE: the digits of {@link Double#toString} (PostgreSQL reads its
 *       exponent form and {@code NaN}, {@code Infinity}, {@code -Infinity}); DECIMAL:
 *       {@link BigDecimal#toPlainString}; BOOLEAN: {@code t} or {@code f}.</li>
 *   <li>TIMESTAMPTZ: the {@link Long} microseconds since the epoch as
 *       {@code yyyy-MM-dd HH:mm:ss.ffffff+00}, years before 1 written with {@code BC}.</li>
 *   <li>TEXT: backslash, tab, newline and carriage return escaped, everything else as its UTF-8
 *       bytes; an unpaired surrogate becomes {@code ?} (as {@link String#getBytes} encodes it);
 *       U+0000 is refused because a PostgreSQL text value cannot hold it.</li>
 * </ul>
 *
 * <p>Not thread-safe: one encoder per COPY.
 */
final class CopyText {
    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] TIME_ZONE = {'+', '0', '0'};
    private static final byte[] BEFORE_CHRIST = {' ', 'B', 'C'};
    /** "00", "01", … "99": two digits written per division. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private byte[] bytes;
    private int size;
    /** Scratch for the digits of doubles, which the JDK writes into a builder without a String. */
    private final StringBuilder digits = new StringBuilder(32);

    CopyText(int initialCapacity) {
        bytes = new byte[Math.max(initialCapacity, 64)];
    }

    /** The encoded bytes are {@code bytes()[0, size())}. */
    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Forgets the encoded bytes (after they were sent); the buffer is kept for the next rows. */
    void clear() {
        size = 0;
    }

    /** The encoded text, decoded again: for tests and messages. */
    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    /** The types of {@code columns}, in order, as {@link #appendRow} takes them. */
    static ColumnType[] typesOf(List<Column> columns) {
        ColumnType[] types = new ColumnType[columns.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = columns.get(i).type();
        }
        return types;
    }

    /**
     * Appends one row: the values of {@code row} for {@code columns} (whose types are {@code types}),
     * tab-separated, ending in a newline.
     */
    void appendRow(List<Column> columns, ColumnType[] types, Object[] row) {
        if (row.length != types.length) {
            throw new IllegalArgumentException("a row has " + row.length + " values for " + types.length + " columns");
        }
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                appendByte('\t');
            }
            try {
                appendValue(types[i], row[i]);
            } catch (ClassCastException e) {
                Column column = columns.get(i);
                throw new IllegalArgumentException("column " + column.name() + " is " + column.type()
                        + " but the value is a " + row[i].getClass().getSimpleName(), e);
            }
        }
        appendByte('\n');
    }

    void appendValue(ColumnType type, Object value) {
        if (value == null) {
            appendBytes(NULL);
            return;
        }
        switch (type) {
            case BIGINT -> appendLong((Long) value);
            case DOUBLE -> {
                digits.setLength(0);
                appendAscii(digits.append((double) (Double) value));
            }
            case DECIMAL -> appendAscii(((BigDecimal) value).toPlainString());
            case BOOLEAN -> appendByte((Boolean) value ? 't' : 'f');
            case TIMESTAMPTZ -> appendTimestamp((Long) value);
            case TEXT -> appendText((String) value);
        }
    }

    /** Epoch microseconds as an ISO-8601 UTC timestamp with all six fractional digits. */
    private void appendTimestamp(long epochMicros) {
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        int micros = (int) Math.floorMod(epochMicros, 1_000_000L);
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        int year = date.getYear();
        boolean bc = year <= 0;
        int shownYear = bc ? 1 - year : year;
        if (shownYear < 10_000) {
            ensure(4);
            fixedDigits(shownYear, 4);
        } else {
            appendLong(shownYear);
        }
        ensure(1 + 2 + 1 + 2 + 1 + 8 + 1 + 6 + TIME_ZONE.length + BEFORE_CHRIST.length);
        bytes[size++] = '-';
        fixedDigits(date.getMonthValue(), 2);
        bytes[size++] = '-';
        fixedDigits(date.getDayOfMonth(), 2);
        bytes[size++] = ' ';
        fixedDigits(secondOfDay / 3600, 2);
        bytes[size++] = ':';
        fixedDigits(secondOfDay / 60 % 60, 2);
        bytes[size++] = ':';
        fixedDigits(secondOfDay % 60, 2);
        bytes[size++] = '.';
        fixedDigits(micros, 6);
        appendBytes(TIME_ZONE);
        if (bc) {
            appendBytes(BEFORE_CHRIST);
        }
    }

    /** {@code value} (0 ≤ value < 10^width) in exactly {@code width} digits, zero-padded; the caller ensured room. */
    private void fixedDigits(long value, int width) {
        int i = size + width;
        for (; i - size >= 2; i -= 2) {
            int pair = (int) (value % 100) * 2;
            bytes[i - 2] = DIGIT_PAIRS[pair];
            bytes[i - 1] = DIGIT_PAIRS[pair + 1];
            value /= 100;
        }
        if (i > size) {
            bytes[size] = (byte) ('0' + value % 10);
        }
        size += width;
    }

    private void appendLong(long value) {
        ensure(20);
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                appendAscii("-9223372036854775808");
                return;
            }
            bytes[size++] = '-';
            value = -value;
        }
        int length = 1;
        for (long limit = 10; length < 19 && value >= limit; limit *= 10) {
            length++;
        }
        fixedDigits(value, length);
    }

    private void appendText(String text) {
        int n = text.length();
        ensure(Math.multiplyExact(3, n)); // at most 3 bytes per char: an escape is 2, a BMP character 3, a surrogate pair 4 for 2 chars
        byte[] out = bytes;
        int at = size;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '\\') {
                    out[at++] = (byte) c;
                    continue;
                }
                switch (c) {
                    case '\\' -> {
                        out[at++] = '\\';
                        out[at++] = '\\';
                    }
                    case '\t' -> {
                        out[at++] = '\\';
                        out[at++] = 't';
                    }
                    case '\n' -> {
                        out[at++] = '\\';
                        out[at++] = 'n';
                    }
                    case '\r' -> {
                        out[at++] = '\\';
                        out[at++] = 'r';
                    }
                    case '\0' -> throw new IllegalArgumentException("PostgreSQL text cannot hold the character U+0000");
                    default -> out[at++] = (byte) c; // other control characters are data to COPY
                }
            } else if (c < 0x800) {
                out[at++] = (byte) (0xc0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isSurrogate(c)) {
                char low;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(low = text.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, low);
                    out[at++] = (byte) (0xf0 | cp >> 18);
                    out[at++] = (byte) (0x80 | cp >> 12 & 0x3f);
                    out[at++] = (byte) (0x80 | cp >> 6 & 0x3f);
                    out[at++] = (byte) (0x80 | cp & 0x3f);
                    i++;
                } else {
                    out[at++] = '?';
                }
            } else {
                out[at++] = (byte) (0xe0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3f);
                out[at++] = (byte) (0x80 | c & 0x3f);
            }
        }
        size = at;
    }

    /** {@code text}, which holds only ASCII characters that need no escape (digits, signs, letters). */
    private void appendAscii(CharSequence text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
    }

    private void appendByte(char c) {
        ensure(1);
        bytes[size++] = (byte) c;
    }

    private void appendBytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
    }

    private void ensure(int more) {
        if (bytes.length - size < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
