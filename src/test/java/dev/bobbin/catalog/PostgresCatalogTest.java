package dev.bobbin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.destination.postgres.PostgresConnection;
import dev.bobbin.testing.TestPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The {@link Catalog} contract on a real PostgreSQL database, plus what is particular to it. */
final class PostgresCatalogTest extends CatalogContractTest {
    private PostgresConnection database;

    @Override
    void createStore(Path dir) {
        database = TestPostgres.newDatabase();
    }

    @Override
    Catalog openInstance(Clock clock) {
        return PostgresCatalog.open(url(), clock);
    }

    private String url() {
        return TestPostgres.jdbcUrl(database);
    }

    @Override
    Connection raw() throws SQLException {
        Connection c = TestPostgres.connect(database);
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + PostgresCatalog.DEFAULT_SCHEMA);
        }
        return c;
    }

    @Override
    int schemaVersion() throws SQLException {
        return (int) count("SELECT max(version) FROM bobbin_schema");
    }

    @Test
    void theCatalogsTablesLiveInTheirOwnSchema() throws Exception {
        assertThat(strings("SELECT table_schema || '.' || table_name FROM information_schema.tables"
                + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).containsExactly(
                "bobbin_catalog.accounts", "bobbin_catalog.bobbin_schema", "bobbin_catalog.connect_tokens",
                "bobbin_catalog.destinations", "bobbin_catalog.import_tokens", "bobbin_catalog.load_status",
                "bobbin_catalog.sources", "bobbin_catalog.table_keys");
        assertThat(strings("SELECT version::text FROM bobbin_schema ORDER BY version")).containsExactly("1", "2", "3");
    }

    @Test
    void catalogsInTwoSchemasOfOneDatabaseAreIndependent() throws Exception {
        try (PostgresCatalog other = PostgresCatalog.open(url(), "tenant_two", clock)) {
            Account inOther = other.createAccount("other");

            assertThat(catalog.accounts()).isEmpty();
            assertThat(other.accounts()).containsExactly(inOther);
        }
        assertThat(strings("SELECT count(*)::text FROM tenant_two.bobbin_schema")).containsExactly("3");
    }

    @Test
    void theCatalogIgnoresWarehouseTablesOfTheSameNames() throws Exception {
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.accounts (id int)");
            st.execute("CREATE SCHEMA import_api");
            st.execute("CREATE TABLE import_api.sources (id int)");
        }
        Catalog another = openCatalog();

        assertThat(another.createAccount("a").clientId()).isPositive();
        assertThat(another.accounts()).hasSize(1);
    }

    @Test
    void theSchemaHasTheSameTablesColumnsAndIndexesAsOnSqlite() throws Exception {
        Map<String, List<String>> postgres = new TreeMap<>();
        try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT table_name, column_name || ' ' || is_nullable FROM information_schema.columns"
                        + " WHERE table_schema = 'bobbin_catalog' AND table_name <> 'bobbin_schema' ORDER BY table_name, ordinal_position")) {
            while (rs.next()) {
                postgres.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<String> postgresIndexes = strings("SELECT indexname || (CASE WHEN indexdef LIKE '% WHERE %' THEN ' partial' ELSE '' END)"
                + " FROM pg_indexes WHERE schemaname = 'bobbin_catalog' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'"
                + " ORDER BY indexname");

        Path file = dir.resolve("parity.db");
        SqliteCatalog.open(file, Clock.systemUTC()).close();
        Map<String, List<String>> sqlite = new TreeMap<>();
        List<String> sqliteIndexes = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT m.name, p.name, p.\"notnull\", p.pk FROM sqlite_master m, pragma_table_info(m.name) p"
                    + " WHERE m.type = 'table' AND m.name <> 'sqlite_sequence' ORDER BY m.name, p.cid")) {
                while (rs.next()) {
                    boolean notNull = rs.getInt(3) == 1 || rs.getInt(4) > 0;
                    sqlite.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2) + (notNull ? " NO" : " YES"));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT name || (CASE WHEN sql LIKE '% WHERE %' THEN ' partial' ELSE '' END) FROM sqlite_master"
                    + " WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")) {
                while (rs.next()) {
                    sqliteIndexes.add(rs.getString(1));
                }
            }
        }

        assertThat(postgres).isEqualTo(sqlite);
        assertThat(postgresIndexes).isEqualTo(sqliteIndexes)
                .containsExactly("destinations_live partial", "load_status_client", "sources_live_name partial");
    }

    @Test
    void openRefusesOtherUrlsAndOddSchemaNames() {
        assertThatThrownBy(() -> PostgresCatalog.open("jdbc:sqlite:/tmp/x.db", clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresCatalog.open(url(), "Bobbin; DROP", clock)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnreachableDatabaseFailsWithoutShowingThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/db?user=u&password=s3cret&connectTimeout=2";

        assertThatThrownBy(() -> PostgresCatalog.open(url, clock))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageNotContaining("s3cret");
    }
}
