package dev.bobbin.loading;

import dev.bobbin.destination.RejectedRecord;
import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRows;
import java.util.List;
import java.util.Optional;

/**
 * What one load unit does to the warehouse, decided without touching it: the schema change, the
 * winning rows, the version to activate afterwards, and the records rejected on the way.
 */
record PreparedLoad(TableChange change, TableRows rows, Optional<Long> activateVersion, List<RejectedRecord> rejects) {
}
