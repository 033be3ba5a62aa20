package io.redtask.engine;

import io.redtask.StoreFullException;
import io.redtask.TaskState;
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aRedisAtItsMaxmemoryStillTakesTheOutcomesOfRunningTasksAndAPurge() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                // The guard off: Redis itself says it is full.
                EngineFixture.settings("n").memoryHighWater(1.0),
                b -> b.handler(
                        new HandlerRegistration("t", Object.class, 1, null, null, java.util.List.of(), (p, c) -> {
                            running.countDown();
                            finish.await();
                            if ("fail".equals(p)) {
                                throw new IllegalStateException("fails on purpose");
                            }
                            return null;
                        })));
        String ok = engine.submit("t", "ok");
        String bad = engine.submit("t", "fail");
        assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS), "both tasks run");
        // Redis over its maxmemory, by 2 MB: some keys of the test's own, then maxmemory lowered
        // under what it uses (noeviction: it refuses what could grow memory, and frees nothing).
        try (redis.clients.jedis.UnifiedJedis filler = io.redtask.redis.RedisProbe.open(redis.url())) {
            String mb = "x".repeat(1 << 20);
            for (int i = 0; i < 8; i++) {
                filler.set("filler:" + i, mb);
            }
            long used = Long.parseLong(filler.info("memory")
                    .lines()
                    .filter(l -> l.startsWith("used_memory:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("used_memory:".length())
                    .strip());
            filler.configSet("maxmemory", Long.toString(used - (2 << 20)));
            redis.clients.jedis.exceptions.JedisDataException oom = assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> filler.set("one-more", "x"));
            assertTrue(oom.getMessage().startsWith("OOM"), oom.getMessage());
            assertThrows(StoreFullException.class, () -> engine.submit("t", "more"), "a submit is refused");

            finish.countDown();
            // The outcomes are stored all the same (complete and fail may run at maxmemory), as is
            // what an operator does to free memory, and the queue's figures are read.
            assertEquals(TaskState.SUCCEEDED, awaitFinal(engine, ok));
            assertEquals(TaskState.DEAD, awaitFinal(engine, bad));
            assertEquals(1, engine.admin().queue("default").dead());
            assertEquals(1, engine.admin().purgeDead("default"));
            assertEquals(0, engine.admin().queue("default").dead());
        }
    }

    private static TaskState awaitFinal(RedTaskEngine engine, String id) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> engine.status(id).orElseThrow().state(),
                        s -> s == TaskState.SUCCEEDED || s == TaskState.DEAD);
    }
}
