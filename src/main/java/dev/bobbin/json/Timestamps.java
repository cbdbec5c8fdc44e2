package dev.bobbin.json;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
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

    /** Microseconds since the epoch, the precision warehouses store. */
    public static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
