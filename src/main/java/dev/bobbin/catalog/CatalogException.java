package dev.bobbin.catalog;

/** The catalog could not be read or written (I/O, a locked or corrupt database). */
public final class CatalogException extends RuntimeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
