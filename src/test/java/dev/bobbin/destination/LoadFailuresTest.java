package dev.bobbin.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Which load failures make the loader wait (environment) and which count against a batch (data). */
class LoadFailuresTest {

    @Test
    void postgresConnectionResourceShutdownAndIoErrorsAreEnvironmental() {
        for (String state : new String[] {"08006", "08001", "53100", "53300", "57P01", "57P03", "58030"}) {
            assertThat(LoadFailures.environmental(new SQLException("x", state))).as(state).isTrue();
        }
    }

    @Test
    void postgresDataErrorsAreNot() {
        for (String state : new String[] {"22021", "22P02", "23505", "42703", "54000"}) {
            assertThat(LoadFailures.environmental(new SQLException("x", state))).as(state).isFalse();
        }
    }

    @Test
    void duckDbFileErrorsAreEnvironmental() {
        assertThat(LoadFailures.environmental(new SQLException(
                "TransactionContext Error: Failed to commit: Could not write file \"/d/warehouse.duckdb.wal\": No space left on device"))).isTrue();
        assertThat(LoadFailures.environmental(new SQLException("IO Error: Could not read from file \"/d/warehouse.duckdb\"")))
                .isTrue();
    }

    @Test
    void aRecordQuotingThoseWordsIsStillData() {
        assertThat(LoadFailures.environmental(new SQLException(
                "Conversion Error: Could not convert string 'IO Error: No space left on device' to INT64"))).isFalse();
        assertThat(LoadFailures.environmental(new SQLException(
                "invalid input syntax for type bigint: \"No space left on device\"", "22P02"))).isFalse();
        assertThat(LoadFailures.environmental(new ArithmeticException("Rounding necessary"))).isFalse();
    }

    @Test
    void theCauseChainIsSearched() {
        Exception wrapped = new DestinationException("PostgreSQL load failed",
                new IllegalStateException("cannot read the load ledger", new SQLException("An I/O error occurred", "08006")));
        assertThat(LoadFailures.environmental(wrapped)).isTrue();
    }
}
