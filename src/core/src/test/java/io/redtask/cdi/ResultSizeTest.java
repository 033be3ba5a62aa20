package io.redtask.cdi;

import io.redtask.NonRetryableException;
import io.redtask.engine.JsonCodec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A handler's result larger than redtask.limits.result-bytes fails its task, for good, saying why. */
class ResultSizeTest {

    @Test
    void aResultOverTheLimitFailsTheTask() {
        JsonCodec codec = new JsonCodec();
        assertDoesNotThrow(() -> RedTaskRuntime.checkResultSize(codec, Map.of("a", "x".repeat(80)), 100));
        assertDoesNotThrow(() -> RedTaskRuntime.checkResultSize(codec, null, 100));
        NonRetryableException e = assertThrows(
                NonRetryableException.class, () -> RedTaskRuntime.checkResultSize(codec, "é".repeat(60), 100));
        assertTrue(
                e.getMessage().contains("122 bytes") && e.getMessage().contains("redtask.limits.result-bytes"),
                e::getMessage);
    }
}
