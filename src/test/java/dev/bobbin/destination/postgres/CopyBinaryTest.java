package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.destination.Column;
import dev.bobbin.destination.ColumnType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytes {@link CopyBinary} writes, field by field ({@link CopyRoundTripTest} reads them back through PostgreSQL). */
class CopyBinaryTest {

    private static byte[] value(ColumnType type, Object value) {
        CopyBinary out = new CopyBinary(0);
        out.appendValue(type, value);
        return Arrays.copyOf(out.bytes(), out.size());
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A numeric field: its length, then digit count, weight, sign and display scale, then the base-10000 digits. */
    private static String numeric(int weight, int sign, int scale, int... digits) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 2 * digits.length);
        b.putInt(8 + 2 * digits.length).putShort((short) digits.length).putShort((short) weight).putShort((short) sign).putShort((short) scale);
        for (int d : digits) {
            b.putShort((short) d);
        }
        return hex(b.array());
    }

    @Test
    void streamStartsWithTheSignatureAndEndsWithMinusOne() {
        CopyBinary out = new CopyBinary(0);
        out.appendHeader();
        out.appendTrailer();
        assertThat(hex(Arrays.copyOf(out.bytes(), out.size()))).isEqualTo("5047434f50590aff0d0a00" + "00000000" + "00000000" + "ffff");
    }

    @Test
    void nullIsLengthMinusOneForEveryType() {
        for (ColumnType type : ColumnType.values()) {
            assertThat(hex(value(type, null))).isEqualTo("ffffffff");
        }
    }

    @Test
    void fixedWidthValues() {
        assertThat(hex(value(ColumnType.BIGINT, -2L))).isEqualTo("00000008" + "fffffffffffffffe");
        assertThat(hex(value(ColumnType.BIGINT, Long.MAX_VALUE))).isEqualTo("00000008" + "7fffffffffffffff");
        assertThat(hex(value(ColumnType.DOUBLE, -0.0))).isEqualTo("00000008" + "8000000000000000");
        assertThat(hex(value(ColumnType.DOUBLE, 1.5))).isEqualTo("00000008" + "3ff8000000000000");
        assertThat(hex(value(ColumnType.BOOLEAN, true))).isEqualTo("00000001" + "01");
        assertThat(hex(value(ColumnType.BOOLEAN, false))).isEqualTo("00000001" + "00");
    }

    @Test
    void timestampsCountMicrosecondsFrom2000() {
        assertThat(hex(value(ColumnType.TIMESTAMPTZ, 946_684_800_000_000L))).isEqualTo("00000008" + "0000000000000000");
        assertThat(hex(value(ColumnType.TIMESTAMPTZ, 946_684_800_000_001L))).isEqualTo("00000008" + "0000000000000001");
        assertThat(hex(value(ColumnType.TIMESTAMPTZ, 0L))).isEqualTo("00000008" + hex(ByteBuffer.allocate(8).putLong(-946_684_800_000_000L).array()));
    }

    @Test
    void numericsAreBase10000DigitsAroundThePointWithTheirScale() {
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("0")))).isEqualTo(numeric(0, 0, 0));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("0.00")))).isEqualTo(numeric(0, 0, 2));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("1.10")))).isEqualTo(numeric(0, 0, 2, 1, 1000));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("-5")))).isEqualTo(numeric(0, 0x4000, 0, 5));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("1E+3")))).isEqualTo(numeric(0, 0, 0, 1000));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("1E+8")))).isEqualTo(numeric(2, 0, 0, 1));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("12345.6789")))).isEqualTo(numeric(1, 0, 4, 1, 2345, 6789));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("100000000.00000001")))).isEqualTo(numeric(2, 0, 8, 1, 0, 0, 0, 1));
        assertThat(hex(value(ColumnType.DECIMAL, new BigDecimal("-0.000000000000000000000000000001")))).isEqualTo(numeric(-8, 0x4000, 30, 100));
    }

    @Test
    void textIsItsUtf8BytesUnescapedWithUnpairedSurrogatesAsQuestionMarks() {
        String text = "a\tb\\N\n\u00e9\u20ac\uD83D\uDC22|\uD83D|\uDC22";
        byte[] utf8 = "a\tb\\N\n\u00e9\u20ac\uD83D\uDC22|?|?".getBytes(StandardCharsets.UTF_8);
        assertThat(hex(value(ColumnType.TEXT, text))).isEqualTo(hex(ByteBuffer.allocate(4).putInt(utf8.length).array()) + hex(utf8));
        assertThat(hex(value(ColumnType.TEXT, ""))).isEqualTo("00000000");
    }

    @Test
    void longTextGrowsTheBuffer() {
        String text = "\u017c".repeat(100_000);
        byte[] encoded = value(ColumnType.TEXT, text);
        assertThat(encoded).hasSize(4 + 200_000);
        assertThat(new String(encoded, 4, 200_000, StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void textWithNulIsRefused() {
        assertThatThrownBy(() -> value(ColumnType.TEXT, "a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
    }

    @Test
    void rowIsItsFieldCountThenItsFields() {
        List<Column> columns = List.of(new Column("id", ColumnType.BIGINT), new Column("name", ColumnType.TEXT), new Column("ok", ColumnType.BOOLEAN));
        CopyBinary out = new CopyBinary(0);
        out.appendRow(columns, CopyBinary.typesOf(columns), new Object[] {7L, "x", null});
        assertThat(hex(Arrays.copyOf(out.bytes(), out.size()))).isEqualTo("0003" + "00000008" + "0000000000000007" + "00000001" + "78" + "ffffffff");
        out.clear();
        assertThat(out.size()).isZero();
    }

    @Test
    void valueOfTheWrongClassNamesTheColumn() {
        List<Column> columns = List.of(new Column("age", ColumnType.BIGINT));
        assertThatThrownBy(() -> new CopyBinary(0).appendRow(columns, CopyBinary.typesOf(columns), new Object[] {"7"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("age")
                .hasMessageContaining("String");
    }

    @Test
    void rowOfTheWrongWidthIsRefused() {
        List<Column> columns = List.of(new Column("age", ColumnType.BIGINT));
        assertThatThrownBy(() -> new CopyBinary(0).appendRow(columns, CopyBinary.typesOf(columns), new Object[] {1L, 2L}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 values for 1 columns");
    }
}
