package dev.bobbin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.BatchBody;
import dev.bobbin.testing.RunningBobbin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code bobbin sql}: a read-only query on the embedded warehouse, through the running server while
 * one holds the file, straight from the file otherwise; CSV output per RFC 4180.
 */
final class SqlCommandTest {
    private static final String QUERY = "SELECT id, name, age FROM import_api.customers ORDER BY id";
    /** Header, then: a plain row, a row needing quotes (comma and quote), a NULL (empty field), an empty string. */
    private static final String EXPECTED_CSV = "id,name,age\r\n"
            + "1,Finn,15\r\n"
            + "2,\"Jake, \"\"the Dog\"\"\",\r\n"
            + "3,\"\",17\r\n";

    @TempDir
    Path dataDir;
    private RunningBobbin bobbin;

    @BeforeEach
    void startAndLoad() {
        bobbin = RunningBobbin.withImportSource(dataDir, RunningBobbin.MANUAL_LOADING);
        bobbin.accept(BatchBody.customers()
                .upsert(1, "{\"id\":1,\"name\":\"Finn\",\"age\":15}")
                .upsert(1, "{\"id\":2,\"name\":\"Jake, \\\"the Dog\\\"\"}")
                .upsert(1, "{\"id\":3,\"name\":\"\",\"age\":17}"));
        assertThat(bobbin.loadNow()).isEqualTo(1);
    }

    @AfterEach
    void stop() {
        bobbin.close();
    }

    @Test
    void whileANodeRunsTheQueryGoesThroughItAndPrintsCsv() {
        assertThat(Files.exists(dataDir.resolve("server.json"))).isTrue();

        Run run = sql("--format", "csv", QUERY);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(EXPECTED_CSV);
    }

    @Test
    void afterTheNodeIsClosedTheQueryReadsTheFile() {
        bobbin.close();
        assertThat(Files.exists(dataDir.resolve("server.json"))).isFalse();

        Run run = sql("--format", "csv", QUERY);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(EXPECTED_CSV);
    }

    @Test
    void theDefaultFormatIsAnAlignedTable() {
        Run run = sql("SELECT id, name FROM import_api.customers WHERE id IN (1, 3) ORDER BY id");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "id | name",
                "---+-----",
                "1  | Finn",
                "3  |",
                "(2 rows)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "DELETE FROM import_api.customers",
            "CREATE TABLE import_api.intruder (x INTEGER)",
            "COPY import_api.customers TO '{copy}'",
            "SELECT 1; DELETE FROM import_api.customers"})
    void aStatementThatWritesIsRefusedWhileTheNodeRuns(String statement) {
        Run run = sql("--format", "csv", withCopyTarget(statement));

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).startsWith("bobbin sql: ");
        assertThat(copyTarget()).doesNotExist();
        assertThat(bobbin.value("SELECT count(*) FROM import_api.customers")).isEqualTo("3");
        assertThat(bobbin.tables("import_api")).containsExactly("customers");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "DELETE FROM import_api.customers",
            "CREATE TABLE import_api.intruder (x INTEGER)",
            "COPY import_api.customers TO '{copy}'"})
    void aStatementThatWritesIsRefusedOnTheFile(String statement) {
        bobbin.close();

        Run run = sql("--format", "csv", withCopyTarget(statement));
        Run count = sql("--format", "csv", "SELECT count(*) AS n FROM import_api.customers");

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).startsWith("bobbin sql: ");
        assertThat(count.out()).isEqualTo("n\r\n3\r\n");
        assertThat(copyTarget()).doesNotExist();
    }

    @Test
    void aFailingQueryReportsTheDatabaseErrorWhileTheNodeRuns() {
        Run run = sql("SELECT no_such_column FROM import_api.customers");

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).startsWith("bobbin sql: ").contains("no_such_column");
    }

    @Test
    void aFailingQueryReportsTheDatabaseErrorOnTheFile() {
        bobbin.close();

        Run run = sql("SELECT no_such_column FROM import_api.customers");

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).startsWith("bobbin sql: ").contains("no_such_column");
    }

    private Path copyTarget() {
        return dataDir.resolve("copied.csv");
    }

    private String withCopyTarget(String statement) {
        return statement.replace("{copy}", copyTarget().toString());
    }

    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code bobbin sql --data-dir <dataDir> args...} and captures what it prints. */
    private Run sql(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--data-dir";
        all[1] = dataDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new SqlCommand()).execute(all);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
