package io.redtask.fault;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis is killed (SIGKILL) while two engines work through tasks and submits go on, then
 * restarted from its append-only file 3 s later: every task whose submit was acknowledged
 * completes, none is lost, none runs twice (the outage is shorter than the lease: outcomes are
 * written again until Redis answers), none waits for a lease to run out, and the engines carry
 * on by themselves.
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
        RedisStorage store = RedisStorage.open(
                url,
                16,
                Duration.ofSeconds(1),
                new Keys("restart"),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofHours(1))
                        .maxStalls(10)
                        .build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                // The default lease (8 s, renewed every second), as on a real server.
                .settings(EngineSettings.builder(node)
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .backoff(new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0))
                        // Fetchers try Redis again at least every 500 ms during the outage: with the
                        // default's doubling they could sleep past the restart for up to 3 s more,
                        // and the bound below would measure that sleep instead of a lease.
                        .outageBackoff(Duration.ofMillis(500))
                        .build())
                .handler(HandlerRegistration.of("work", (p, c) -> {
                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    // 100 ms of "work", so tasks are in flight when Redis dies.
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
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
        long start = System.nanoTime();
        boolean killed = false;
        boolean restarted = false;
        long restartedAt = 0;
        for (int i = 0; System.nanoTime() - start < TimeUnit.SECONDS.toNanos(6); i++) {
            long elapsed = System.nanoTime() - start;
            if (!killed && elapsed > TimeUnit.SECONDS.toNanos(1)) {
                redis.kill();
                killed = true;
            }
            if (!restarted && elapsed > TimeUnit.SECONDS.toNanos(4)) {
                redis.restart();
                restarted = true;
                restartedAt = System.nanoTime();
            }
            try {
                acknowledged.add((i % 2 == 0 ? a : b).submit("work", i));
            } catch (StoreUnavailableException e) {
                refused++; // the caller was told: nothing to lose
            }
            // 40 submits a second, below what the two engines run (80 a second), so no backlog
            // hides a stall.
            LockSupport.parkNanos(25_000_000);
        }
        assertTrue(refused > 0, "submits during the outage were refused, not silently dropped");

        // No stall: nothing waits for a lease (8 s) to run out once Redis is back.
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (String id : acknowledged) {
                        TaskStatus s = a.status(id).orElse(null);
                        if (s == null || s.state() != TaskState.SUCCEEDED) {
                            return false;
                        }
                    }
                    return true;
                });
        long doneAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        assertTrue(acknowledged.stream().allMatch(runs::containsKey), "every acknowledged task ran");
        List<String> twice = runs.entrySet().stream()
                .filter(e -> e.getValue().get() > 1)
                .map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), twice, "tasks that ran more than once");
        assertTrue(doneAfter < 4_000, "all done " + doneAfter + " ms after Redis returned: nothing waited for a lease");
    }

    @Test
    void whileRedisIsDownTheServerDoesNotLookBusyAndResumesByItself() {
        RedisServer redis = RedisServer.start(true);
        cleanup.add(redis::close);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        RedTaskEngine engine = engine(redis.url(), "a", runs);
        redis.kill();
        await("no slot held while Redis is down")
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> engine.admin().busy() == 0);
        assertTrue(engine.health().workers().fetcherIdleMillis() < 5_000, "the fetch loop keeps going round");
        redis.restart();
        String id = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> engine.submit("work", 1), x -> true);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
    }
}
