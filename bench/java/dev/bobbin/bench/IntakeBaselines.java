package dev.bobbin.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The raw baselines of intake, on the same request bodies, in this JVM (no HTTP, no validation):
 * a plain Jackson {@code readTree} of each body, and the body appended to one file and fsynced
 * ({@code FileChannel.force}) by each worker, alone and after the parse. That is what a minimal
 * durable intake would do per request; concurrent workers' fsyncs share the file system's journal
 * commits, as Bobbin's group commit shares SQLite's.
 */
final class IntakeBaselines implements AutoCloseable {
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final long MAX_FILE_BYTES = 1L << 30;
    private final Path file;
    private FileChannel channel;

    IntakeBaselines(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        reopen();
    }

    /** Starts a new, empty file (between measured windows, so that the file never grows large). */
    void reopen() throws IOException {
        if (channel != null) {
            channel.close();
        }
        Files.deleteIfExists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.APPEND);
    }

    LoadGenerator.Ops parse(Bodies.Set set) {
        return w -> n -> PLAIN.readTree(set.bodies().get((int) (n % set.bodies().size()))) != null;
    }

    LoadGenerator.Ops append(Bodies.Set set, boolean parseFirst) {
        return w -> n -> {
            byte[] body = set.bodies().get((int) (n % set.bodies().size()));
            if (parseFirst && PLAIN.readTree(body) == null) {
                return false;
            }
            if (channel.size() > MAX_FILE_BYTES) {
                synchronized (this) {
                    if (channel.size() > MAX_FILE_BYTES) {
                        channel.truncate(0);
                    }
                }
            }
            ByteBuffer buffer = ByteBuffer.wrap(body);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            return true;
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }
}
