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
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

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
 * A queue's slot is migrated to another master (MIGRATE in batches of 5 keys) while its running
 * batches wait and the engine tries to work (its scripts are refused, TRYAGAIN, while the slot's
 * keys are split): the batches' records, members and held callbacks move along, and every batch
 * then ends on the new master with every member counted once and its callback run once. (A member
 * ending at the very moment its batch's record has moved and its own keys have not is not covered;
 * see the README's Batches section.)
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

        int slot;
        try (Jedis any = node(cluster.nodes().get(0))) {
            slot = (int) (long) any.clusterKeySlot("{hot}");
        }
        RedisServer source = owner(cluster, slot);
        RedisServer target =
                cluster.nodes().stream().filter(n -> n != source).findFirst().orElseThrow();
        try (Jedis src = node(source);
                Jedis dst = node(target)) {
            String sourceId = src.clusterMyId();
            String targetId = dst.clusterMyId();
            dst.clusterSetSlotImporting(slot, sourceId);
            src.clusterSetSlotMigrating(slot, targetId);
            int moves = 0;
            for (List<String> keys; !(keys = src.clusterGetKeysInSlot(slot, 5)).isEmpty(); ) {
                src.migrate(
                        "127.0.0.1",
                        target.port(),
                        0,
                        5_000,
                        new redis.clients.jedis.params.MigrateParams(),
                        keys.toArray(String[]::new));
                // Slowly, so that members end all through the move.
                java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
                moves++;
            }
            assertTrue(moves > 0, "keys were migrated");
            for (RedisServer n : cluster.nodes()) {
                try (Jedis j = node(n)) {
                    j.clusterSetSlotNode(slot, targetId);
                }
            }
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

    private static Jedis node(RedisServer n) {
        return new Jedis("127.0.0.1", n.port());
    }

    private static RedisServer owner(RedisCluster cluster, int slot) {
        for (RedisServer n : cluster.nodes()) {
            try (Jedis j = node(n)) {
                if (!j.clusterGetKeysInSlot(slot, 1).isEmpty() || j.clusterCountKeysInSlot(slot) > 0) {
                    return n;
                }
            }
        }
        throw new IllegalStateException("no node holds keys of slot " + slot);
    }
}
