package dev.bobbin.log;

import dev.bobbin.testing.TestKafka;
import org.junit.jupiter.api.Test;

class KafkaBatchLogBrokerSmokeTest {
    @Test
    void starts() {
        System.out.println("broker " + TestKafka.bootstrapServers() + " in " + TestKafka.startTime());
    }
}
