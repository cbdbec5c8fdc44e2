package dev.bobbin.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bobbin.loading.Loader;
import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.Deadline;
import dev.bobbin.testing.HttpReply;
import dev.bobbin.testing.RunningBobbin;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The data dir on a small tmpfs (mounted by the test, so it needs root; skipped otherwise) that
 * fills up while batches keep coming and the loader keeps loading into the embedded warehouse on
 * the same file system. Every answer is 201 or 202 (stored) or 503 (not stored, with Retry-After),
 * never another error; the status endpoint says the log cannot take writes; when space is freed
 * (the test deletes a filler file it made on the same tmpfs) the log takes writes again, the status
 * says so without waiting for a push, and every batch that got a 2xx is loaded exactly once, and
 * none that got 503. While the disk is full the loader's attempts fail too: it must treat that as
 * an unavailable destination (wait and retry), never as bad data to move to {@code _sdc_rejected}.
 */
final class DiskFullTest {
    private static final String SCHEMA = "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"pad\": {\"type\": \"string\"}}}";
    private static final int PAD = 16 * 1024;

    private static Path mountPoint;
    private static boolean mounted;
    private RunningBobbin bobbin;
    private final ListAppender<ILoggingEvent> loaderLog = new ListAppender<>();

    @BeforeAll
    static void mountTmpfs() throws Exception {
        mountPoint = Files.createTempDirectory("bobbin-disk-full");
        mounted = run("mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", mountPoint.toString()) == 0;
        assumeTrue(mounted, "mounting a tmpfs needs root");
    }

    @AfterAll
    static void unmountTmpfs() throws Exception {
        if (mounted) {
            assertThat(run("umount", mountPoint.toString())).as("umount " + mountPoint).isZero();
        }
        try (Stream<Path> files = Files.walk(mountPoint)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Loader.class)).detachAppender(loaderLog);
        if (bobbin != null) {
            bobbin.close();
        }
    }

    @Test
    void aFullDiskRefusesWith503AndLosesNothingThatWasAccepted() throws Exception {
        loaderLog.start();
        ((Logger) LoggerFactory.getLogger(Loader.class)).addAppender(loaderLog);
        Path data = mountPoint.resolve("data");
        bobbin = RunningBobbin.withImportSource(data, RunningBobbin.FAST_LOADING);
        Map<Integer, Integer> answers = new TreeMap<>();
        int n = 0;
        for (; n < 5; n++) {
            answers.put(n, push(n).status());
        }
        bobbin.awaitLoaded();

        // Leave a little room, then push until the log has refused several times in a row.
        Path filler = mountPoint.resolve("filler");
        long free = Files.getFileStore(mountPoint).getUsableSpace();
        writeFiller(filler, free - 600 * 1024);
        int refusedInARow = 0;
        List<HttpReply> refusals = new ArrayList<>();
        while (refusedInARow < 5 && n < 2_000) {
            HttpReply reply = push(n);
            answers.put(n++, reply.status());
            assertThat(reply.status()).as("answer while the disk fills: %s", reply).isIn(201, 202, 503);
            if (reply.status() == 503) {
                refusedInARow++;
                refusals.add(reply);
            } else {
                refusedInARow = 0;
            }
        }
        assertThat(refusedInARow).as("the disk filled up").isEqualTo(5);
        for (HttpReply refused : refusals) {
            assertThat(refused.json().path("status").asText()).isEqualTo("ERROR");
            assertThat(refused.json().path("message").asText()).startsWith("The batch was not accepted; retry later");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
        HttpReply status = bobbin.get("/v2/import/status");
        assertThat(status.status()).as("status on a full disk: %s", status).isEqualTo(503);
        assertThat(status.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(status.json().path("reason").asText()).contains("cannot take writes");

        // The disk stays full for a while: the loader keeps failing, and must not take that for bad data.
        Thread.sleep(3_000);
        assertThat(bobbin.pendingBatches()).as("accepted batches waiting for space").isPositive();

        // Space comes back: the log takes writes again, and every accepted batch loads.
        Files.delete(filler);
        Deadline.await("the status to recover once space is freed", Duration.ofSeconds(10), bobbin::statusOk);
        for (int i = 0; i < 5; i++, n++) {
            HttpReply reply = push(n);
            answers.put(n, reply.status());
            assertThat(reply.status()).as("answer after space was freed: %s", reply).isIn(201, 202);
        }
        Deadline.await("every accepted batch to be loaded", Duration.ofSeconds(60), () -> bobbin.pendingBatches() == 0);

        List<String> expected = answers.entrySet().stream().filter(e -> e.getValue() != 503).map(e -> String.valueOf(e.getKey())).toList();
        assertThat(bobbin.rows("SELECT n FROM import_api.events ORDER BY n").stream().map(r -> r.get(0)).toList())
                .as("every batch that got 201 or 202, once; none that got 503").containsExactlyElementsOf(expected);
        assertThat(bobbin.tables("import_api")).as("nothing rejected").containsExactly("events");
        assertThat(loaderLog.list).extracting(ILoggingEvent::getFormattedMessage).as("the loader never took a full disk for bad data")
                .noneMatch(m -> m.contains("could not even be rejected") || m.contains("failed to load 3 times"));
        System.out.printf("DiskFullTest: %d pushes: %d accepted, %d refused%n", answers.size(), expected.size(),
                answers.size() - expected.size());
    }

    /** Even n through {@code /v2/import/batch}, odd n through {@code /v2/import/push}. */
    private HttpReply push(int n) {
        String data = "{\"n\": " + n + ", \"pad\": \"" + "p".repeat(PAD) + "\"}";
        if (n % 2 == 0) {
            return bobbin.postBatch(BatchBody.table("events", SCHEMA).upsert(n, data));
        }
        long clientId = bobbin.node().catalog().accounts().get(0).clientId();
        return bobbin.post("/v2/import/push", "[{\"client_id\": " + clientId + ", \"table_name\": \"events\", \"sequence\": " + n
                + ", \"action\": \"upsert\", \"key_names\": [], \"data\": " + data + "}]",
                "Authorization", "Bearer " + bobbin.importToken(), "Content-Type", "application/json");
    }

    private static void writeFiller(Path file, long bytes) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + output);
        }
        return p.exitValue();
    }
}
