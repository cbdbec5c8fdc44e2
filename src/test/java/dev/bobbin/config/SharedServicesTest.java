package dev.bobbin.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedServicesTest {
    private static final String CATALOG = "jdbc:postgresql://db.internal:5433/bobbin?user=bobbin&password=s3cret";

    @Test
    void embeddedByDefault() {
        BobbinConfig config = BobbinConfig.resolve(null, Path.of("d"), Map.of());
        assertThat(config.shared()).isEqualTo(SharedServices.EMBEDDED);
        assertThat(config.shared().sharedLog()).isFalse();
        assertThat(config.shared().describeCatalog()).isEqualTo("the embedded SQLite file");
    }

    @Test
    void flagsWinOverEnvironment() {
        Map<String, String> env = Map.of("BOBBIN_CATALOG_URL", "jdbc:postgresql://env/x", "BOBBIN_LOG", "kafka:env:9092");
        SharedServices shared = BobbinConfig.resolve(null, Path.of("d"), CATALOG, "kafka:k1:9092,k2:9093", env).shared();
        assertThat(shared.catalogUrl()).contains(CATALOG);
        assertThat(shared.kafkaServers()).contains("k1:9092,k2:9093");
        assertThat(shared.sharedLog()).isTrue();
    }

    @Test
    void environmentWhenNoFlags() {
        Map<String, String> env = Map.of("BOBBIN_CATALOG_URL", CATALOG, "BOBBIN_LOG", "kafka:k:9092", "BOBBIN_KAFKA_TOPIC", "t",
                "BOBBIN_KAFKA_PARTITIONS", "48", "BOBBIN_KAFKA_GROUP", "g", "BOBBIN_KAFKA_SESSION_TIMEOUT_MS", "6000");
        SharedServices shared = BobbinConfig.resolve(null, Path.of("d"), env).shared();
        assertThat(shared).isEqualTo(new SharedServices(java.util.Optional.of(CATALOG), java.util.Optional.of("kafka:k:9092"), "t", 48, "g",
                java.time.Duration.ofSeconds(6)));
    }

    @Test
    void catalogDescriptionNeverShowsCredentials() {
        SharedServices shared = BobbinConfig.resolve(null, Path.of("d"), CATALOG, null, Map.of()).shared();
        assertThat(shared.describeCatalog()).isEqualTo("PostgreSQL at db.internal:5433/bobbin").doesNotContain("s3cret");
    }

    @Test
    void rejectsWhatCannotWork() {
        assertThatThrownBy(() -> BobbinConfig.resolve(null, Path.of("d"), "jdbc:mysql://h/db?password=p", null, Map.of()))
                .hasMessageContaining("must start with jdbc:postgresql://").hasMessageNotContaining("password=p");
        assertThatThrownBy(() -> BobbinConfig.resolve(null, Path.of("d"), CATALOG, "pulsar:h:1", Map.of()))
                .hasMessageContaining("--log (BOBBIN_LOG) must be kafka:host:port");
        assertThatThrownBy(() -> BobbinConfig.resolve(null, Path.of("d"), null, "kafka:h:9092", Map.of()))
                .hasMessageContaining("needs --catalog-url");
        assertThatThrownBy(() -> BobbinConfig.resolve(null, Path.of("d"), Map.of("BOBBIN_KAFKA_PARTITIONS", "many")))
                .hasMessageContaining("BOBBIN_KAFKA_PARTITIONS must be a whole number");
        assertThatThrownBy(() -> BobbinConfig.resolve(null, Path.of("d"), Map.of("BOBBIN_KAFKA_PARTITIONS", "0")))
                .hasMessageContaining("at least 1");
    }
}
