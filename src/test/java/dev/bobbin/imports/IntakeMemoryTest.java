package dev.bobbin.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bobbin.config.ImportLimits;
import dev.bobbin.http.ApiError;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The heap budget of request bodies: reservations fit, wait their turn, or get the documented 503. */
final class IntakeMemoryTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void theEstimateIsTheDeclaredOrLargestBodyPlusWhatGzipMayInflateTo() {
        ImportLimits limits = ImportLimits.DEFAULTS;
        assertThat(IntakeMemory.estimate(1000, null, limits, 2)).isEqualTo(2000);
        assertThat(IntakeMemory.estimate(1000, "identity", limits, 2)).isEqualTo(2000);
        assertThat(IntakeMemory.estimate(-1, null, limits, 2)).isEqualTo(2 * limits.maxBodyBytes());
        assertThat(IntakeMemory.estimate(1000, "gzip", limits, 3)).isEqualTo(3 * (1000 + limits.maxInflatedBytes()));
        // a declared length over the limit is refused before anything is read: it holds at most the limit
        assertThat(IntakeMemory.estimate(Long.MAX_VALUE / 4, null, limits, 2)).isEqualTo(2 * limits.maxBodyBytes());
    }

    @Test
    void aReservationThatDoesNotFitWaitsUntilAnotherIsGivenBack() throws Exception {
        IntakeMemory memory = new IntakeMemory(10 * MIB, Duration.ofSeconds(20));
        IntakeMemory.Reservation first = memory.reserve(8 * MIB);
        CompletableFuture<IntakeMemory.Reservation> second = CompletableFuture.supplyAsync(() -> memory.reserve(4 * MIB));
        Thread.sleep(300);
        assertThat(second).isNotDone();

        first.close();
        try (IntakeMemory.Reservation got = second.get(10, TimeUnit.SECONDS)) {
            assertThat(memory.availableBytes()).isEqualTo(6 * MIB);
        }
        assertThat(memory.availableBytes()).isEqualTo(10 * MIB);
    }

    @Test
    void closingTwiceGivesBackOnce() {
        IntakeMemory memory = new IntakeMemory(10 * MIB, Duration.ofSeconds(1));
        IntakeMemory.Reservation r = memory.reserve(3 * MIB);
        r.close();
        r.close();
        assertThat(memory.availableBytes()).isEqualTo(10 * MIB);
    }

    @Test
    void aReservationLargerThanTheBudgetTakesAllOfItAndRunsAlone() {
        IntakeMemory memory = new IntakeMemory(10 * MIB, Duration.ofMillis(200));
        try (IntakeMemory.Reservation huge = memory.reserve(100 * MIB)) {
            assertThat(memory.availableBytes()).isZero();
            assertThatThrownBy(() -> memory.reserve(1)).isInstanceOf(ApiError.class);
        }
        assertThat(memory.availableBytes()).isEqualTo(10 * MIB);
    }

    @Test
    void whatIsStillNotFreeAfterTheWaitIsTheDocumented503() {
        IntakeMemory memory = new IntakeMemory(10 * MIB, Duration.ofMillis(100));
        try (IntakeMemory.Reservation held = memory.reserve(9 * MIB)) {
            assertThatThrownBy(() -> memory.reserve(2 * MIB)).isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.headers()).containsEntry("Retry-After", "5");
                assertThat(e.body()).isEqualTo(Map.of("status", "ERROR", "message",
                        "The batch was not accepted; retry later: the server is holding as many request bodies as its memory allows"));
            });
            assertThat(memory.availableBytes()).isEqualTo(1 * MIB);
        }
    }
}
