package dev.bobbin.catalog;

/** A freshly created token: the only time its value exists outside the client that receives it. */
public record IssuedToken(long id, String value) {

    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", value=<redacted>]";
    }
}
