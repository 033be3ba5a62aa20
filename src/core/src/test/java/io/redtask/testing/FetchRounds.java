package io.redtask.testing;

import io.redtask.RedTaskHealth;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits for an engine's fetch loops to go round, so that a test can say "the workers had their
 * chances to claim, and did not" without sleeping for a guessed time. A fetch loop marks itself
 * alive at the top of every round ({@code RedTaskHealth.workers().fetcherIdleMillis()}); between
 * two such marks it takes free slots and makes one claim (or sees its workers paused).
 */
public final class FetchRounds {

    private FetchRounds() {}

    /**
     * Returns once every fetch loop of the engine has started {@code rounds} new rounds, each
     * after the one before: with {@code rounds >= 2}, at least {@code rounds - 1} whole rounds,
     * each with a claim, happened after the call. The engine must be running.
     *
     * @throws org.awaitility.core.ConditionTimeoutException when a round takes longer than {@code perRound}
     */
    public static void await(RedTaskHealth health, int rounds, Duration perRound) {
        for (int i = 0; i < rounds; i++) {
            long since = System.nanoTime();
            Awaitility.await("fetch round " + (i + 1) + " of " + rounds)
                    .atMost(perRound)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        long idle = health.workers().fetcherIdleMillis();
                        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                        // idle is whole milliseconds since the last mark: a margin of 2 ms makes
                        // sure that mark came after 'since'.
                        return idle + 2 < elapsed;
                    });
        }
    }

    /** {@link #await(RedTaskHealth, int, Duration)} with 10 s per round. */
    public static void await(RedTaskHealth health, int rounds) {
        await(health, rounds, Duration.ofSeconds(10));
    }
}
