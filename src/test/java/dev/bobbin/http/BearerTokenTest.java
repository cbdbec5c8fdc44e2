package dev.bobbin.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the token from {@code Authorization} (import-api.md §3, DECISIONS I6). */
final class BearerTokenTest {

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "Bearer at_abc123", "bearer at_abc123", "BEARER at_abc123", "BeArEr at_abc123",
            "Bearer: at_abc123", "bearer: at_abc123", "Bearer:at_abc123",
            "Bearer  at_abc123", "  Bearer at_abc123  ", "Bearer\tat_abc123"})
    void acceptsTheSchemeInAnyCaseWithASpaceOrAColon(String header) {
        assertThat(BearerToken.from(header)).hasValue("at_abc123");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @NullSource
    @ValueSource(strings = {
            "", "Bearer", "Bearer ", "Bearer:", "Bearer: ", "at_abc123", "Basic at_abc123", "Token at_abc123",
            "Bearerat_abc123", "Bearer at_abc 123", "Bearer: at_abc 123", "Bearer;at_abc123"})
    void refusesEverythingElse(String header) {
        assertThat(BearerToken.from(header)).isEmpty();
    }

    @Test
    void keepsTheTokenExactlyAsSent() {
        assertThat(BearerToken.from("Bearer ac_Ab-_9xYZ")).hasValue("ac_Ab-_9xYZ");
    }
}
