package dev.bobbin.json;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Reads the date-time strings clients send, as Stitch accepts them: ISO-8601 with {@code T} or a
 * space, optional fractional seconds, and an offset written {@code Z}, {@code +00:00}, {@code +0000}
 * or {@code +00}; without an offset the time is taken as UTC; a bare date is midnight UTC.
 */
public final class Timestamps {
    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    private Timestamps() {
    }

    public static Optional<Instant> parse(String text) {
        if (text.length() < 10 || text.length() > 40) {
            return Optional.empty();
        }
        Instant common = parseCommon(text);
        return common != null ? Optional.of(common) : parseGeneral(text);
    }

    /** Every form {@link #parse} accepts, through {@code java.time}'s parser (slow: a loader reads millions). */
    static Optional<Instant> parseGeneral(String text) {
        try {
            if (text.length() == 10) {
                return Optional.of(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            var parsed = DATE_TIME.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
            if (parsed instanceof OffsetDateTime odt) {
                return Optional.of(odt.toInstant());
            }
            return Optional.of(((LocalDateTime) parsed).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** PostgreSQL's earliest timestamp, 4714-11-24 00:00 BC (Julian day 0); DuckDB reaches further back. */
    public static final Instant MIN_STORABLE = Instant.ofEpochSecond(-210_866_803_200L);
    /**
     * The latest instant both warehouses hold: epoch microseconds one below {@link Long#MAX_VALUE},
     * which DuckDB reserves for infinity (PostgreSQL reaches 294276 AD).
     */
    public static final Instant MAX_STORABLE = Instant.ofEpochSecond(Math.floorDiv(Long.MAX_VALUE - 1, 1_000_000L),
            Math.floorMod(Long.MAX_VALUE - 1, 1_000_000L) * 1_000L);

    /** Whether {@code t}, at the microsecond precision warehouses store, is in the range both warehouses hold. */
    public static boolean storable(Instant t) {
        Instant micros = t.truncatedTo(ChronoUnit.MICROS);
        return !micros.isBefore(MIN_STORABLE) && !micros.isAfter(MAX_STORABLE);
    }

    /**
     * The form nearly every client sends, read without the general parser: {@code yyyy-MM-dd}, then
     * {@code T} (either case) or a space, {@code HH:mm:ss}, an optional fraction of 1 to 9 digits,
     * and {@code Z} (either case), an offset {@code ±HH:MM}, or nothing (UTC). Returns null for any
     * other text, and for any field out of range, so the general parser decides those; for the text
     * it accepts, the instant is the one the general parser gives.
     */
    private static Instant parseCommon(String s) {
        int n = s.length();
        if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        char separator = s.charAt(10);
        if (separator != 'T' && separator != 't' && separator != ' ') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            int count = i - start;
            if (count < 1 || count > 9) {
                return null;
            }
            nanos = digits(s, start, count);
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds = 0;
        if (i < n) {
            char c = s.charAt(i);
            if ((c == 'Z' || c == 'z') && i + 1 == n) {
                offsetSeconds = 0;
            } else if ((c == '+' || c == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
                int offsetHours = digits(s, i + 1, 2);
                int offsetMinutes = digits(s, i + 4, 2);
                if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 18 * 60) {
                    return null;
                }
                offsetSeconds = (c == '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
            } else {
                return null;
            }
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 if any of them is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Microseconds since the epoch, the precision warehouses store. */
    public static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
