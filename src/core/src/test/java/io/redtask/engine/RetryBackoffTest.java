package io.redtask.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBackoffTest {

    @Test
    void delaysDoubleFromTheBaseUpToTheCap() {
        RetryBackoff b = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0);
        List<Long> delays = IntStream.rangeClosed(1, 7).mapToObj(b::delayMillis).toList();
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L), delays);
    }

    @Test
    void hugeAttemptNumbersStayAtTheCapWithoutOverflow() {
        RetryBackoff b = new RetryBackoff(Duration.ofMillis(300), Duration.ofHours(1), 0);
        assertEquals(3_600_000L, b.delayMillis(64));
        assertEquals(3_600_000L, b.delayMillis(1_000));
        assertEquals(3_600_000L, b.delayMillis(Integer.MAX_VALUE));
    }

    @Test
    void jitterSpreadsDelaysWithinItsBoundsOnBothSidesOfTheCap() {
        RetryBackoff b = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3), 0.2);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int aboveCap = 0;
        int atCap = 0;
        for (int i = 0; i < 5_000; i++) {
            long d = b.delayMillis(2);
            min = Math.min(min, d);
            max = Math.max(max, d);
            long capped = b.delayMillis(5);
            assertTrue(capped >= 2_400 && capped <= 3_600, "capped delay " + capped + " within 3000 ±20%");
            aboveCap += capped > 3_000 ? 1 : 0;
            atCap += capped == 3_000 ? 1 : 0;
        }
        assertTrue(aboveCap > 2_000, "capped delays spread above the cap too: " + aboveCap + " of 5000");
        assertTrue(atCap < 50, "capped delays do not pile up on the cap: " + atCap + " of 5000");
        assertTrue(min >= 1_600 && max <= 2_400, "attempt 2: " + min + ".." + max + " within 2000 ±20%");
        assertTrue(max - min > 400, "jitter actually spreads: " + min + ".." + max);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5));
    }
}
