package dev.bobbin.destination.postgres;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * The one home of the {@code COPY … FROM STDIN (FORMAT binary)} encoding of
 * {@link dev.bobbin.destination.TableRows} values: a header, then per row a 16-bit field count and
 * per field a 32-bit length ({@code -1} for null) and the value in the receive format of the
 * column's type, then a trailer. Values are written into a growable byte buffer reused for every
 * chunk ({@link #clear}). Binary, so PostgreSQL parses no text (timestamps and doubles above all
 * are much cheaper to receive) and every value arrives bit for bit:
 *
 * <ul>
 *   <li>BIGINT ({@code int8}): 8 bytes; DOUBLE ({@code float8}): the 8 bytes of its IEEE 754 bits
 *       ({@code -0.0}, {@code NaN} and the infinities included); BOOLEAN: 1 byte.</li>
 *   <li>TIMESTAMPTZ: the {@link Long} microseconds since the epoch as microseconds since
 *       2000-01-01 00:00:00 UTC, 8 bytes; PostgreSQL refuses values out of its range.</li>
 *   <li>DECIMAL ({@code numeric}): digit count, weight, sign and display scale, then base-10000
 *       digits, so {@code 1.10} keeps its scale 2 as {@link BigDecimal#toPlainString} shows it; a
 *       negative scale is written as scale 0 ({@code 1E+3} is {@code 1000}).</li>
 *   <li>TEXT: its UTF-8 bytes, nothing escaped; an unpaired surrogate becomes {@code ?} (as
 *       {@link String#getBytes} encodes it); U+0000 is refused because a PostgreSQL text value
 *       cannot hold it.</li>
 * </ul>
 *
 * <p>The columns must have exactly the types {@link PostgresTypes#sql} names (or {@code numeric(p,s)}
 * for DECIMAL), which {@link PostgresTypes#fromSql} guarantees for every table Bobbin writes to.
 * Not thread-safe: one encoder per COPY.
 */
final class CopyBinary {
    /** {@code PGCOPY\n\377\r\n\0}, then 32-bit flags 0 and a 32-bit header extension length 0. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);
    private static final int NUMERIC_POSITIVE = 0x0000;
    private static final int NUMERIC_NEGATIVE = 0x4000;

    private byte[] bytes;
    private int size;

    CopyBinary(int initialCapacity) {
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

    /** The bytes that start the stream, before the first row. */
    void appendHeader() {
        ensure(HEADER.length);
        System.arraycopy(HEADER, 0, bytes, size, HEADER.length);
        size += HEADER.length;
    }

    /** The bytes that end the stream, after the last row. */
    void appendTrailer() {
        ensure(2);
        putShort(-1);
    }

    /** The types of {@code columns}, in order, as {@link #appendRow} takes them. */
    static ColumnType[] typesOf(List<Column> columns) {
        ColumnType[] types = new ColumnType[columns.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = columns.get(i).type();
        }
        return types;
    }

    /** Appends one row: the values of {@code row} for {@code columns} (whose types are {@code types}). */
    void appendRow(List<Column> columns, ColumnType[] types, Object[] row) {
        if (row.length != types.length) {
            throw new IllegalArgumentException("a row has " + row.length + " values for " + types.length + " columns");
        }
        ensure(2);
        putShort(row.length);
        for (int i = 0; i < row.length; i++) {
            try {
                appendValue(types[i], row[i]);
            } catch (ClassCastException e) {
                Column column = columns.get(i);
                throw new IllegalArgumentException("column " + column.name() + " is " + column.type()
                        + " but the value is a " + row[i].getClass().getSimpleName(), e);
            }
        }
    }

    void appendValue(ColumnType type, Object value) {
        if (value == null) {
            ensure(4);
            putInt(-1);
            return;
        }
        switch (type) {
            case BIGINT -> appendLong((Long) value);
            case DOUBLE -> appendLong(Double.doubleToRawLongBits((Double) value));
            case TIMESTAMPTZ -> appendLong((Long) value - POSTGRES_EPOCH_MICROS);
            case BOOLEAN -> {
                ensure(5);
                putInt(1);
                bytes[size++] = (byte) ((Boolean) value ? 1 : 0);
            }
            case DECIMAL -> appendNumeric((BigDecimal) value);
            case TEXT -> appendText((String) value);
        }
    }

    private void appendLong(long value) {
        ensure(12);
        putInt(8);
        putInt((int) (value >>> 32));
        putInt((int) value);
    }

    /**
     * {@code numeric}'s receive format: the absolute value's decimal digits grouped in fours around
     * the point, leading and trailing zero groups left out; weight = the power of 10000 of the first
     * group; display scale = the value's scale (0 when negative).
     */
    private void appendNumeric(BigDecimal value) {
        int scale = Math.max(value.scale(), 0);
        BigInteger unscaled = value.setScale(scale).unscaledValue(); // exact: the scale only grows
        int sign = unscaled.signum() < 0 ? NUMERIC_NEGATIVE : NUMERIC_POSITIVE;
        // Pad the fraction to whole groups of four digits, so that the unscaled value splits into groups exactly.
        int fractionGroups = (scale + 3) / 4;
        BigInteger rest = unscaled.abs().multiply(BigInteger.TEN.pow(fractionGroups * 4 - scale));
        int[] groups = new int[16];
        int count = 0; // groups[0] is the last (least significant) group
        while (rest.signum() > 0) {
            BigInteger[] qr = rest.divideAndRemainder(TEN_THOUSAND);
            if (count == groups.length) {
                groups = Arrays.copyOf(groups, count * 2);
            }
            groups[count++] = qr[1].intValue();
            rest = qr[0];
        }
        int weight = count - fractionGroups - 1;
        int low = 0;
        while (low < count && groups[low] == 0) {
            low++; // trailing zero groups carry no digit
        }
        int digits = count - low;
        if (digits == 0) {
            weight = 0;
        }
        ensure(4 + 8 + 2 * digits);
        putInt(8 + 2 * digits);
        putShort(digits);
        putShort(weight);
        putShort(sign);
        putShort(scale);
        for (int i = count - 1; i >= low; i--) {
            putShort(groups[i]);
        }
    }

    private void appendText(String text) {
        int n = text.length();
        ensure(Math.addExact(4, Math.multiplyExact(3, n))); // at most 3 bytes per char: a surrogate pair is 4 for 2 chars
        int lengthAt = size;
        byte[] out = bytes;
        int at = size + 4;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException("PostgreSQL text cannot hold the character U+0000");
                }
                out[at++] = (byte) c;
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
        size = lengthAt;
        putInt(at - lengthAt - 4);
        size = at;
    }

    private void putShort(int value) {
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    private void putInt(int value) {
        bytes[size++] = (byte) (value >>> 24);
        bytes[size++] = (byte) (value >>> 16);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    private void ensure(int more) {
        if (bytes.length - size < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
