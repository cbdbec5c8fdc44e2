package dev.bobbin.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Catalog} contract, run against every implementation on a real database. A subclass
 * provides a fresh store per test and opens catalog instances on it; two instances on one store stand
 * for two Bobbin nodes sharing the catalog.
 */
abstract class CatalogContractTest {
    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    private final List<Catalog> opened = Collections.synchronizedList(new ArrayList<>());
    Catalog catalog;

    /** Prepares a fresh, empty store; later {@link #openCatalog} calls open instances on it. */
    abstract void createStore(Path dir);

    /** Opens one more catalog instance on the current store, as one more node would. */
    abstract Catalog openInstance(Clock clock);

    /** A plain connection to the current store on which the catalog's tables are reachable unqualified. */
    abstract Connection raw() throws SQLException;

    @BeforeEach
    void openStore() {
        createStore(dir.resolve("store"));
        catalog = openCatalog();
    }

    @AfterEach
    void closeCatalogs() {
        synchronized (opened) {
            opened.forEach(Catalog::close);
        }
    }

    Catalog openCatalog() {
        Catalog c = openInstance(clock);
        opened.add(c);
        return c;
    }

    // ---- accounts -------------------------------------------------------------------------------

    @Test
    void anAccountIsCreatedWithASixDigitClientIdAndItsEmbeddedDuckdbDestination() {
        Account account = catalog.createAccount("Acme");

        assertThat(account.clientId()).isBetween(100_000L, 999_999L);
        assertThat(account.name()).isEqualTo("Acme");
        assertThat(account.createdAt()).isEqualTo(clock.instant());
        assertThat(catalog.accounts()).containsExactly(account);
        DestinationConfig destination = catalog.destination(account.clientId()).orElseThrow();
        assertThat(destination.type()).isEqualTo(DestinationConfig.DUCKDB);
        assertThat(destination.clientId()).isEqualTo(account.clientId());
        assertThat(destination.properties()).isEmpty();
        assertThat(destination.name()).isEmpty();
    }

    @Test
    void accountsAreListedOldestFirst() {
        Account first = catalog.createAccount("first");
        clock.advance(Duration.ofSeconds(1));
        Account second = catalog.createAccount("second");
        clock.advance(Duration.ofSeconds(1));
        Account third = catalog.createAccount("third");

        assertThat(catalog.accounts()).containsExactly(first, second, third);
    }

    @Test
    void createAccountIfNoneCreatesTheAccountOnlyInAnEmptyCatalog() {
        Account created = catalog.createAccountIfNone("default").orElseThrow();

        assertThat(catalog.destination(created.clientId()).orElseThrow().type()).isEqualTo(DestinationConfig.DUCKDB);
        assertThat(catalog.createAccountIfNone("default")).isEmpty();
        assertThat(catalog.createAccountIfNone("other")).isEmpty();
        assertThat(catalog.accounts()).containsExactly(created);
    }

    @Test
    void createAccountIfNoneDoesNothingWhenAnyAccountExists() {
        Account existing = catalog.createAccount("made by the accounts command");

        assertThat(catalog.createAccountIfNone("default")).isEmpty();
        assertThat(catalog.accounts()).containsExactly(existing);
    }

    // ---- Connect API tokens ---------------------------------------------------------------------

    @Test
    void aConnectTokenIdentifiesItsAccount() {
        Account a = catalog.createAccount("a");
        Account b = catalog.createAccount("b");
        String tokenA = Tokens.newConnectToken();
        String tokenB = Tokens.newConnectToken();
        catalog.addConnectToken(a.clientId(), tokenA);
        catalog.addConnectToken(b.clientId(), tokenB);

        assertThat(catalog.accountForConnectToken(tokenA)).contains(a);
        assertThat(catalog.accountForConnectToken(tokenB)).contains(b);
        assertThat(catalog.accountForConnectToken(Tokens.newConnectToken())).isEmpty();
        assertThat(catalog.accountForConnectToken(Tokens.hash(tokenA))).as("the stored hash is not a token").isEmpty();
    }

