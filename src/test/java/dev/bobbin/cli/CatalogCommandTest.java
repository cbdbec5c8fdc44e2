package dev.bobbin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bobbin catalog copy} as an operator types it: counts on success, one clear line and exit 2 when refused. */
final class CatalogCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void copiesOnceAndRefusesASecondCopyWithoutAStackTrace() {
        Cli.createAccount(dataDir, "default");
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase()) + "&password=s3cret-in-url";

        Cli.Run first = Cli.catalog("copy", "--data-dir", dataDir.toString(), "--to", url);
        assertThat(first.exit()).as("%s", first).isZero();
        assertThat(first.out()).contains("accounts: 1", "connect_tokens: 1", "destinations: 1");

        Cli.Run second = Cli.catalog("copy", "--data-dir", dataDir.toString(), "--to", url);
        assertThat(second.exit()).isEqualTo(2);
        assertThat(second.err().strip()).isEqualTo("bobbin: the PostgreSQL catalog already holds accounts; copy only into an empty catalog");
    }
}
