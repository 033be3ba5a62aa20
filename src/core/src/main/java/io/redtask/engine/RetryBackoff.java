package io.redtask.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter and a cap: attempt n waits {@code base * 2^(n-1)}, capped,
 * then spread by up to ±{@code jitter} of itself so that tasks that failed together (a database
 * went away) do not all come back in the same millisecond. A capped wait is spread too, so it may
 * exceed the cap by up to {@code jitter} of it.
 *
 * @param base   the wait after the first failed attempt
 * @param cap    the longest wait
 * @param jitter the spread as a fraction, 0 to 1
 */
public record RetryBackoff(Duration base, Duration cap, double jitter) {

    /** 1 s, doubling, at most 1 h, ±20 %. */
    public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(1), Duration.ofHours(1), 0.2);

    public RetryBackoff {
        if (base.isNegative() || cap.compareTo(base) < 0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("backoff needs 0 <= base <= cap and 0 <= jitter <= 1");
        }
    }

    /** The wait in milliseconds after failed attempt number {@code attempt} (from 1). */
    public long delayMillis(int attempt) {
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        int doublings = Math.max(0, Math.min(attempt - 1, 62));
        long raw = baseMs == 0 ? 0 : (doublings >= Long.numberOfLeadingZeros(baseMs) - 1 ? capMs : baseMs << doublings);
        long capped = Math.min(raw, capMs);
        if (jitter == 0 || capped == 0) {
            return capped;
        }
        // Spread on both sides, also of the cap: clipping at the cap would put about half of all
        // capped retries on exactly the cap, together.
        double spread = capped * jitter;
        long delay = Math.round(capped + ThreadLocalRandom.current().nextDouble(-spread, spread));
        return Math.max(0, delay);
    }
}
