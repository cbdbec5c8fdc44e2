package dev.bobbin.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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

    @Test
    void microsecondsAreWhatWarehousesStore() {
        assertThat(Timestamps.toMicros(Instant.parse("2020-01-13T21:25:03.123456789Z"))).isEqualTo(1_578_950_703_123_456L);
        assertThat(Timestamps.toMicros(Instant.EPOCH)).isZero();
    }
}