    @Test
    void addingAConnectTokenTwiceIsANoOp() throws SQLException {
        Account a = catalog.createAccount("a");
        String token = Tokens.newConnectToken();
        catalog.addConnectToken(a.clientId(), token);
        catalog.addConnectToken(a.clientId(), token);
        openCatalog().addConnectToken(a.clientId(), token);

        assertThat(catalog.accountForConnectToken(token)).contains(a);
        assertThat(count("SELECT count(*) FROM connect_tokens")).isEqualTo(1);
    }

    @Test
    void aConnectTokenOfAnotherAccountIsNotAddedAgain() {
        Account a = catalog.createAccount("a");
        Account b = catalog.createAccount("b");
        String token = Tokens.newConnectToken();
        catalog.addConnectToken(a.clientId(), token);

        assertThatThrownBy(() -> catalog.addConnectToken(b.clientId(), token)).isInstanceOf(IllegalArgumentException.class);
        assertThat(catalog.accountForConnectToken(token)).contains(a);
    }

    @Test
    void tokensAreStoredOnlyAsHashes() throws Exception {
        Account a = catalog.createAccount("a");
        String connectToken = Tokens.newConnectToken();
        catalog.addConnectToken(a.clientId(), connectToken);
        Source source = catalog.createSource(a.clientId(), "import_api", "s", "S");
        String importToken = catalog.createImportToken(a.clientId(), source.id(), 2).orElseThrow().value();

        assertThat(importToken).startsWith(Tokens.IMPORT_PREFIX);
        assertThat(strings("SELECT token_hash FROM connect_tokens")).containsExactly(Tokens.hash(connectToken));
        assertThat(strings("SELECT token_hash FROM import_tokens")).containsExactly(Tokens.hash(importToken));
        for (String table : List.of("accounts", "connect_tokens", "sources", "import_tokens", "destinations")) {
            assertThat(wholeTableText(table)).as(table).doesNotContain(connectToken, importToken,
                    connectToken.substring(Tokens.CONNECT_PREFIX.length()), importToken.substring(Tokens.IMPORT_PREFIX.length()));
        }
    }

    // ---- sources --------------------------------------------------------------------------------

    @Test
    void aCreatedSourceIsActiveAndFoundByItsAccountOnly() throws Exception {
        Account a = catalog.createAccount("a");
        Account b = catalog.createAccount("b");
        Source source = catalog.createSource(a.clientId(), "import_api", "crm", "CRM");

        assertThat(source.clientId()).isEqualTo(a.clientId());
        assertThat(source.type()).isEqualTo("import_api");
        assertThat(source.name()).isEqualTo("crm");
        assertThat(source.displayName()).isEqualTo("CRM");
        assertThat(source.properties()).isEmpty();
        assertThat(source.createdAt()).isEqualTo(clock.instant());
        assertThat(source.updatedAt()).isEqualTo(clock.instant());
        assertThat(source.active()).isTrue();
        assertThat(catalog.source(a.clientId(), source.id())).contains(source);
        assertThat(catalog.sources(a.clientId())).containsExactly(source);
        assertThat(catalog.source(b.clientId(), source.id())).isEmpty();
        assertThat(catalog.sources(b.clientId())).isEmpty();
        assertThat(catalog.source(a.clientId(), source.id() + 1000)).isEmpty();
    }

    @Test
    void sourcesAreListedInCreationOrder() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source z = catalog.createSource(clientId, "import_api", "z", "Z");
        Source a = catalog.createSource(clientId, "import_api", "a", "A");

