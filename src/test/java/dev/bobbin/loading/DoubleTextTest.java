package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bobbin.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DoubleText} gives, bit for bit, the double the {@code BigDecimal} of a number's digits gives,
 * whether it takes its fast path or not, reading JSON text or a JSON tree (whose decimals print as
 * {@code BigDecimal.toString()} does).
 */
class DoubleTextTest {

    private static double fromText(String number) throws IOException {
        try (JsonParser p = Json.MAPPER.createParser("[" + number + "]")) {
            p.nextToken();
            assertThat(p.nextToken()).as(number).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
            return DoubleText.of(p);
        }
    }

    private static double fromTree(String number) throws IOException {
        try (JsonParser p = LoadFixture.json("[" + number + "]").traverse()) {
            p.nextToken();
            assertThat(p.nextToken()).as(number).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
            return DoubleText.of(p);
        }
    }

    private static void assertAsBigDecimal(String number) throws IOException {
        long expected = Double.doubleToRawLongBits(new BigDecimal(number).doubleValue());
        assertThat(Double.doubleToRawLongBits(fromText(number))).as(number).isEqualTo(expected);
        assertThat(Double.doubleToRawLongBits(fromTree(number))).as("tree of " + number).isEqualTo(expected);
    }

    @Test
    void numbersAtTheEdgesOfTheFastPath() throws IOException {
        for (String number : List.of("0.1", "0.30000000000000004", "2.5", "-2.5E+10", "1E+2", "1e22", "1e23", "1e-22", "1e-23", "1.5e-22",
                "999999999999999e22", "999999999999999e-22", "999999999999999.0", "123456789012345.6", "9007199254740993.0",
                "0.000000000000000000001", "0.0000000000000000000001", "100000000000000000000000.0", "12345.678", "-0.000001",
                "1.7976931348623157e308", "4.9e-324", "1e400", "-1e-400", "1E-9999", "0.0", "-0.0", "0e10", "-0.000", "5e-0000",
                "12345678901234567890.10")) {
            assertAsBigDecimal(number);
        }
        assertThat(Double.doubleToRawLongBits(fromText("-0.0"))).as("a BigDecimal has no −0").isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(Double.doubleToRawLongBits(fromText("-1e-400"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    private static double exact(String number) {
        return DoubleText.exact(number.toCharArray(), 0, number.length());
    }

    @Test
    void theFastPathTakesShortNumbersWithSmallExponentsOnly() {
        assertThat(exact("12345.678")).isEqualTo(12345.678);
        assertThat(exact("-2.5E+10")).isEqualTo(-2.5e10);
        assertThat(exact("999999999999999e-22")).isEqualTo(999999999999999e-22);
        assertThat(exact("1234567890123456")).as("16 significant digits").isNaN();
        assertThat(exact("1e23")).isNaN();
        assertThat(exact("1e-23")).isNaN();
        assertThat(exact("-0.0")).as("a zero").isNaN();
        assertThat(exact("1e99999")).isNaN();
    }

    @Test
    void randomNumbersShortAndLong() throws IOException {
        SplittableRandom random = new SplittableRandom(20_261_126L);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "");
            int integerDigits = random.nextInt(1, i % 2 == 0 ? 10 : 20);
            for (int d = 0; d < integerDigits; d++) {
                number.append((char) ('0' + (d == 0 && integerDigits > 1 ? random.nextInt(1, 10) : random.nextInt(10)))); // JSON: no leading zeros
            }
            number.append('.');
            int fractionDigits = random.nextInt(1, i % 2 == 0 ? 8 : 20);
            for (int d = 0; d < fractionDigits; d++) {
                number.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(3) == 0) {
                number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(-40, 40));
            }
            assertAsBigDecimal(number.toString());
        }
    }
}
