package dev.bobbin.loading;

import dev.bobbin.destination.TableChange;
import dev.bobbin.destination.TableRows;

/** The schema change and the rows for one table of a load (the top-level table or a subtable). */
record TablePlan(TableChange change, TableRows rows) {
}
