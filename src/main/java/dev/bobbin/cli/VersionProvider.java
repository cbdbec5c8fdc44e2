package dev.bobbin.cli;

import picocli.CommandLine;

/** {@code bobbin --version}: the version recorded in the jar's manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Bobbin.class.getPackage().getImplementationVersion();
        return new String[] {"bobbin " + (v == null ? "dev" : v)};
    }
}
