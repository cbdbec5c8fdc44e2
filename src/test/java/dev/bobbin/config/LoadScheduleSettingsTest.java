package dev.bobbin.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code BOBBIN_LOAD_INTERVAL_MS} and {@code BOBBIN_LOAD_ON_APPEND}: defaults, values, and a bad value named. */
final class LoadScheduleSettingsTest {
    private static BobbinConfig resolve(Map<String, String> env) {
        return BobbinConfig.resolve(null, Path.of("data"), env);
    }

    @Test
    void byDefaultTheLoaderLooksEverySecondAndAppendsWakeIt() {
        BobbinConfig config = resolve(Map.of());
        assertThat(config.loadInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.loadOnAppend()).isTrue();
    }

    @Test
    void bothAreSettable() {
        BobbinConfig config = resolve(Map.of("BOBBIN_LOAD_INTERVAL_MS", "250", "BOBBIN_LOAD_ON_APPEND", " FALSE "));
        assertThat(config.loadInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.loadOnAppend()).isFalse();
        assertThat(resolve(Map.of("BOBBIN_LOAD_ON_APPEND", "true")).loadOnAppend()).isTrue();
    }

    @Test
    void aValueThatIsNotABooleanIsRefusedByName() {
        assertThatThrownBy(() -> resolve(Map.of("BOBBIN_LOAD_ON_APPEND", "yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BOBBIN_LOAD_ON_APPEND must be true or false, got 'yes'");
    }
}
