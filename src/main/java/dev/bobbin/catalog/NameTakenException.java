package dev.bobbin.catalog;

/** Another live source of the same account already has this schema name. */
public final class NameTakenException extends Exception {
    private final String name;

    public NameTakenException(String name) {
        super("non-unique name (" + name + ")");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