        assertThat(catalog.sources(clientId)).extracting(Source::id).containsExactly(z.id(), a.id());
    }

    @Test
    void aLiveSourceNameIsUniqueWithinItsAccount() throws Exception {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        Source first = catalog.createSource(a, "import_api", "crm", "CRM");

        assertThatThrownBy(() -> catalog.createSource(a, "import_api", "crm", "Another"))
                .isInstanceOfSatisfying(NameTakenException.class, e -> assertThat(e.name()).isEqualTo("crm"));
        assertThat(catalog.createSource(b, "import_api", "crm", "CRM").clientId()).isEqualTo(b);
        catalog.deleteSource(a, first.id());
        assertThat(catalog.createSource(a, "import_api", "crm", "CRM again").id()).isNotEqualTo(first.id());
    }

    @Test
    void updateSourceChangesOnlyWhatIsGiven() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        clock.advance(Duration.ofMinutes(1));

        Source renamed = catalog.updateSource(clientId, source.id(),
                new SourceUpdate(Optional.of("New CRM"), Optional.empty(), Optional.empty())).orElseThrow();
        assertThat(renamed.displayName()).isEqualTo("New CRM");
        assertThat(renamed.name()).isEqualTo("crm");
        assertThat(renamed.updatedAt()).isEqualTo(clock.instant());
        assertThat(renamed.createdAt()).isEqualTo(source.createdAt());
        assertThat(renamed.active()).isTrue();

        Instant pauseTime = Instant.parse("2024-05-01T10:00:00Z");
        Source paused = catalog.updateSource(clientId, source.id(),
                new SourceUpdate(Optional.empty(), Optional.of(Optional.of(pauseTime)), Optional.of(Map.of("frequency_in_minutes", "60")))).orElseThrow();
        assertThat(paused.pausedAt()).contains(pauseTime);
        assertThat(paused.active()).isFalse();
        assertThat(paused.displayName()).isEqualTo("New CRM");
        assertThat(paused.properties()).containsExactly(Map.entry("frequency_in_minutes", "60"));

        Source unpaused = catalog.updateSource(clientId, source.id(),
                new SourceUpdate(Optional.empty(), Optional.of(Optional.empty()), Optional.empty())).orElseThrow();
        assertThat(unpaused.pausedAt()).isEmpty();
        assertThat(unpaused.properties()).containsExactly(Map.entry("frequency_in_minutes", "60"));
    }

    @Test
    void updateSourceIgnoresUnknownForeignAndDeletedSources() throws Exception {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        Source source = catalog.createSource(a, "import_api", "crm", "CRM");
        SourceUpdate rename = new SourceUpdate(Optional.of("X"), Optional.empty(), Optional.empty());

        assertThat(catalog.updateSource(b, source.id(), rename)).isEmpty();
        assertThat(catalog.updateSource(a, source.id() + 1000, rename)).isEmpty();
        catalog.deleteSource(a, source.id());
        assertThat(catalog.updateSource(a, source.id(), rename)).isEmpty();
        assertThat(catalog.source(a, source.id()).orElseThrow().displayName()).isEqualTo("CRM");
    }

    @Test
    void aDeletedSourceKeepsItsRowAndIsDeletedOnce() throws Exception {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        Source source = catalog.createSource(a, "import_api", "crm", "CRM");
        clock.advance(Duration.ofMinutes(1));

        assertThat(catalog.deleteSource(b, source.id())).isEmpty();
        Source deleted = catalog.deleteSource(a, source.id()).orElseThrow();
        assertThat(deleted.deletedAt()).contains(clock.instant());
        assertThat(deleted.updatedAt()).isEqualTo(clock.instant());
        assertThat(deleted.active()).isFalse();
        assertThat(catalog.deleteSource(a, source.id())).isEmpty();
        assertThat(catalog.source(a, source.id())).contains(deleted);
    }

    // ---- Import API tokens ----------------------------------------------------------------------

    @Test
    void anImportTokenGrantsWritesIntoItsSource() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        IssuedToken token = catalog.createImportToken(clientId, source.id(), 2).orElseThrow();

        ImportGrant grant = catalog.grantForImportToken(token.value()).orElseThrow();
        assertThat(grant.tokenId()).isEqualTo(token.id());
        assertThat(grant.source()).isEqualTo(source);
        assertThat(grant.clientId()).isEqualTo(clientId);
        assertThat(catalog.grantForImportToken(Tokens.newImportToken())).isEmpty();
    }

    @Test
    void aGrantShowsThePauseAndDeleteStateOfItsSource() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        String token = catalog.createImportToken(clientId, source.id(), 2).orElseThrow().value();

        catalog.updateSource(clientId, source.id(), new SourceUpdate(Optional.empty(), Optional.of(Optional.of(clock.instant())), Optional.empty()));
        assertThat(catalog.grantForImportToken(token).orElseThrow().source().active()).isFalse();
        catalog.deleteSource(clientId, source.id());
        assertThat(catalog.grantForImportToken(token).orElseThrow().source().deletedAt()).isPresent();
    }

    @Test
    void activeImportTokensAreListedNewestFirstWithoutTheirValues() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        IssuedToken first = catalog.createImportToken(clientId, source.id(), 3).orElseThrow();
        clock.advance(Duration.ofSeconds(1));
        IssuedToken second = catalog.createImportToken(clientId, source.id(), 3).orElseThrow();

        assertThat(catalog.importTokens(clientId, source.id()).orElseThrow())
                .containsExactly(new ImportToken(second.id(), source.id(), clock.instant()),
                        new ImportToken(first.id(), source.id(), clock.instant().minusSeconds(1)));
        catalog.revokeImportToken(clientId, source.id(), first.id());
        assertThat(catalog.importTokens(clientId, source.id()).orElseThrow()).extracting(ImportToken::id).containsExactly(second.id());
    }

    @Test
    void aSourceHasAtMostMaxActiveTokensAndRevokingFreesASlot() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        IssuedToken first = catalog.createImportToken(clientId, source.id(), 2).orElseThrow();
        catalog.createImportToken(clientId, source.id(), 2).orElseThrow();

        assertThatThrownBy(() -> catalog.createImportToken(clientId, source.id(), 2)).isInstanceOf(TooManyTokensException.class);
        catalog.revokeImportToken(clientId, source.id(), first.id());
        assertThat(catalog.createImportToken(clientId, source.id(), 2)).isPresent();
        assertThat(catalog.importTokens(clientId, source.id()).orElseThrow()).hasSize(2);
    }

    @Test
    void importTokensOfUnknownForeignAndDeletedSourcesDoNotExist() throws Exception {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        Source source = catalog.createSource(a, "import_api", "crm", "CRM");
        catalog.createImportToken(a, source.id(), 2).orElseThrow();

        assertThat(catalog.createImportToken(b, source.id(), 2)).isEmpty();
        assertThat(catalog.importTokens(b, source.id())).isEmpty();
        assertThat(catalog.createImportToken(a, source.id() + 1000, 2)).isEmpty();
        assertThat(catalog.importTokens(a, source.id() + 1000)).isEmpty();
        catalog.deleteSource(a, source.id());
        assertThat(catalog.createImportToken(a, source.id(), 2)).isEmpty();
    }

    @Test
    void revokingATokenEndsItsGrantAndTouchesTheSource() throws Exception {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        Source source = catalog.createSource(a, "import_api", "crm", "CRM");
        Source other = catalog.createSource(a, "import_api", "other", "Other");
        IssuedToken token = catalog.createImportToken(a, source.id(), 2).orElseThrow();
        clock.advance(Duration.ofMinutes(1));

        assertThat(catalog.revokeImportToken(b, source.id(), token.id())).as("another account").isEmpty();
        assertThat(catalog.revokeImportToken(a, other.id(), token.id())).as("another source").isEmpty();
        assertThat(catalog.revokeImportToken(a, source.id(), token.id() + 1000)).as("an unknown token").isEmpty();
        assertThat(catalog.grantForImportToken(token.value())).isPresent();

        Source touched = catalog.revokeImportToken(a, source.id(), token.id()).orElseThrow();
        assertThat(touched.updatedAt()).isEqualTo(clock.instant());
        assertThat(catalog.grantForImportToken(token.value())).isEmpty();
        assertThat(catalog.revokeImportToken(a, source.id(), token.id())).as("revoked already").isEmpty();
    }

    // ---- destinations -------------------------------------------------------------------------

    @Test
    void anAccountHasOneLiveDestination() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        DestinationConfig embedded = catalog.destination(clientId).orElseThrow();

        assertThatThrownBy(() -> catalog.createDestination(clientId, "postgres", Optional.empty(), Optional.empty(), Map.of()))
                .isInstanceOf(DestinationLimitException.class);
        assertThat(catalog.deleteDestination(clientId, embedded.id())).isTrue();
        assertThat(catalog.deleteDestination(clientId, embedded.id())).isFalse();
        assertThat(catalog.destination(clientId)).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        Map<String, String> properties = Map.of("host", "db.example.com", "port", "5432");
        DestinationConfig created = catalog.createDestination(clientId, "postgres", Optional.of("Warehouse"), Optional.of("the big one"), properties);
        assertThat(created).isEqualTo(new DestinationConfig(created.id(), clientId, "postgres", Optional.of("Warehouse"),
                Optional.of("the big one"), properties, clock.instant(), clock.instant()));
        assertThat(catalog.destination(clientId)).contains(created);
    }

    @Test
    void updateDestinationReplacesItsProperties() {
        long clientId = catalog.createAccount("a").clientId();
        DestinationConfig embedded = catalog.destination(clientId).orElseThrow();
        clock.advance(Duration.ofMinutes(1));

        DestinationConfig updated = catalog.updateDestination(clientId, embedded.id(), Map.of("k", "v")).orElseThrow();
        assertThat(updated.properties()).containsExactly(Map.entry("k", "v"));
        assertThat(updated.updatedAt()).isEqualTo(clock.instant());
        assertThat(updated.createdAt()).isEqualTo(embedded.createdAt());
        assertThat(catalog.updateDestination(clientId, embedded.id(), Map.of())).get()
                .extracting(DestinationConfig::properties).isEqualTo(Map.of());
    }

    @Test
    void anotherAccountsDestinationBehavesLikeAnUnknownOne() {
        long a = catalog.createAccount("a").clientId();
        long b = catalog.createAccount("b").clientId();
        DestinationConfig ofA = catalog.destination(a).orElseThrow();

        assertThat(catalog.updateDestination(b, ofA.id(), Map.of("k", "v"))).isEmpty();
        assertThat(catalog.deleteDestination(b, ofA.id())).isFalse();
        assertThat(catalog.updateDestination(a, ofA.id() + 1000, Map.of())).isEmpty();
        assertThat(catalog.deleteDestination(a, ofA.id() + 1000)).isFalse();
        assertThat(catalog.destination(a)).contains(ofA);
        assertThat(catalog.destination(b).orElseThrow().id()).isNotEqualTo(ofA.id());
    }

    // ---- table keys and load status -----------------------------------------------------------

    @Test
    void theFirstKeyNamesOfATableWin() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long s1 = catalog.createSource(clientId, "import_api", "one", "One").id();
        long s2 = catalog.createSource(clientId, "import_api", "two", "Two").id();

        assertThat(catalog.keyNames(s1, "users")).isEmpty();
        assertThat(catalog.fixKeyNames(s1, "users", List.of("id", "region"))).containsExactly("id", "region");
        assertThat(catalog.fixKeyNames(s1, "users", List.of("email"))).containsExactly("id", "region");
        assertThat(catalog.keyNames(s1, "users")).contains(List.of("id", "region"));
        assertThat(catalog.fixKeyNames(s1, "orders", List.of())).isEmpty();
        assertThat(catalog.keyNames(s1, "orders")).contains(List.of());
        assertThat(catalog.keyNames(s2, "users")).isEmpty();
    }

    @Test
    void loadStatusKeepsTheLastOutcomePerTable() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long sourceId = catalog.createSource(clientId, "import_api", "crm", "CRM").id();
        Instant loadedAt = Instant.parse("2024-05-01T10:00:00Z");

        catalog.recordLoadSucceeded(clientId, sourceId, "users", loadedAt);
        assertThat(catalog.loads(clientId, 0, 10))
                .containsExactly(new LoadStatus(clientId, "crm", "users", Optional.of(loadedAt), Optional.empty()));

        catalog.recordLoadFailed(clientId, sourceId, "users", "{\"message\":\"boom\"}");
        assertThat(catalog.loads(clientId, 0, 10))
                .containsExactly(new LoadStatus(clientId, "crm", "users", Optional.empty(), Optional.of("{\"message\":\"boom\"}")));

        catalog.recordLoadSucceeded(clientId, sourceId, "users", loadedAt.plusSeconds(60));
        assertThat(catalog.loads(clientId, 0, 10))
                .containsExactly(new LoadStatus(clientId, "crm", "users", Optional.of(loadedAt.plusSeconds(60)), Optional.empty()));
        assertThat(catalog.loadCount(clientId)).isEqualTo(1);
    }

    @Test
    void loadsArePagedByStreamNameInCodePointOrderThenSourceName() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long other = catalog.createAccount("b").clientId();
        long crm = catalog.createSource(clientId, "import_api", "crm", "CRM").id();
        long app = catalog.createSource(clientId, "import_api", "app", "App").id();
        long foreign = catalog.createSource(other, "import_api", "crm", "CRM").id();
        Instant at = Instant.parse("2024-05-01T10:00:00Z");
        for (String table : List.of("b", "a_c", "ab", "Zeta")) {
            catalog.recordLoadSucceeded(clientId, crm, table, at);
        }
        catalog.recordLoadSucceeded(clientId, app, "ab", at);
        catalog.recordLoadSucceeded(other, foreign, "aa", at);

        List<LoadStatus> all = catalog.loads(clientId, 0, 100);
        assertThat(all).extracting(l -> l.streamName() + "/" + l.sourceName())
                .containsExactly("Zeta/crm", "a_c/crm", "ab/app", "ab/crm", "b/crm");
        assertThat(catalog.loads(clientId, 1, 2)).containsExactlyElementsOf(all.subList(1, 3));
        assertThat(catalog.loads(clientId, 5, 2)).isEmpty();
        assertThat(catalog.loadCount(clientId)).isEqualTo(5);
        assertThat(catalog.loadCount(other)).isEqualTo(1);
        assertThat(catalog.loads(other, 0, 10)).extracting(LoadStatus::streamName).containsExactly("aa");
    }

    // ---- two nodes on one store ---------------------------------------------------------------

    @Test
    void anotherInstanceSeesRevocationsPausesAndDeletesAtOnce() throws Exception {
        Catalog node2 = openCatalog();
        long clientId = catalog.createAccount("a").clientId();
        Source source = catalog.createSource(clientId, "import_api", "crm", "CRM");
        IssuedToken token = catalog.createImportToken(clientId, source.id(), 2).orElseThrow();
        String connectToken = Tokens.newConnectToken();
        catalog.addConnectToken(clientId, connectToken);

        assertThat(node2.grantForImportToken(token.value())).isPresent();
        assertThat(node2.accountForConnectToken(connectToken)).isPresent();
        catalog.revokeImportToken(clientId, source.id(), token.id());
        assertThat(node2.grantForImportToken(token.value())).isEmpty();

        IssuedToken second = node2.createImportToken(clientId, source.id(), 2).orElseThrow();
        node2.updateSource(clientId, source.id(), new SourceUpdate(Optional.empty(), Optional.of(Optional.of(clock.instant())), Optional.empty()));
        assertThat(catalog.grantForImportToken(second.value()).orElseThrow().source().active()).isFalse();
        node2.deleteSource(clientId, source.id());
        assertThat(catalog.source(clientId, source.id()).orElseThrow().deletedAt()).isPresent();
        assertThat(catalog.sources(clientId)).allSatisfy(s -> assertThat(s.active()).isFalse());
    }

    // ---- races between nodes ------------------------------------------------------------------

    @Test
    void nodesRacingToBootstrapCreateExactlyOneAccount() throws Exception {
        List<Catalog> nodes = List.of(catalog, openCatalog(), openCatalog());
        List<Optional<Account>> outcomes = race(8, i -> nodes.get(i % nodes.size()).createAccountIfNone("default"));

        assertThat(outcomes.stream().filter(Optional::isPresent)).hasSize(1);
        Account created = outcomes.stream().flatMap(Optional::stream).findFirst().orElseThrow();
        assertThat(catalog.accounts()).containsExactly(created);
        assertThat(count("SELECT count(*) FROM destinations")).isEqualTo(1);
    }

    @Test
    void nodesRacingForOneSourceNameCreateItOnce() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        List<Catalog> nodes = List.of(catalog, openCatalog());
        List<String> outcomes = race(8, i -> {
            try {
                return "created " + nodes.get(i % 2).createSource(clientId, "import_api", "crm", "CRM " + i).id();
            } catch (NameTakenException e) {
                return "taken";
            }
        });

        assertThat(outcomes).filteredOn(o -> o.startsWith("created")).hasSize(1);
        assertThat(outcomes).filteredOn("taken"::equals).hasSize(7);
        assertThat(catalog.sources(clientId)).hasSize(1);
    }

    @Test
    void nodesRacingForImportTokensStayWithinTheLimit() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long sourceId = catalog.createSource(clientId, "import_api", "crm", "CRM").id();
        List<Catalog> nodes = List.of(catalog, openCatalog());
        List<String> outcomes = race(10, i -> {
            try {
                return nodes.get(i % 2).createImportToken(clientId, sourceId, 3).isPresent() ? "issued" : "no source";
            } catch (TooManyTokensException e) {
                return "too many";
            }
        });

        assertThat(outcomes).filteredOn("issued"::equals).hasSize(3);
        assertThat(outcomes).filteredOn("too many"::equals).hasSize(7);
        assertThat(catalog.importTokens(clientId, sourceId).orElseThrow()).hasSize(3);
    }

    @Test
    void nodesRacingToCreateADestinationCreateOne() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        catalog.deleteDestination(clientId, catalog.destination(clientId).orElseThrow().id());
        List<Catalog> nodes = List.of(catalog, openCatalog());
        List<String> outcomes = race(8, i -> {
            try {
                return "created " + nodes.get(i % 2).createDestination(clientId, "postgres", Optional.of("d" + i), Optional.empty(), Map.of()).id();
            } catch (DestinationLimitException e) {
                return "limit";
            }
        });

        assertThat(outcomes).filteredOn(o -> o.startsWith("created")).hasSize(1);
        assertThat(outcomes).filteredOn("limit"::equals).hasSize(7);
        assertThat(catalog.destination(clientId)).isPresent();
    }

    @Test
    void nodesRacingToFixKeyNamesAllGetTheFirstWritersKeys() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long sourceId = catalog.createSource(clientId, "import_api", "crm", "CRM").id();
        List<Catalog> nodes = List.of(catalog, openCatalog());
        List<List<String>> outcomes = race(8, i -> nodes.get(i % 2).fixKeyNames(sourceId, "users", List.of("key" + i)));

        assertThat(outcomes).allSatisfy(keys -> assertThat(keys).isEqualTo(outcomes.get(0)));
        assertThat(catalog.keyNames(sourceId, "users")).contains(outcomes.get(0));
    }

    @Test
    void nodesRacingToRecordLoadStatusKeepOneRowPerTable() throws Exception {
        long clientId = catalog.createAccount("a").clientId();
        long sourceId = catalog.createSource(clientId, "import_api", "crm", "CRM").id();
        List<Catalog> nodes = List.of(catalog, openCatalog());
        race(8, i -> {
            Catalog node = nodes.get(i % 2);
            if (i % 3 == 0) {
                node.recordLoadFailed(clientId, sourceId, "users", "{}");
            } else {
                node.recordLoadSucceeded(clientId, sourceId, "users", Instant.ofEpochSecond(i));
            }
            return i;
        });

        assertThat(catalog.loadCount(clientId)).isEqualTo(1);
    }

    @Test
    void threeNodesOpeningAnEmptyStoreAtOnceMigrateItOnce() throws Exception {
        createStore(dir.resolve("empty"));
        List<Catalog> nodes = race(3, i -> openCatalog());

        Account account = nodes.get(0).createAccount("a");
        for (Catalog node : nodes) {
            assertThat(node.accounts()).containsExactly(account);
        }
        assertThat(schemaVersion()).isEqualTo(CatalogSchema.latestVersion());
    }

    /** The schema version the store records. */
    abstract int schemaVersion() throws SQLException;

    // ---- helpers ------------------------------------------------------------------------------

    interface Attempt<T> {
        T run(int i) throws Exception;
    }

    /** Runs {@code n} attempts at once, released together, and returns their outcomes. */
    static <T> List<T> race(int n, Attempt<T> attempt) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit((Callable<T>) () -> {
                    ready.countDown();
                    go.await();
                    return attempt.run(index);
                }));
            }
            ready.await();
            go.countDown();
            List<T> outcomes = new ArrayList<>();
            for (Future<T> future : futures) {
                outcomes.add(future.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            threads.shutdownNow();
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<String> strings(String sql) throws SQLException {
        try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /** Every value of every row of a table, as text. */
    String wholeTableText(String table) throws SQLException {
        try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            StringBuilder text = new StringBuilder();
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    text.append(rs.getString(i)).append('|');
                }
                text.append('\n');
            }
            return text.toString();
        }
    }

    /** A clock that stands still until a test moves it. */
    static final class TestClock extends Clock {
        private final AtomicLong millis = new AtomicLong(Instant.parse("2024-04-01T12:00:00Z").toEpochMilli());

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
