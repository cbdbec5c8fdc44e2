package dev.bobbin.node;

import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.destination.duckdb.DuckDbWarehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded DuckDB warehouses of a data dir, one file per account so that accounts never share a
 * schema: the first account's is {@code warehouse.duckdb}, every other account's is
 * {@code warehouse-<client id>.duckdb}. Files are opened on first use and held open until close.
 */
public final class EmbeddedWarehouses implements AutoCloseable {
    private final Path dataDir;
    private final Catalog catalog;
    private final Map<Long, DuckDbWarehouse> open = new ConcurrentHashMap<>();

    public EmbeddedWarehouses(Path dataDir, Catalog catalog) {
        this.dataDir = dataDir;
        this.catalog = catalog;
    }

    /** The warehouse file of an account (the one home of the naming rule). */
    public static Path file(Path dataDir, Catalog catalog, long clientId) {
        List<Account> accounts = catalog.accounts();
        boolean first = !accounts.isEmpty() && accounts.get(0).clientId() == clientId;
        return dataDir.resolve(first ? "warehouse.duckdb" : "warehouse-" + clientId + ".duckdb");
    }

    /** The first account's client id, if there is an account. */
    public static OptionalLong firstAccount(Catalog catalog) {
        List<Account> accounts = catalog.accounts();
        return accounts.isEmpty() ? OptionalLong.empty() : OptionalLong.of(accounts.get(0).clientId());
    }

    /** @throws IllegalArgumentException when no account has that client id */
    public DuckDbWarehouse forAccount(long clientId) {
        DuckDbWarehouse warehouse = open.get(clientId);
        if (warehouse != null) {
            return warehouse;
        }
        if (catalog.accounts().stream().noneMatch(a -> a.clientId() == clientId)) {
            throw new IllegalArgumentException("no account " + clientId);
        }
        return open.computeIfAbsent(clientId, id -> DuckDbWarehouse.open(file(dataDir, catalog, id)));
    }

    @Override
    public void close() {
        open.values().forEach(DuckDbWarehouse::close);
        open.clear();
    }
}
