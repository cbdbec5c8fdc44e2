package dev.bobbin.destination.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PostgresNamesTest {

    @Test
    void quotesAndDoublesInnerQuotes() {
        assertThat(PostgresNames.quote("select")).isEqualTo("\"select\"");
        assertThat(PostgresNames.quote("a\"b; drop")).isEqualTo("\"a\"\"b; drop\"");
    }

    @Test
    void refusesNamesPostgresWouldTruncate() {
        assertThat(PostgresNames.quote("x".repeat(63))).hasSize(65);
        assertThatThrownBy(() -> PostgresNames.quote("x".repeat(64))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("63 bytes");
        assertThatThrownBy(() -> PostgresNames.quote("ż".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresNames.quote("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void primaryKeyIsTableUnderscorePkey() {
        assertThat(PostgresNames.primaryKeyName("orders")).isEqualTo("orders_pkey");
        assertThat(PostgresNames.primaryKeyName("x".repeat(58))).isEqualTo("x".repeat(58) + "_pkey");
    }

    @Test
    void longPrimaryKeyNamesAreCutSafelyAndStayDistinct() {
        String a = "x".repeat(62) + "a";
        String b = "x".repeat(62) + "b";
        assertThat(bytes(PostgresNames.primaryKeyName(a))).isEqualTo(63);
        assertThat(PostgresNames.primaryKeyName(a)).startsWith("x".repeat(49)).endsWith("_pkey").isNotEqualTo(PostgresNames.primaryKeyName(b));
        String wide = "ż".repeat(31); // 62 bytes
        String name = PostgresNames.primaryKeyName(wide);
        assertThat(bytes(name)).isLessThanOrEqualTo(63);
        assertThat(name).startsWith("ż".repeat(24)).doesNotContain("\uFFFD");
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
