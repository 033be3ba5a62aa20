package io.redtask.fault;

import io.redtask.BatchDone;
import io.redtask.BatchReceipt;
import io.redtask.BatchSummary;
import io.redtask.StoreUnavailableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
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
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches while their queue's slot is migrated to another master of a real Redis Cluster: running
 * batches move along and each calls back once; and a member ending at the moment its batch's
 * record has moved but every key its script declares has not is refused (TRYAGAIN) with nothing
 * changed, then counted once the slot has moved.
 */
class BatchSlotMigrationTest {

    private static final int BATCHES = 40;
    private static final int MEMBERS = 15;

    private final List<Runnable> cleanup = new ArrayList<>();

    static final class Done implements TaskHandler<BatchDone, Void> {
        final Map<String, List<BatchSummary>> runs = new ConcurrentHashMap<>();

        @Override
        public Void handle(BatchDone payload, TaskContext context) {
            runs.computeIfAbsent(payload.batch().id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(payload.batch());
            return null;
        }
    }

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    @Test
    void runningBatchesMoveWithTheirSlotAndEachCallsBackOnce() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        cleanup.add(cluster::close);
        Done done = new Done();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
        RedisStorage store = RedisStorage.open(
                cluster.url(),
                16,
                Duration.ofSeconds(2),
                new Keys("bmig"),
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
                    Thread.sleep(5);
                    return null;
                }))
                .handler(HandlerRegistration.of("done", done))
                .build();
        cleanup.add(() -> {
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        });

        List<BatchReceipt> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batches.add(engine.submitBatchForReceipt(
                    IntStream.range(0, MEMBERS)
                            .mapToObj(k -> new Submission("work", k, SubmitOptions.queue("hot")))
                            .toList(),
                    new Submission("done", null, SubmitOptions.queue("hot"))));
        }
        engine.start();

        try (SlotMove move = SlotMove.of(cluster, "{hot}").start()) {
            // Slowly, so that members end all through the move.
            assertTrue(move.migrateRest(5, Duration.ofMillis(3)) > 0, "keys were migrated");
            move.finish();
        }

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .ignoreException(StoreUnavailableException.class)
                .until(() -> batches.stream()
                        .allMatch(b -> engine.batch(b.id()).map(s -> s.done()).orElse(false)));
        await().atMost(Duration.ofSeconds(30)).until(() -> done.runs.size() == BATCHES);
        for (BatchReceipt b : batches) {
            assertEquals(
                    List.of(new BatchSummary(b.id(), MEMBERS, MEMBERS, 0, 0)),
                    done.runs.get(b.id()),
                    "batch " + b.id());
        }
        assertTrue(done.runs.values().stream().allMatch(r -> r.size() == 1), "each callback ran once");
    }

    /**
     * The moment the test above cannot catch by chance, made by hand: the slot is migrating and
     * only the batch's record has moved. Ending the last member then is refused (TRYAGAIN) with
     * nothing changed; once the slot has moved, the same completion counts it and releases the
     * callback.
     */
    @Test
    void aMemberEndingWhileOnlyItsBatchsRecordHasMovedIsRefusedThenCountedOnce() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        cleanup.add(cluster::close);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
        Keys keys = new Keys("bmig1");
        RedisStorage store = RedisStorage.open(
                cluster.url(),
                8,
                Duration.ofSeconds(2),
                keys,
                EngineSettings.builder("store").build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("m1").queues(List.of("hot")).build())
                .handler(HandlerRegistration.of("work", (p, c) -> null))
                .handler(HandlerRegistration.of("done", new Done()))
                .build();
        cleanup.add(() -> {
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        });
        BatchReceipt batch = engine.submitBatchForReceipt(
                List.of(new Submission("work", 1, SubmitOptions.queue("hot"))),
                new Submission("done", null, SubmitOptions.queue("hot")));
        var tasks = engine.storage().tasks();
        long now = System.currentTimeMillis();
        var claimed =
                tasks.claim("hot", 1, now, 60_000, "w", List.of("work")).tasks().get(0);
        // A busy queue has every key complete.lua declares; while a slot migrates, Redis refuses
        // (TRYAGAIN) a script only when one of its declared keys is missing here. Give them all
        // values that change nothing, so that only the batch's record can be out of reach.
        var probe = io.redtask.redis.RedisProbe.client(store);
        probe.hset(keys.settings("hot"), "paused", "0");
        probe.hset(keys.stats("hot"), "completed", "0");
        probe.hset(keys.statsBucketAt("hot", now), "completed", "0");
        probe.pexpire(keys.statsBucketAt("hot", now), 600_000);
        probe.zadd(keys.scheduled("hot"), Double.MAX_VALUE, "hot:none-scheduled");
        probe.zadd(keys.dead("hot"), now, "hot:none-dead");
        probe.zadd(keys.lingering("hot"), 0, "hot:none:0");

        String record = keys.prefix() + ":{hot}:batch:" + batch.id();
        try (SlotMove move = SlotMove.of(cluster, "{hot}").start()) {
            move.migrate(record);

            org.junit.jupiter.api.Assertions.assertThrows(
                    StoreUnavailableException.class, () -> tasks.complete(claimed, "null", now));
            assertEquals(
                    io.redtask.TaskState.RUNNING,
                    engine.status(claimed.id()).orElseThrow().state(),
                    "nothing changed");

            move.migrateRest(50, Duration.ZERO);
            move.finish();
        }
        assertTrue(await().atMost(Duration.ofSeconds(10))
                .ignoreException(StoreUnavailableException.class)
                .until(() -> tasks.complete(claimed, "null", now), r -> true));
        var status = engine.batch(batch.id()).orElseThrow();
        assertEquals(List.of(1, 0, 1), List.of(status.total(), status.pending(), status.succeeded()));
        assertEquals("done", status.state());
        assertEquals(
                io.redtask.TaskState.QUEUED,
                engine.status(batch.onComplete()).orElseThrow().state());
    }
}
