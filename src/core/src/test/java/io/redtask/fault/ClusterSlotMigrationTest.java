package io.redtask.fault;

import io.redtask.StoreUnavailableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisCluster;
import io.redtask.testing.SlotMove;
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
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A busy queue's slot is migrated from one master of a real three-master Redis Cluster to another
 * (MIGRATING / IMPORTING, then MIGRATE in batches of 5 keys) while tasks are claimed, run and
 * submitted: every acknowledged task succeeds, none is lost, none runs twice.
 */
class ClusterSlotMigrationTest {

    private final List<Runnable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    @Test
    void aSlotMigratedDuringClaimsLosesNothingAndRunsNothingTwice() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        cleanup.add(cluster::close);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
        RedisStorage store = RedisStorage.open(
                cluster.url(),
                16,
                Duration.ofSeconds(2),
                new Keys("mig"),
                EngineSettings.builder("store").build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("m1")
                        .queues(List.of("hot"))
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .build())
                .handler(HandlerRegistration.of("work", (p, c) -> {
                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(2);
                    return null;
                }))
                .build();
        cleanup.add(() -> {
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        });

        List<String> acknowledged = new ArrayList<>(submit(engine, 600));
        engine.start();

        // The slot of queue "hot" moves from its owner to another master while the engine works.
        SlotMove move = SlotMove.of(cluster, "{hot}");

        // Submits go on, from another thread, in the middle of the move.
        List<String> duringMove = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread submitter = new Thread(() -> {
            while (moving.get()) {
                try {
                    duringMove.addAll(engine.submitAll(IntStream.range(0, 5)
                            .mapToObj(k -> new Submission("work", k, SubmitOptions.queue("hot")))
                            .toList()));
                } catch (StoreUnavailableException e) {
                    // TRYAGAIN while the slot's keys are split between two nodes: try again
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        });
        submitter.start();
        try (move) {
            move.start();
            int moved = move.migrateRest(5, Duration.ZERO);
            move.finish();
            assertTrue(moved > 0, "keys were migrated");
        } finally {
            moving.set(false);
            submitter.join(10_000);
        }
        acknowledged.addAll(duringMove);
        assertTrue(!duringMove.isEmpty(), "submits went on during the move");
        acknowledged.addAll(submit(engine, 600));

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> acknowledged.stream()
                        .allMatch(id -> engine.status(id).map(TaskStatus::state).orElse(null) == TaskState.SUCCEEDED));
        assertEquals(acknowledged.size(), runs.size(), "every acknowledged task ran");
        assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "none ran twice");
    }

    /** Submits n tasks in batches of 10, retrying a batch Redis could not take (TRYAGAIN while moving). */
    private static List<String> submit(RedTaskEngine engine, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i += 10) {
            List<Submission> batch = IntStream.range(i, Math.min(n, i + 10))
                    .mapToObj(k -> new Submission("work", k, SubmitOptions.queue("hot")))
                    .toList();
            ids.addAll(await().atMost(Duration.ofSeconds(20))
                    .ignoreException(StoreUnavailableException.class)
                    .until(() -> engine.submitAll(batch), r -> true));
        }
        return ids;
    }
}
