package dev.bobbin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.sqlite.SqliteFiles;
import dev.bobbin.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving an embedded catalog into an empty PostgreSQL catalog (docs/deploy.md, "Migrating from the embedded default"). */
final class CatalogCopyTest {
    @TempDir
    Path dir;

    @Test
    void everythingACatalogHoldsWorksTheSameAfterTheCopy() throws Exception {
        Path file = dir.resolve("catalog.db");
        long clientId;
        long sourceId;
        long otherClientId;
        String importToken;
        String revokedToken;
        Instant loadedAt = Instant.parse("2026-11-26T10:00:00Z");
        try (SqliteCatalog sqlite = SqliteCatalog.open(file, Clock.systemUTC())) {
            Account account = sqlite.createAccount("default");
            clientId = account.clientId();
            sqlite.addConnectToken(clientId, "ac_copy_test_connect_token");
            Source source = sqlite.createSource(clientId, "import_api", "shop", "Shop");
            sourceId = source.id();
            importToken = sqlite.createImportToken(clientId, sourceId, 2).orElseThrow().value();
            IssuedToken revoked = sqlite.createImportToken(clientId, sourceId, 2).orElseThrow();
            revokedToken = revoked.value();
            sqlite.revokeImportToken(clientId, sourceId, revoked.id());
            sqlite.fixKeyNames(sourceId, "orders", List.of("id"));
            sqlite.recordLoadSucceeded(clientId, sourceId, "orders", loadedAt);
            sqlite.recordLoadFailed(clientId, sourceId, "refunds", "{\"message\":\"boom\"}");
            otherClientId = sqlite.createAccount("other").clientId();
        }

        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
        Map<String, Integer> copied = CatalogCopy.copy(file, url);
        assertThat(copied).containsEntry("accounts", 2).containsEntry("sources", 1).containsEntry("import_tokens", 2)
                .containsEntry("destinations", 2).containsEntry("table_keys", 1).containsEntry("load_status", 2);

        try (SqliteCatalog sqlite = SqliteCatalog.open(file, Clock.systemUTC());
             PostgresCatalog postgres = PostgresCatalog.open(url, Clock.systemUTC())) {
            assertThat(postgres.accounts()).isEqualTo(sqlite.accounts());
            assertThat(postgres.accountForConnectToken("ac_copy_test_connect_token").map(Account::clientId)).contains(clientId);
            assertThat(postgres.grantForImportToken(importToken).map(g -> g.source().id())).contains(sourceId);
            assertThat(postgres.grantForImportToken(revokedToken)).as("a revoked token stays revoked").isEmpty();
            assertThat(postgres.sources(clientId)).isEqualTo(sqlite.sources(clientId));
            assertThat(postgres.importTokens(clientId, sourceId)).isEqualTo(sqlite.importTokens(clientId, sourceId));
            assertThat(postgres.destination(clientId)).isEqualTo(sqlite.destination(clientId));
            assertThat(postgres.destination(otherClientId)).isEqualTo(sqlite.destination(otherClientId));
            assertThat(postgres.keyNames(sourceId, "orders")).contains(List.of("id"));
            assertThat(postgres.loads(clientId, 0, 10)).isEqualTo(sqlite.loads(clientId, 0, 10));

            // ids generated after the copy continue after the copied ones
            Source next = postgres.createSource(clientId, "import_api", "next", "Next");
            assertThat(next.id()).isGreaterThan(sourceId);
            assertThat(postgres.createImportToken(clientId, next.id(), 2).orElseThrow().id()).isGreaterThan(2);
        }
    }

    @Test
    void aCatalogThatAlreadyHoldsAnAccountIsLeftAlone() {
        Path file = dir.resolve("catalog.db");
        try (SqliteCatalog sqlite = SqliteCatalog.open(file, Clock.systemUTC())) {
            sqlite.createAccount("default");
        }
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase());
        Account existing;
        try (PostgresCatalog postgres = PostgresCatalog.open(url, Clock.systemUTC())) {
            existing = postgres.createAccount("already here");
        }
        assertThatThrownBy(() -> CatalogCopy.copy(file, url)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already holds accounts");
        try (PostgresCatalog postgres = PostgresCatalog.open(url, Clock.systemUTC())) {
            assertThat(postgres.accounts()).containsExactly(existing);
        }
    }

    @Test
    void aMissingCatalogFileIsNamed() {
        Path missing = dir.resolve("nowhere/catalog.db");
        assertThatThrownBy(() -> CatalogCopy.copy(missing, TestPostgres.jdbcUrl(TestPostgres.newDatabase())))
                .hasMessage("no catalog at " + missing);
    }

    @Test
    void theCopiedTablesAreExactlyTheCatalogsTables() throws Exception {
        Path file = dir.resolve("catalog.db");
        SqliteCatalog.open(file, Clock.systemUTC()).close();
        List<String> tables = new ArrayList<>();
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).containsExactlyInAnyOrderElementsOf(CatalogSchema.TABLES);
        assertThat(CatalogSchema.TABLES).containsAll(CatalogSchema.SERIAL_TABLES);
    }
}
