package dev.bobbin.imports;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bobbin.config.ImportLimits;
import dev.bobbin.log.NewBatch;
import dev.bobbin.log.PayloadFormat;
import dev.bobbin.log.SqliteBatchLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Issue 4's intake benchmark: what {@code POST /v2/import/batch} does with a 20,000-record, ~4 MB
 * body once it has the bytes (strict UTF-8 check, parse, validate every record against the schema,
 * append to the batch log with fsync), next to a plain Jackson parse of the same bytes measured in
 * the same run. Target: at most 3× the plain parse. One more row validates the bytes as the Import API
 * does ({@link BatchRequest#validate(byte[], ImportLimits)}: UTF-8 check, the body streamed, messages
 * checked from the tokens), next to the plain token stream.
 *
 * <p>It lives in {@code dev.bobbin.imports} to call the package-private validation directly: the
 * HTTP layer is measured by the end-to-end harness, not here.
 */
public final class IntakeBench {
    private static final int RECORDS = Integer.getInteger("bench.records", 20_000);
    private static final int RUNS = Integer.getInteger("bench.runs", 25);

    public static void main(String[] args) throws Exception {
        byte[] body = batch(RECORDS, new Random(42));
        System.out.printf("intake: %,d records, %,d bytes per batch, %d timed runs each (after warm-up)%n", RECORDS, body.length, RUNS);
        ObjectMapper plain = new ObjectMapper();
        Path dir = Files.createTempDirectory("bobbin-intake-bench");
        try (SqliteBatchLog log = SqliteBatchLog.open(dir.resolve("catalog.db"), Clock.systemUTC(), Long.MAX_VALUE, Duration.ofDays(7))) {
            Step plainTree = () -> plain.readTree(body);
            Step plainTokens = () -> {
                try (JsonParser p = plain.getFactory().createParser(body)) {
                    while (p.nextToken() != null) {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            p.getText();
                        }
                    }
                }
            };
            Step utf8 = () -> Utf8.problem(body);
            Step bobbinParse = () -> dev.bobbin.json.Json.MAPPER.readTree(body);
            com.fasterxml.jackson.databind.JsonNode parsed = ImportApi.parse(body);
            Step validateOnly = () -> BatchRequest.validate(parsed, ImportLimits.DEFAULTS);
            Step appendOnly = () -> log.append(List.of(new NewBatch(1, 1, "customers", PayloadFormat.BATCH_JSON, Instant.now(), body)));
            Step validate = () -> BatchRequest.validate(ImportApi.parse(body), ImportLimits.DEFAULTS);
            Step validateBytes = () -> BatchRequest.validate(body, ImportLimits.DEFAULTS);
            Step validateAndAppend = () -> {
                BatchRequest batch = BatchRequest.validate(ImportApi.parse(body), ImportLimits.DEFAULTS);
                log.append(List.of(new NewBatch(1, 1, batch.tableName(), PayloadFormat.BATCH_JSON, Instant.now(), body)));
            };
            for (Step s : List.of(plainTree, plainTokens, utf8, bobbinParse, validateOnly, appendOnly, validate, validateBytes, validateAndAppend)) {
                time(s, 5); // warm-up
            }
            double tree = time(plainTree, RUNS);
            double tokens = time(plainTokens, RUNS);
            double utf8Ms = time(utf8, RUNS);
            double parseMs = time(bobbinParse, RUNS);
            double validateMs = time(validateOnly, RUNS);
            double appendMs = time(appendOnly, RUNS);
            double valid = time(validate, RUNS);
            double streamed = time(validateBytes, RUNS);
            double full = time(validateAndAppend, RUNS);
            System.out.printf("%-44s %10s %10s %12s%n", "step (median of runs)", "ms", "MB/s", "x plain tree");
            row("baseline: Jackson readTree (plain mapper)", tree, body.length, tree);
            row("baseline: Jackson token stream", tokens, body.length, tree);
            row("  part: strict UTF-8 check", utf8Ms, body.length, tree);
            row("  part: parse with Bobbin's JSON settings", parseMs, body.length, tree);
            row("  part: validate the parsed batch", validateMs, body.length, tree);
            row("  part: batch log append (fsync)", appendMs, body.length, tree);
            row("Bobbin: UTF-8 check + parse + validate", valid, body.length, tree);
            row("Import API: validate the bytes (streamed)", streamed, body.length, tree);
            row("Bobbin: ... + batch log append (fsync)", full, body.length, tree);
            System.out.printf("target: validate + append <= 3.0x plain parse -> %.2fx (%s)%n", full / tree, full / tree <= 3.0 ? "met" : "NOT met");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Median wall time of {@code runs} runs, in milliseconds. */
    private static double time(Step step, int runs) throws Exception {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    private static void row(String name, double ms, int bytes, double baseline) {
        System.out.printf("%-44s %10.1f %10.1f %12.2f%n", name, ms, bytes / 1e6 / (ms / 1000), ms / baseline);
    }

    /** A customers-shaped batch of about 200 bytes per record. */
    static byte[] batch(int records, Random random) {
        StringBuilder b = new StringBuilder(records * 220);
        b.append("{\"table_name\":\"customers\",\"key_names\":[\"id\"],\"schema\":{\"properties\":{")
                .append("\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"email\":{\"type\":[\"null\",\"string\"]},")
                .append("\"age\":{\"type\":\"integer\"},\"has_magic\":{\"type\":\"boolean\"},\"score\":{\"type\":\"number\"},")
                .append("\"modified_at\":{\"type\":\"string\",\"format\":\"date-time\"}}},\"messages\":[");
        List<String> names = new ArrayList<>(List.of("Finn", "Jake", "Bubblegum", "Marceline", "BMO", "Lumpy Space Princess"));
        for (int i = 0; i < records; i++) {
            String name = names.get(random.nextInt(names.size()));
            b.append(i == 0 ? "" : ",")
                    .append("{\"action\":\"upsert\",\"sequence\":").append(1_600_000_000_000L + i)
                    .append(",\"data\":{\"id\":").append(i)
                    .append(",\"name\":\"").append(name).append(' ').append(i)
                    .append("\",\"email\":\"").append(name.toLowerCase().replace(' ', '.')).append(i).append("@example.com\"")
                    .append(",\"age\":").append(random.nextInt(90))
                    .append(",\"has_magic\":").append(random.nextBoolean())
                    .append(",\"score\":").append(random.nextInt(10_000) / 100.0)
                    .append(",\"modified_at\":\"2020-01-13T21:25:").append(String.format("%02d", i % 60)).append("+0000\"}}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
