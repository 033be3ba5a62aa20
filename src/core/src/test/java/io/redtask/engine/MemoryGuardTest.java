package io.redtask.engine;

import io.redtask.StoreFullException;
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Past the high-water mark of Redis's maxmemory, submits are refused with a clear message while
 * workers go on draining; once drained, submits are taken again.
 */
class MemoryGuardTest {

    private RedisServer redis;
    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        // A small Redis with noeviction, as scripts/run starts it (only smaller).
        redis = RedisServer.start(false, List.of("--maxmemory", "64mb", "--maxmemory-policy", "noeviction"));
        fixture = new EngineFixture(redis.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
        redis.close();
    }

    @Test
    void aNearlyFullRedisRefusesSubmitsWhileWorkersDrainIt() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n")
                        .memoryHighWater(0.7)
                        .retention(Duration.ofMillis(200), Duration.ofMillis(200)),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
        String big = "x".repeat(100_000);
        StoreFullException refused = null;
        int stored = 0;
        for (int i = 0; i < 2_000 && refused == null; i++) {
            try {
                engine.submit("t", big + i);
                stored++;
            } catch (StoreFullException e) {
                refused = e;
            }
        }
        assertTrue(refused != null, "submits went on past the high-water mark: " + stored + " stored");
        assertTrue(
                refused.getMessage().contains("past the high-water mark"),
                "the guard refused, not Redis: " + refused.getMessage());
        assertTrue(stored > 10, "it took tasks until the mark: " + stored);

        // The workers drain it; finished tasks expire; submits are taken again.
        engine.start();
        await().atMost(Duration.ofSeconds(30))
                .ignoreException(StoreFullException.class)
                .until(() -> engine.submit("t", "small") != null);
        assertEquals(0, engine.admin().queue("default").dead());
    }
}
