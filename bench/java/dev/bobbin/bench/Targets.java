package dev.bobbin.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the load generator sends: one or more Bobbin nodes (base URLs) that share one Import API
 * token, used round-robin per request. One node is the embedded default; several are a scale-out
 * deployment (e.g. three nodes on one Kafka log), given with {@code BENCH_URLS} and
 * {@code BENCH_TOKEN}.
 */
final class Targets {
    final List<URI> nodes;
    final String token;
    private final AtomicInteger next = new AtomicInteger();

    Targets(List<URI> nodes, String token) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no target URL");
        }
        this.nodes = List.copyOf(nodes);
        this.token = token;
    }

    static Targets of(String baseUrl, String token) {
        return new Targets(List.of(URI.create(baseUrl)), token);
    }

    /** {@code BENCH_URLS} (comma or space separated) and {@code BENCH_TOKEN}, or null when BENCH_URLS is not set. */
    static Targets fromEnvironment() {
        String urls = System.getenv("BENCH_URLS");
        if (urls == null || urls.isBlank()) {
            return null;
        }
        String token = System.getenv("BENCH_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("BENCH_URLS needs BENCH_TOKEN (an Import API token valid on every node)");
        }
        List<URI> nodes = new ArrayList<>();
        for (String u : urls.split("[,\\s]+")) {
            if (!u.isBlank()) {
                nodes.add(URI.create(u.strip()));
            }
        }
        return new Targets(nodes, token.strip());
    }

    int size() {
        return nodes.size();
    }

    /** The node index for the next request (round-robin over all requests of all connections). */
    int nextIndex() {
        return Math.floorMod(next.getAndIncrement(), nodes.size());
    }

    /** The request head (everything before the body) of a POST to {@code path} on node {@code i}. */
    byte[] head(int i, String path, String contentType, int contentLength) {
        URI node = nodes.get(i);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + node.getHost() + ":" + port(node) + "\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + contentLength + "\r\n\r\n";
        return head.getBytes(StandardCharsets.US_ASCII);
    }

    static int port(URI node) {
        return node.getPort() > 0 ? node.getPort() : 80;
    }

    @Override
    public String toString() {
        return nodes.toString();
    }
}
