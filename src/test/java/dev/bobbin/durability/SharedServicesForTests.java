package dev.bobbin.durability;

import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.TestKafka;
import dev.bobbin.testing.TestPostgres;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh scale-out deployment's shared services for one test: an empty catalog database on the test
 * PostgreSQL server and a topic and consumer group of their own on the test Kafka broker.
 */
record SharedServicesForTests(PostgresConnection catalog, String bootstrapServers, String topicName, String group) {

    static SharedServicesForTests create() {
        return new SharedServicesForTests(TestPostgres.newDatabase(), TestKafka.bootstrapServers(), TestKafka.newTopicName(),
                TestKafka.newGroupId());
    }

    /** {@code --catalog-url} for the catalog database. */
    String catalogUrl() {
        return TestPostgres.jdbcUrl(catalog);
    }

    /** {@code base} plus the {@code BOBBIN_*} settings that point a node at these services. */
    Map<String, String> env(Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        env.put("BOBBIN_CATALOG_URL", catalogUrl());
        env.put("BOBBIN_LOG", "kafka:" + bootstrapServers);
        env.put("BOBBIN_KAFKA_TOPIC", topicName);
        env.put("BOBBIN_KAFKA_GROUP", group);
        env.put("BOBBIN_KAFKA_PARTITIONS", "6");
        // the broker's minimum: a killed node's partitions move to the others after 6 s instead of 45 s
        env.put("BOBBIN_KAFKA_SESSION_TIMEOUT_MS", "6000");
        return env;
    }

    TopicReader topic() {
        return new TopicReader(bootstrapServers, topicName);
    }
}
