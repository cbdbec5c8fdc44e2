package dev.bobbin.loading;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The generated keys of keyless tables are exactly {@link UUID#nameUUIDFromBytes} of {@code <batch key>#<index>} (L7). */
class GeneratedKeysTest {

    private static String expected(String batchKey, int index) {
        return UUID.nameUUIDFromBytes((batchKey + "#" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Test
    void keysAreTheNameUuidsOfBatchKeyAndIndex() {
        GeneratedKeys keys = new GeneratedKeys();
        int[] indexes = {0, 1, 9, 10, 99, 100, 12_345, 999_999, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};
        for (String batchKey : new String[] {"b-1", "b-1", "", "żółw-🐢", "b-2", "b-1", "x".repeat(300)}) {
            for (int index : indexes) {
                assertThat(keys.of(batchKey, index)).as("%s#%s", batchKey, index).isEqualTo(expected(batchKey, index));
            }
        }
    }

    @Test
    void batchKeysAlternatingRecordByRecordKeepTheirOwnPrefix() {
        GeneratedKeys keys = new GeneratedKeys();
        for (int i = 0; i < 50; i++) {
            String batchKey = i % 2 == 0 ? "short" : "a-much-longer-batch-key";
            assertThat(keys.of(batchKey, i)).isEqualTo(expected(batchKey, i));
        }
    }
}
