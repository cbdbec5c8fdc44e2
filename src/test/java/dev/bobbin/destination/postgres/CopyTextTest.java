package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    private static String value(ColumnType type, Object value) {
        CopyText out = new CopyText(0);
        out.appendValue(type, value);
        return out.toString();
    }

    private static long micros(String instant) {
        Instant t = Instant.parse(instant);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    @Test
    void nullIsBackslashN() {
        for (ColumnType type : ColumnType.values()) {
            assertThat(value(type, null)).isEqualTo("\\N");
        }
    }

    @Test
    void numbersAndBooleans() {
        assertThat(value(ColumnType.BIGINT, Long.MAX_VALUE)).isEqualTo("9223372036854775807");
        assertThat(value(ColumnType.BIGINT, Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
        assertThat(value(ColumnType.DOUBLE, 1.5)).isEqualTo("1.5");
        assertThat(value(ColumnType.DOUBLE, 1e300)).isEqualTo("1.0E300");
        assertThat(value(ColumnType.DECIMAL, new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(value(ColumnType.DECIMAL, new BigDecimal("-0.000000000000000000000000000001")))
                .isEqualTo("-0.000000000000000000000000000001");
        assertThat(value(ColumnType.BOOLEAN, true)).isEqualTo("t");
        assertThat(value(ColumnType.BOOLEAN, false)).isEqualTo("f");
    }

    @Test
    void timestampsAreUtcWithSixFractionalDigits() {
        assertThat(value(ColumnType.TIMESTAMPTZ, 0L)).isEqualTo("1970-01-01 00:00:00.000000+00");
        assertThat(value(ColumnType.TIMESTAMPTZ, micros("2024-02-29T23:59:59.123456Z"))).isEqualTo("2024-02-29 23:59:59.123456+00");
        assertThat(value(ColumnType.TIMESTAMPTZ, -1L)).isEqualTo("1969-12-31 23:59:59.999999+00");
        assertThat(value(ColumnType.TIMESTAMPTZ, micros("0001-01-01T00:00:00Z"))).isEqualTo("0001-01-01 00:00:00.000000+00");
        assertThat(value(ColumnType.TIMESTAMPTZ, micros("0000-12-31T00:00:00Z"))).isEqualTo("0001-12-31 00:00:00.000000+00 BC");
        assertThat(value(ColumnType.TIMESTAMPTZ, micros("+10000-01-01T00:00:00.000001Z"))).isEqualTo("10000-01-01 00:00:00.000001+00");
    }

    @Test
    void textEscapesOnlyWhatCopyInterprets() {
        assertThat(value(ColumnType.TEXT, "a\tb\nc\rd\\e")).isEqualTo("a\\tb\\nc\\rd\\\\e");
        assertThat(value(ColumnType.TEXT, "\\N")).isEqualTo("\\\\N");
        assertThat(value(ColumnType.TEXT, "")).isEqualTo("");
        assertThat(value(ColumnType.TEXT, "żółw 🐢 \"q\" 'a' ,;")).isEqualTo("żółw 🐢 \"q\" 'a' ,;");
    }

    @Test
    void textIsWrittenAsUtf8BytesWithUnpairedSurrogatesAsQuestionMarks() {
        CopyText out = new CopyText(0);
        out.appendValue(ColumnType.TEXT, "a\u00e9\u20ac\uD83D\uDC22|\uD83D|\uDC22|\uD83Dx");
        byte[] expected = "a\u00e9\u20ac\uD83D\uDC22|?|?|?x".getBytes(StandardCharsets.UTF_8);
        assertThat(Arrays.copyOf(out.bytes(), out.size())).isEqualTo(expected);
        assertThat(expected).hasSize(1 + 2 + 3 + 4 + 7);
    }

    @Test
    void bufferGrowsPastItsInitialCapacityAndClearKeepsNothing() {
        CopyText out = new CopyText(0);
        String long1 = "\u017c\t".repeat(10_000);
        out.appendValue(ColumnType.TEXT, long1);
        assertThat(out.toString()).isEqualTo("\u017c\\t".repeat(10_000));
        out.clear();
        out.appendValue(ColumnType.BIGINT, 5L);
        assertThat(out.toString()).isEqualTo("5");
    }

    @Test
    void timestampsOfDaysInTurn() {
        CopyText out = new CopyText(0);
        long day = 86_400_000_000L;
        out.appendValue(ColumnType.TIMESTAMPTZ, 0L);
        out.appendValue(ColumnType.TIMESTAMPTZ, day + 1);
        out.appendValue(ColumnType.TIMESTAMPTZ, 2L);
        out.appendValue(ColumnType.TIMESTAMPTZ, micros("0000-12-31T00:00:00Z"));
        out.appendValue(ColumnType.TIMESTAMPTZ, 3L);
        assertThat(out.toString()).isEqualTo("1970-01-01 00:00:00.000000+00" + "1970-01-02 00:00:00.000001+00"
                + "1970-01-01 00:00:00.000002+00" + "0001-12-31 00:00:00.000000+00 BC" + "1970-01-01 00:00:00.000003+00");
    }

    @Test
    void bigintsOfEveryLength() {
        long v = 1;
        for (int digits = 1; digits <= 19; digits++, v *= 10) {
            assertThat(value(ColumnType.BIGINT, v)).isEqualTo(Long.toString(v));
            assertThat(value(ColumnType.BIGINT, v - 1)).isEqualTo(Long.toString(v - 1));
            assertThat(value(ColumnType.BIGINT, -v)).isEqualTo(Long.toString(-v));
        }
        assertThat(value(ColumnType.BIGINT, 0L)).isEqualTo("0");
    }

    @Test
    void doublesUseTheDigitsOfDoubleToString() {
        for (double d : new double[] {0.0, -0.0, 0.1, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 123456.789}) {
            assertThat(value(ColumnType.DOUBLE, d)).isEqualTo(Double.toString(d));
        }
    }

    @Test
    void textWithNulIsRefused() {
        assertThatThrownBy(() -> value(ColumnType.TEXT, "a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
    }

    @Test
    void rowIsTabSeparatedAndEndsInNewline() {
        List<Column> columns = List.of(new Column("id", ColumnType.BIGINT), new Column("name", ColumnType.TEXT), new Column("ok", ColumnType.BOOLEAN));
        CopyText out = new CopyText(0);
        out.appendRow(columns, CopyText.typesOf(columns), new Object[] {7L, "x\ty", null});
        out.appendRow(columns, CopyText.typesOf(columns), new Object[] {8L, null, true});
        assertThat(out.toString()).isEqualTo("7\tx\\ty\t\\N\n8\t\\N\tt\n");
    }

    @Test
    void valueOfTheWrongClassNamesTheColumn() {
        List<Column> columns = List.of(new Column("age", ColumnType.BIGINT));
        assertThatThrownBy(() -> new CopyText(0).appendRow(columns, CopyText.typesOf(columns), new Object[] {"7"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("age")
                .hasMessageContaining("String");
    }
}
