package dev.bobbin.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** display_name → name (connect-api.md §5.2, DECISIONS C4). */
final class SourceNamesTest {

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Import API                | import_api
            Recurly                   | recurly
            Recurly Stitch            | recurly_stitch
            Shopify                   | shopify
            GitHub                    | github
            Import API tokens example | import_api_tokens_example
            AdWords                   | adwords
            My Source!!!              | my_source
            _private                  | _private
            Sales 2024                | sales_2024
            Straße                    | strae
            """)
    void derivesTheDocsExamples(String displayName, String name) {
        assertThat(SourceNames.derive(displayName)).isEqualTo(name);
        assertThat(SourceNames.valid(name)).isTrue();
    }

    @Test
    void aNameOfOnlyDroppedCharactersIsEmptyAndInvalid() {
        assertThat(SourceNames.derive("####")).isEmpty();
        assertThat(SourceNames.valid("")).isFalse();
    }

    @Test
    void aNameMustStartWithALetterOrAnUnderscore() {
        assertThat(SourceNames.derive("1Password")).isEqualTo("1password");
        assertThat(SourceNames.valid("1password")).isFalse();
        assertThat(SourceNames.valid("_1password")).isTrue();
        assertThat(SourceNames.valid("p1")).isTrue();
    }

    @Test
    void aNameMustBeUnder50Characters() {
        assertThat(SourceNames.valid("a".repeat(49))).isTrue();
        assertThat(SourceNames.valid("a".repeat(50))).isFalse();
        assertThat(SourceNames.derive("A".repeat(50))).hasSize(50);
    }
}
