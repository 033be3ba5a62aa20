package io.redtask.demo;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code fail}: {@code {"times": n}} fails the first n attempts; n &lt; 0 (or no payload) fails all. */
class FailHandlerTest {

    private final FailHandler handler = new FailHandler();

    @Test
    void failsTheFirstNAttemptsThenSucceeds() {
        FailHandler.Payload twice = new FailHandler.Payload(2);
        assertThrows(FailHandler.DemoFailure.class, () -> handler.handle(twice, new Attempt(1)));
        assertThrows(FailHandler.DemoFailure.class, () -> handler.handle(twice, new Attempt(2)));
        assertEquals(Map.of("attempts", 3), handler.handle(twice, new Attempt(3)));
    }

    @Test
    void zeroTimesSucceedsAtOnce() {
        assertEquals(Map.of("attempts", 1), handler.handle(new FailHandler.Payload(0), new Attempt(1)));
    }

    @Test
    void negativeOrMissingFailsEveryAttempt() {
        for (int attempt = 1; attempt <= 50; attempt++) {
            Attempt a = new Attempt(attempt);
            assertThrows(FailHandler.DemoFailure.class, () -> handler.handle(new FailHandler.Payload(-1), a));
            assertThrows(FailHandler.DemoFailure.class, () -> handler.handle(null, a));
        }
    }
}
