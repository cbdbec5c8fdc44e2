package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bobbin.log.LoggedBatch;
import dev.bobbin.log.PayloadFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A table's pending batches are loaded as consecutive units bounded by payload bytes, growing from a small first one, in log order. */
class LoadUnitsTest {

    private static List<LoggedBatch> batches(int... sizes) {
        List<LoggedBatch> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(new LoggedBatch(i + 1, "log/" + (i + 1), 1, 2, "t", PayloadFormat.BATCH_JSON, Instant.EPOCH, new byte[sizes[i]]));
        }
        return out;
    }

    private static List<List<Long>> positions(List<List<LoggedBatch>> units) {
        return units.stream().map(u -> u.stream().map(LoggedBatch::position).toList()).toList();
    }

    @Test
    void batchesFillAUnitUpToTheLimitInLogOrder() {
        assertThat(positions(Loader.units(batches(4, 4, 2, 5, 1, 10), 10, 10)))
                .containsExactly(List.of(1L, 2L, 3L), List.of(4L, 5L), List.of(6L));
    }

    @Test
    void aBatchLargerThanTheLimitIsAUnitOfItsOwn() {
        assertThat(positions(Loader.units(batches(3, 25, 3), 10, 10))).containsExactly(List.of(1L), List.of(2L), List.of(3L));
    }

    @Test
    void unitsDoubleFromTheFirstUpToTheLargest() {
        // limits 2, 4, 8, 10, 10: batches of 2 bytes fill 1, 2, 4, 5, 5 per unit
        assertThat(Loader.units(batches(2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2), 2, 10))
                .extracting(List::size).containsExactly(1, 2, 4, 5, 5);
    }

    @Test
    void smallBacklogsAreOneUnit() {
        assertThat(positions(Loader.units(batches(1, 1, 1), Loader.FIRST_UNIT_BYTES, Loader.MAX_UNIT_BYTES)))
                .containsExactly(List.of(1L, 2L, 3L));
        assertThat(Loader.units(List.of(), 10, 10)).isEmpty();
    }
}
