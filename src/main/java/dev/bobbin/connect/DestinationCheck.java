package dev.bobbin.connect;

import java.util.Map;
import java.util.Optional;

/**
 * Checks that a destination can be reached and written with the given properties before it is
 * accepted (connect-api.md §10). Implementations connect for real; they never log credentials.
 */
@FunctionalInterface
public interface DestinationCheck {
    /** Empty when the destination works; otherwise a message a person can act on. */
    Optional<String> problem(String type, Map<String, String> properties);
}
