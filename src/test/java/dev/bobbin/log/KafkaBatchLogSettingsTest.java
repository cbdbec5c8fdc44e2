package dev.bobbin.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --log kafka:host:port[,host:port…]}: what {@link KafkaLogSettings#parse} takes and what it refuses. */
class KafkaBatchLogSettingsTest {

    @Test
    void oneBrokerGetsTheDefaults() {
        KafkaLogSettings s = KafkaLogSettings.parse("kafka:broker1:9092");
        assertThat(s.bootstrapServers()).containsExactly("broker1:9092");
        assertThat(s.topic()).isEqualTo("bobbin.batches");
        assertThat(s.partitions()).isEqualTo(12);
        assertThat(s.groupId()).isEqualTo("bobbin-loaders");
        assertThat(s.retention()).isEqualTo(Duration.ofHours(168));
        assertThat(s.maxBatchBytes()).isEqualTo(200L * 1024 * 1024);
        assertThat(s.clientProperties()).isEmpty();
    }

    @Test
    void severalBrokersKeepTheirOrder() {
        assertThat(KafkaLogSettings.parse("kafka:a.example:9092,10.0.0.2:19092,[::1]:9093").bootstrapServers())
                .containsExactly("a.example:9092", "10.0.0.2:19092", "[::1]:9093");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "sqlite:/data/catalog.db   | must start with 'kafka:'",
            "KAFKA:host:9092           | must start with 'kafka:'",
            "kafka:                    | no broker is given",
            "kafka:host                | has no port",
            "kafka:host:               | is not a port",
            "kafka:host:0              | is not a port",
            "kafka:host:65536          | is not a port",
            "kafka:host:90a2           | is not a port",
            "kafka:host:9092,          | a broker address is empty",
            "kafka:,host:9092          | a broker address is empty",
            "kafka::9092               | is not host:port",
            "kafka:::1:9092            | is not host:port",
            "kafka:[]:9092             | is not host:port",
            "kafka:host name:9092      | is not a host name",
            "kafka:user@host:9092      | is not a host name",
            "kafka:host/x:9092         | is not a host name",
    })
    void malformedValuesAreRefusedWithTheReason(String value, String reason) {
        assertThatThrownBy(() -> KafkaLogSettings.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "' is not a Kafka log address (kafka:host:port[,host:port...])")
                .hasMessageContaining(reason);
    }

    @Test
    void settingsCanBeChangedOneAtATime() {
        KafkaLogSettings s = KafkaLogSettings.parse("kafka:h:1").withTopic("t").withPartitions(3).withGroupId("g")
                .withRetention(Duration.ZERO).withMaxBatchBytes(1024).withSessionTimeout(Duration.ofSeconds(6));
        assertThat(s).extracting(KafkaLogSettings::topic, KafkaLogSettings::partitions, KafkaLogSettings::groupId,
                KafkaLogSettings::retention, KafkaLogSettings::maxBatchBytes, KafkaLogSettings::sessionTimeout)
                .containsExactly("t", 3, "g", Duration.ZERO, 1024L, Duration.ofSeconds(6));
        assertThatThrownBy(() -> s.withPartitions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.withTopic(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
