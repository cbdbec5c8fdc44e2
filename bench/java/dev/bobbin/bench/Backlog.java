package dev.bobbin.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's log backlog over time: every {@code periodMs}, the number of batches accepted and
 * not yet loaded ({@code acked_at IS NULL} in {@code batch_log} of the embedded SQLite file, read
 * through the partial index the loader uses), from a read-only connection of this JVM. Growth over
 * a window is the rate at which intake outruns the loader; a bounded backlog means the intake rate
 * is sustainable.
 */
final class Backlog implements AutoCloseable {
    record Point(double seconds, long pending) {
    }

    private final Connection connection;
    private final List<Point> points = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final long t0 = System.nanoTime();

    Backlog(Path catalogDb, long periodMs) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        p.setProperty("busy_timeout", "1000");
        connection = DriverManager.getConnection("jdbc:sqlite:" + catalogDb.toAbsolutePath(), p);
        thread = Thread.ofPlatform().name("backlog").daemon(true).start(() -> {
            while (!stop.get()) {
                try {
                    points.add(new Point(now(), pending()));
                } catch (SQLException e) {
                    // busy: next time
                }
                ServerUnderTest.sleep(periodMs);
            }
        });
    }

    double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    long pending() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM batch_log WHERE acked_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Points between {@code from} and {@code to} (seconds of {@link #now}). */
    List<Point> between(double from, double to) {
        synchronized (points) {
            return points.stream().filter(p -> p.seconds() >= from && p.seconds() <= to).toList();
        }
    }

    /** Least-squares slope of pending batches per second over the points; 0 with fewer than 2. */
    static double slope(List<Point> ps) {
        int n = ps.size();
        if (n < 2) {
            return 0;
        }
        double mx = ps.stream().mapToDouble(Point::seconds).average().orElse(0);
        double my = ps.stream().mapToDouble(Point::pending).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Point p : ps) {
            num += (p.seconds() - mx) * (p.pending() - my);
            den += (p.seconds() - mx) * (p.seconds() - mx);
        }
        return den == 0 ? 0 : num / den;
    }

    static String describe(List<Point> ps) {
        if (ps.isEmpty()) {
            return "no samples";
        }
        long max = ps.stream().mapToLong(Point::pending).max().orElse(0);
        return String.format(Locale.ROOT, "pending batches %d -> %d (max %d, %+.1f/s)", ps.get(0).pending(), ps.get(ps.size() - 1).pending(), max,
                slope(ps));
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        thread.join();
        connection.close();
    }
}
