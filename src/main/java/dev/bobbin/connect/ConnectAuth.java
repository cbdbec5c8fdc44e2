package dev.bobbin.connect;

import dev.bobbin.catalog.Account;
import dev.bobbin.catalog.Catalog;
import dev.bobbin.http.BearerToken;
import io.javalin.http.Context;

/** Resolves a request's Connect API token to its account, or answers 401. */
final class ConnectAuth {
    private final Catalog catalog;

    ConnectAuth(Catalog catalog) {
        this.catalog = catalog;
    }

    Account account(Context ctx) {
        return BearerToken.from(ctx.header("Authorization"))
                .flatMap(catalog::accountForConnectToken)
                .orElseThrow(ConnectErrors::notAuthorized);
    }
}
