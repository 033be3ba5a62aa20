package io.redtask.engine;

import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler that throws an {@link Error} (here a real {@link StackOverflowError}) fails its
 * attempt like any exception: the failure is recorded, and the worker slot and the lease are
 * given back, so the server goes on with the next task.
 */
class HandlerErrorTest {

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

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void aStackOverflowFailsItsAttemptAndGivesItsSlotBack() {
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").concurrency(1),
                b -> b.handler(HandlerRegistration.of("deep", (p, c) -> recurse(0)))
                        .handler(HandlerRegistration.of("fine", (p, c) -> "ok")));
        String deep = engine.submit(
                "deep", null, SubmitOptions.builder().maxAttempts(2).build());
        TaskStatus dead = await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(deep).orElseThrow(), s -> s.state() == TaskState.DEAD);
        assertEquals(2, dead.attempts(), "both attempts ran and failed");
        assertTrue(dead.error().startsWith("java.lang.StackOverflowError"), dead.error());

        // With one worker slot, this runs only if the failed attempts gave theirs back.
        String fine = engine.submit("fine", null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(fine).orElseThrow().state() == TaskState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.admin().busy() == 0);
        assertEquals(0, engine.admin().queue("default").running(), "no lease left behind");
    }
}
