package dev.bobbin.destination.postgres;

import java.util.Objects;

/**
 * Where a PostgreSQL destination lives and how to log in: the properties of a Connect API
 * {@code postgres} destination.
 *
 * @param ssl {@code true} requires an encrypted connection ({@code sslmode=require}: the traffic is
 *            encrypted, the server's certificate is not verified); {@code false} never uses TLS
 */
public record PostgresConnection(String host, int port, String database, String username, String password, boolean ssl) {

    public PostgresConnection {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(username, "username");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the PostgreSQL host is empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("the PostgreSQL port must be between 1 and 65535, got " + port);
        }
        if (database.isBlank()) {
            throw new IllegalArgumentException("the PostgreSQL database name is empty");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "postgresql://" + username + "@" + host + ":" + port + "/" + database + (ssl ? "?sslmode=require" : "");
    }
}
