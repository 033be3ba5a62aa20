package io.redtask.fault;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.JsonCodec;
import io.redtask.engine.RedTaskEngine;
import io.redtask.engine.RetryBackoff;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis is killed (SIGKILL) while two engines work through tasks and submits go on, then
 * restarted from its append-only file: every task whose submit was acknowledged completes, none
 * is lost, and the engines carry on by themselves.
 */
class RedisRestartTest {

    private final List<Runnable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    private RedTaskEngine engine(String url, String node, Map<String, AtomicInteger> runs) {
        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage store = RedisStorage.open(url, 16, Duration.ofSeconds(1), new Keys("restart"),
                EngineSettings.builder("store").retention(Duration.ofHours(1), Duration.ofHours(1)).maxStalls(10).build());
        RedTaskEngine engine = RedTaskEngine.builder().storage(store).workers(workers).housekeeping(housekeeping)
                .settings(EngineSettings.builder(node).concurrency(4).pollInterval(Duration.ofMillis(200))
                        // A short lease, so tasks whose outcome could not be recorded during the
                        // outage come back quickly.
                        .lease(Duration.ofSeconds(2), Duration.ofMillis(500)).reaperInterval(Duration.ofMillis(500))
                        .backoff(new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)).build())
                .handler(HandlerRegistration.of("work", (p, c) -> {
                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    // Two milliseconds of "work", so tasks are in flight when Redis dies.
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                    return null;
                }))
                .build();
        engine.start();
        cleanup.add(() -> {
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        });
        return engine;
    }

    @Test
    void noAcknowledgedTaskIsLostWhenRedisIsKilledAndRestarted() {
        RedisServer redis = RedisServer.start(true);
        cleanup.add(redis::close);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        RedTaskEngine a = engine(redis.url(), "a", runs);
        RedTaskEngine b = engine(redis.url(), "b", runs);

        List<String> acknowledged = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            if (i == 1_000) {
                redis.kill();
            }
            if (i == 1_500) {
                redis.restart();
            }
            try {
                acknowledged.add((i % 2 == 0 ? a : b).submit("work", i));
            } catch (StoreUnavailableException e) {
                refused++; // the caller was told: nothing to lose
            }
        }
        assertTrue(refused > 0, "submits during the outage were refused, not silently dropped");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (String id : acknowledged) {
                TaskStatus s = a.status(id).orElse(null);
                if (s == null || s.state() != TaskState.SUCCEEDED) {
                    return false;
                }
            }
            return true;
        });
        assertTrue(acknowledged.stream().allMatch(runs::containsKey), "every acknowledged task ran");
        long twice = runs.values().stream().filter(n -> n.get() > 1).count();
        // Only tasks whose completion could not be recorded while Redis was down may run again.
        assertTrue(twice <= 16, twice + " tasks ran more than once");
    }

    @Test
    void whileRedisIsDownTheServerDoesNotLookBusyAndResumesByItself() {
        RedisServer redis = RedisServer.start(true);
        cleanup.add(redis::close);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        RedTaskEngine engine = engine(redis.url(), "a", runs);
        redis.kill();
        await("no slot held while Redis is down").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> engine.admin().busy() == 0);
        assertTrue(engine.health().workers().fetcherIdleMillis() < 5_000, "the fetch loop keeps going round");
        redis.restart();
        String id = await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> engine.submit("work", 1), x -> true);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
    }
}
