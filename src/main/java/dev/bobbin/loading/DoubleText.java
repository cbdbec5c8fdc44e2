package dev.bobbin.loading;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;

/**
 * The double a JSON decimal number rounds to: what the {@code BigDecimal} of its digits gives
 * ({@link dev.bobbin.json.Json#MAPPER} reads decimals as {@code BigDecimal}s), which is what DOUBLE
 * columns have always held, worked out without making a {@code BigDecimal} or a {@code String}.
 *
 * <p>A number of at most 15 significant digits is exact as a double, and so is every power of ten up
 * to 10^22; such a number times or divided by such a power is one correctly rounded operation, so it
 * gives the double nearest to the number, as {@code BigDecimal.doubleValue()} does (Clinger's fast
 * path). Every other number is read through Jackson ({@code Double.parseDouble}, also correctly
 * rounded), and a zero the {@code BigDecimal} way: a {@code BigDecimal} has no −0, so {@code -0.0}
 * gives 0.0, while a negative number too small for a double gives −0.0 either way.
 */
final class DoubleText {
    private static final int MAX_EXACT_DIGITS = 15;
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private DoubleText() {
    }

    /** The double nearest to the number the parser is on (VALUE_NUMBER_FLOAT). */
    static double of(JsonParser p) throws IOException {
        char[] text = p.getTextCharacters();
        int from = p.getTextOffset();
        double exact = exact(text, from, from + p.getTextLength());
        return Double.isNaN(exact) ? general(p) : exact;
    }

    /**
     * The double nearest to {@code text[from, to)} when the fast path gives it exactly; NaN when it does
     * not (too many digits, too large an exponent, a zero, or a form other than JSON's or
     * {@code BigDecimal.toString()}'s).
     */
    static double exact(char[] text, int from, int to) {
        int i = from;
        boolean negative = i < to && text[i] == '-';
        if (negative) {
            i++;
        }
        long significand = 0;
        int digits = 0;
        int scale = 0;
        boolean point = false;
        boolean any = false;
        for (; i < to; i++) {
            char c = text[i];
            if (c >= '0' && c <= '9') {
                any = true;
                if (significand != 0 || c != '0') {
                    if (++digits > MAX_EXACT_DIGITS) {
                        return Double.NaN;
                    }
                    significand = significand * 10 + (c - '0');
                }
                if (point) {
                    scale--;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (!any || significand == 0) {
            return Double.NaN;
        }
        if (i < to) {
            if (text[i] != 'e' && text[i] != 'E') {
                return Double.NaN;
            }
            i++;
            boolean negativeExponent = i < to && text[i] == '-';
            if (i < to && (text[i] == '-' || text[i] == '+')) {
                i++;
            }
            if (i == to || to - i > 4) {
                return Double.NaN;
            }
            int exponent = 0;
            for (; i < to; i++) {
                char c = text[i];
                if (c < '0' || c > '9') {
                    return Double.NaN;
                }
                exponent = exponent * 10 + (c - '0');
            }
            scale += negativeExponent ? -exponent : exponent;
        }
        double value;
        if (scale >= 0 && scale < POWERS_OF_TEN.length) {
            value = significand * POWERS_OF_TEN[scale];
        } else if (scale < 0 && -scale < POWERS_OF_TEN.length) {
            value = significand / POWERS_OF_TEN[-scale];
        } else {
            return Double.NaN;
        }
        return negative ? -value : value;
    }

    private static double general(JsonParser p) throws IOException {
        double d = p.getDoubleValue();
        return d == 0.0 ? p.getDecimalValue().doubleValue() : d;
    }
}
