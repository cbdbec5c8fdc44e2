package dev.bobbin.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds spent by this JVM (every thread: loader, GC, JIT) and by the embedded PostgreSQL
 * server (the postmaster and all its processes), read from the OS. Wall-clock seconds are what the
 * benchmark judges; CPU seconds say where the work went and stay meaningful when other programs
 * share the machine. The server's share is unknown (NaN) for a server given by {@code BENCH_PG_URL}.
 */
final class CpuMeter {
    /** Linux reports process times in clock ticks of 1/100 s. */
    private static final double TICK_SECONDS = 0.01;
    private final java.util.List<ProcessHandle> servers;

    CpuMeter(ProcessHandle postmaster) {
        this.servers = postmaster == null ? java.util.List.of() : java.util.List.of(postmaster);
    }

    private CpuMeter(java.util.List<ProcessHandle> servers) {
        this.servers = java.util.List.copyOf(servers);
    }

    /** Measures this JVM and the given server processes (with their descendants) together, e.g. every node of a cluster. */
    static CpuMeter ofAll(java.util.List<ProcessHandle> servers) {
        return new CpuMeter(servers);
    }

    record Sample(long wallNanos, double jvmCpu, double serverCpu) {
        Measure to(Sample end) {
            return new Measure((end.wallNanos - wallNanos) / 1e9, end.jvmCpu - jvmCpu, end.serverCpu - serverCpu);
        }
    }

    /** Seconds of one measured phase: wall clock, this JVM's CPU, the server's CPU. */
    record Measure(double wall, double jvmCpu, double serverCpu) {
        Measure plus(Measure other) {
            return new Measure(wall + other.wall, jvmCpu + other.jvmCpu, serverCpu + other.serverCpu);
        }
    }

    Sample sample() {
        return new Sample(System.nanoTime(), jvmCpu(), serverCpu());
    }

    private static double jvmCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    private double serverCpu() {
        if (servers.isEmpty()) {
            return Double.NaN;
        }
        double total = 0;
        for (ProcessHandle server : servers) {
            total += cpu(server.pid());
            for (ProcessHandle p : server.descendants().toList()) {
                total += cpu(p.pid());
            }
        }
        return total;
    }

    /** utime + stime of a process, fields 14 and 15 of /proc/PID/stat; 0 once it is gone. */
    private static double cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_SECONDS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
