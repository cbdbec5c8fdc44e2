package dev.bobbin.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The date-time strings clients send, read as instants (import-api.md §6.3, DECISIONS L3). */
final class TimestampsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            2020-01-13T21:25:03Z             | 2020-01-13T21:25:03Z
            2020-01-13T21:25:03+00:00        | 2020-01-13T21:25:03Z
            2020-01-13T21:25:03+0000         | 2020-01-13T21:25:03Z
            2020-01-13T21:25:03+00           | 2020-01-13T21:25:03Z
            2020-01-13T21:25:03+05:30        | 2020-01-13T15:55:03Z
            2020-01-13T21:25:03-0800         | 2020-01-14T05:25:03Z
            2020-01-13T21:25:03              | 2020-01-13T21:25:03Z
            2020-01-13 21:25:03              | 2020-01-13T21:25:03Z
            2020-01-13T21:25Z                | 2020-01-13T21:25:00Z
            2020-01-13                       | 2020-01-13T00:00:00Z
            2020-01-13T21:25:03.5Z           | 2020-01-13T21:25:03.500Z
            2020-01-13T21:25:03.123456+00:00 | 2020-01-13T21:25:03.123456Z
            2020-01-13T21:25:03.123456789Z   | 2020-01-13T21:25:03.123456789Z
            2020-01-13t21:25:03z             | 2020-01-13T21:25:03Z
            """)
    void readsTheFormsClientsSend(String text, String instant) {
        assertThat(Timestamps.parse(text)).hasValue(Instant.parse(instant));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "garbage", "2020-13-01", "2020-01-32", "2020-01-13T25:00:00Z", "2020-01-13T21:25:03+99:00",
            "20200113", "1578950703", "2020-01-13T21:25:03 UTC", "2020-01-13T21:25:03Zjunk", "not-a-date"})
    void refusesWhatIsNotADateTime(String text) {
        assertThat(Timestamps.parse(text)).isEmpty();
    }

    /** {@link Timestamps#parse} reads the common form itself; on any text it must agree with the general parser. */
    @Test
    void theQuickReadingAgreesWithTheGeneralParser() {
        SplittableRandom random = new SplittableRandom(20_240_501L);
        String[] separators = {"T", "T", "t", " ", "x", "TT", ""};
        String[] offsets = {"", "Z", "Z", "z", "+00:00", "-00:00", "+05:30", "-08:00", "+18:00", "-18:00", "+18:01", "+19:00",
                "+05:60", "+0530", "+05", "Zx", "+5:30", "-23:59", " Z"};
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            text.append(digits(random.nextInt(4) == 0 ? random.nextInt(10_000) : 1900 + random.nextInt(200), 4)).append('-');
            text.append(digits(random.nextInt(14), 2)).append('-').append(digits(random.nextInt(33), 2));
            text.append(separators[random.nextInt(separators.length)]);
            text.append(digits(random.nextInt(26), 2)).append(':').append(digits(random.nextInt(61), 2)).append(':');
            text.append(digits(random.nextInt(61), 2));
            int fraction = random.nextInt(13);
            if (fraction > 0) {
                text.append('.');
                for (int d = 1; d < fraction; d++) {
                    text.append((char) ('0' + random.nextInt(10)));
                }
            }
            text.append(offsets[random.nextInt(offsets.length)]);
            String s = text.toString();
            Optional<Instant> expected = s.length() < 10 || s.length() > 40 ? Optional.empty() : Timestamps.parseGeneral(s);
            assertThat(Timestamps.parse(s)).as(s).isEqualTo(expected);
        }
    }

    private static String digits(int value, int width) {
        StringBuilder s = new StringBuilder(Integer.toString(value));
        while (s.length() < width) {
            s.insert(0, '0');
        }
        return s.toString();
    }

    @Test
    void microsecondsAreWhatWarehousesStore() {
        assertThat(Timestamps.toMicros(Instant.parse("2020-01-13T21:25:03.123456789Z"))).isEqualTo(1_578_950_703_123_456L);
        assertThat(Timestamps.toMicros(Instant.EPOCH)).isZero();
    }
}
