package dev.bobbin.destination.postgres;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The one home of the {@code COPY … FROM STDIN} text format (tab-delimited, {@code \N} for null,
 * backslash escapes): how each {@link dev.bobbin.destination.TableRows} value is written so that
 * PostgreSQL reads back exactly the value given.
 *
 * <ul>
 *   <li>BIGINT: decimal digits; DOUBLE: {@link Double#toString} (PostgreSQL reads its exponent form
 *       and {@code NaN}, {@code Infinity}, {@code -Infinity}); DECIMAL: {@link BigDecimal#toPlainString};
 *       BOOLEAN: {@code t} or {@code f}.</li>
 *   <li>TIMESTAMPTZ: the {@link Long} microseconds since the epoch as
 *       {@code yyyy-MM-dd HH:mm:ss.ffffff+00}, years before 1 written with {@code BC}.</li>
 *   <li>TEXT: backslash, tab, newline and carriage return escaped; U+0000 is refused because a
 *       PostgreSQL text value cannot hold it.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class CopyText {
    private CopyText() {
    }

    /** Appends one row: the values of {@code row} for {@code columns}, tab-separated, ending in a newline. */
    static void appendRow(StringBuilder out, List<Column> columns, Object[] row) {
        if (row.length != columns.size()) {
            throw new IllegalArgumentException("a row has " + row.length + " values for " + columns.size() + " columns");
        }
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            Column column = columns.get(i);
            try {
                appendValue(out, column.type(), row[i]);
            } catch (ClassCastException e) {
                throw new IllegalArgumentException("column " + column.name() + " is " + column.type()
                        + " but the value is a " + row[i].getClass().getSimpleName(), e);
            }
        }
        out.append('\n');
    }

    static void appendValue(StringBuilder out, ColumnType type, Object value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        switch (type) {
            case BIGINT -> out.append((long) (Long) value);
            case DOUBLE -> out.append((double) (Double) value); // the digits of Double.toString, without the String
            case DECIMAL -> out.append(((BigDecimal) value).toPlainString());
            case BOOLEAN -> out.append((Boolean) value ? 't' : 'f');
            case TIMESTAMPTZ -> appendTimestamp(out, (Long) value);
            case TEXT -> appendText(out, (String) value);
        }
    }

    /** Epoch microseconds as an ISO-8601 UTC timestamp with all six fractional digits. */
    static void appendTimestamp(StringBuilder out, long epochMicros) {
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        int micros = (int) Math.floorMod(epochMicros, 1_000_000L);
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        int year = date.getYear();
        boolean bc = year <= 0;
        pad(out, bc ? 1 - year : year, 4).append('-');
        pad(out, date.getMonthValue(), 2).append('-');
        pad(out, date.getDayOfMonth(), 2).append(' ');
        pad(out, secondOfDay / 3600, 2).append(':');
        pad(out, secondOfDay / 60 % 60, 2).append(':');
        pad(out, secondOfDay % 60, 2).append('.');
        pad(out, micros, 6).append("+00");
        if (bc) {
            out.append(" BC");
        }
    }

    static void appendText(StringBuilder out, String text) {
        int n = text.length();
        int plain = 0;
        while (plain < n && !special(text.charAt(plain))) {
            plain++;
        }
        if (plain == n) {
            out.append(text); // most text needs no escape: copied in bulk
            return;
        }
        out.append(text, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> throw new IllegalArgumentException("PostgreSQL text cannot hold the character U+0000");
                default -> out.append(c);
            }
        }
    }

    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
    }

    /** {@code value} (not negative) in at least {@code width} digits, zero-padded, written without an intermediate string. */
    private static StringBuilder pad(StringBuilder out, long value, int width) {
        for (long limit = 10, digits = 1; digits < width; digits++, limit *= 10) {
            if (value < limit) {
                out.append('0');
            }
        }
        return out.append(value);
    }
}
