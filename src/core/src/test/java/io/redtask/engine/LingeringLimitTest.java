package io.redtask.engine;

import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's concurrency limit holds while a stopped attempt's handler ignores the interrupt and
 * runs on: a timed-out or cancelled attempt counts against the limit until its handler returns.
 */
class LingeringLimitTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    record Run(String task, long start, long end) {}

    @Test
    void aTimedOutHandlerThatRunsOnStillCountsAgainstTheQueueLimit() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").concurrency(4),
                b -> b.handler(HandlerRegistration.of("stubborn", (p, c) -> {
                    long start = System.nanoTime();
                    // Ignores interrupts and the flag for a while, as badly written handlers do.
                    long end = start + Duration.ofMillis(800).toNanos();
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    runs.add(new Run(c.taskId(), start, System.nanoTime()));
                    return "done";
                })));
        engine.admin().setQueueConcurrency("default", 1);
        SubmitOptions timeout = SubmitOptions.builder()
                .timeout(Duration.ofMillis(200))
                .maxAttempts(1)
                .build();
        String first = engine.submit("stubborn", 1, timeout);
        String second = engine.submit("stubborn", 2, SubmitOptions.defaults());
        engine.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(first).orElseThrow().state() == TaskState.DEAD);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(second).orElseThrow().state() == TaskState.SUCCEEDED);
        assertEquals(2, runs.size());
        Run a = runs.stream().filter(r -> r.task().equals(first)).findFirst().orElseThrow();
        Run b = runs.stream().filter(r -> r.task().equals(second)).findFirst().orElseThrow();
        assertTrue(
                a.end() <= b.start(),
                "the second task started " + (a.end() - b.start()) / 1_000_000
                        + " ms before the timed-out handler returned: the limit of 1 was broken");
    }
}
