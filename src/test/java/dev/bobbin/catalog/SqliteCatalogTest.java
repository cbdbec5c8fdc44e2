package dev.bobbin.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@link Catalog} contract on SQLite files, plus upgrades of catalogs made by older versions. */
final class SqliteCatalogTest extends CatalogContractTest {
    private Path file;

    @Override
    void createStore(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        file = dir.resolve("catalog.db");
    }

    @Override
    Catalog openInstance(Clock clock) {
        return SqliteCatalog.open(file, clock);
    }

    @Override
    Connection raw() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    @Override
    int schemaVersion() throws SQLException {
        return (int) count("PRAGMA user_version");
    }

    @Test
    void aCatalogMigratedByANewerBobbinIsRefused() throws Exception {
        createStore(dir.resolve("newer"));
        openInstance(Clock.systemUTC()).close();
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA user_version = 99");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> openInstance(Clock.systemUTC()))
                .hasStackTraceContaining("the catalog is at schema version 99, newer than this Bobbin knows");
    }

    @Test
    void aCatalogCreatedAtVersionOneIsUpgradedWithItsData() throws Exception {
        createStore(dir.resolve("v1"));
        try (Connection c = raw(); Statement st = c.createStatement()) {
            for (String statement : versionOneSql().split(";")) {
                if (!statement.isBlank()) {
                    st.executeUpdate(statement);
                }
            }
            st.executeUpdate("PRAGMA user_version = 1");
            st.executeUpdate("INSERT INTO accounts VALUES (123456, 'old', 1000)");
            st.executeUpdate("INSERT INTO connect_tokens(client_id, token_hash, created_at) VALUES (123456, '" + Tokens.hash("ac_old") + "', 1000)");
            st.executeUpdate("INSERT INTO sources(client_id, type, name, display_name, created_at, updated_at) VALUES (123456, 'import_api', 'crm', 'CRM', 1000, 1000)");
            st.executeUpdate("INSERT INTO import_tokens(source_id, token_hash, created_at) VALUES (1, '" + Tokens.hash("at_old") + "', 1000)");
            st.executeUpdate("INSERT INTO destinations(client_id, type, properties, created_at, updated_at) VALUES (123456, 'duckdb', '{}', 1000, 1000)");
            st.executeUpdate("INSERT INTO table_keys VALUES (1, 'users', '[\"id\"]')");
        }

        Catalog upgraded = openCatalog();

        assertThat(schemaVersion()).isEqualTo(CatalogSchema.latestVersion());
        assertThat(upgraded.accountForConnectToken("ac_old")).contains(new Account(123456, "old", Instant.ofEpochMilli(1000)));
        assertThat(upgraded.grantForImportToken("at_old").orElseThrow().source().name()).isEqualTo("crm");
        DestinationConfig destination = upgraded.destination(123456).orElseThrow();
        assertThat(destination.name()).isEmpty();
        assertThat(destination.description()).isEmpty();
        assertThat(upgraded.keyNames(1, "users")).contains(java.util.List.of("id"));
        upgraded.recordLoadSucceeded(123456, 1, "users", Instant.ofEpochMilli(2000));
        assertThat(upgraded.loads(123456, 0, 10)).containsExactly(
                new LoadStatus(123456, "crm", "users", Optional.of(Instant.ofEpochMilli(2000)), Optional.empty()));
        assertThat(upgraded.createSource(123456, "import_api", "other", "Other").id()).isEqualTo(2);
    }

    @Test
    void aCatalogAtAnIntermediateVersionIsUpgradedOneMigrationAtATime() throws Exception {
        createStore(dir.resolve("v2"));
        SqliteCatalog.open(file, Clock.systemUTC(), 2).close();
        assertThat(schemaVersion()).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'load_status'")).isZero();

        openCatalog();

        assertThat(schemaVersion()).isEqualTo(CatalogSchema.latestVersion());
        assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'load_status'")).isEqualTo(1);
    }

    @Test
    void versionOneCreatesExactlyWhatItAlwaysCreated() throws Exception {
        Map<String, String> current = schemaObjects();
        createStore(dir.resolve("frozen"));
        try (Connection c = raw(); Statement st = c.createStatement()) {
            for (String statement : versionOneSql().split(";")) {
                if (!statement.isBlank()) {
                    st.executeUpdate(statement);
                }
            }
        }
        Map<String, String> frozen = schemaObjects();
        frozen.remove("destinations"); // version 2 alters it

        assertThat(current).containsAllEntriesOf(frozen);
    }

    /** Name → SQL text of every table and index of the current store. */
    private Map<String, String> schemaObjects() throws SQLException {
        Map<String, String> objects = new LinkedHashMap<>();
        try (Connection c = raw(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")) {
            while (rs.next()) {
                objects.put(rs.getString(1), rs.getString(2));
            }
        }
        return objects;
    }

    private static String versionOneSql() throws IOException {
        try (InputStream in = SqliteCatalogTest.class.getResourceAsStream("sqlite-catalog-v1.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
        }
    }
}
