package io.redtask.fault;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.ClaimedTask;
import io.redtask.store.FailOutcome;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisCluster;
import io.redtask.testing.SlotMove;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A task given back (release) or retried at once (fail) at the moment its queue's slot migrates and
 * only the queue's settings have moved: every key the script declares is still here, so Redis runs
 * it, and the script must refuse (TRYAGAIN) before its first write rather than fail half-way when
 * it reads the settings. Once the slot has moved, the same call goes through.
 */
class SettingsSlotMigrationTest {

    private static RedisCluster cluster;
    private static ExecutorService workers;
    private static ScheduledExecutorService housekeeping;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
        workers = Executors.newFixedThreadPool(2);
        housekeeping = Executors.newScheduledThreadPool(5);
    }

    @AfterAll
    static void stopCluster() {
        workers.shutdownNow();
        housekeeping.shutdownNow();
        cluster.close();
    }

    @Test
    void aReleaseWhileOnlyTheSettingsHaveMovedIsRefusedWithNothingWritten() throws Exception {
        refusedThenDone("smig-release", "relq", tasks -> claimed -> tasks.release(claimed));
    }

    @Test
    void aRetryAtOnceWhileOnlyTheSettingsHaveMovedIsRefusedWithNothingWritten() throws Exception {
        refusedThenDone("smig-fail", "failq", tasks -> claimed -> {
            long now = System.currentTimeMillis();
            return tasks.fail(claimed, "boom", now, now, false) == FailOutcome.RETRY;
        });
    }

    /** In a queue of its own (its own hash tag): a test that fails mid-move leaves the other its slot. */
    private void refusedThenDone(
            String prefix, String queue, Function<TaskStore, Function<ClaimedTask, Boolean>> makeReady)
            throws Exception {
        Keys keys = new Keys(prefix);
        RedisStorage store = RedisStorage.open(
                cluster.url(),
                8,
                Duration.ofSeconds(2),
                keys,
                EngineSettings.builder("store").build());
        try {
            RedTaskEngine engine = RedTaskEngine.builder()
                    .storage(store)
                    .workers(workers)
                    .housekeeping(housekeeping)
                    .settings(
                            EngineSettings.builder("m1").queues(List.of(queue)).build())
                    .handler(HandlerRegistration.of("work", (p, c) -> null))
                    .build();
            String id = engine.submit(
                    "work",
                    1,
                    io.redtask.SubmitOptions.builder()
                            .queue(queue)
                            .maxAttempts(3)
                            .build());
            TaskStore tasks = store.tasks();
            long now = System.currentTimeMillis();
            ClaimedTask claimed = tasks.claim(queue, 1, now, 60_000, "w", List.of("work"))
                    .tasks()
                    .get(0);
            assertEquals(id, claimed.id());
            // While a slot migrates, Redis refuses (TRYAGAIN) a script only when one of its declared
            // keys is missing here. Give every key the two scripts declare a value that changes
            // nothing, so that only the settings hash (which they do not declare) can be out of reach.
            var probe = RedisProbe.client(store);
            probe.hset(keys.settings(queue), "paused", "0");
            probe.zadd(keys.ready(queue, "work"), Double.MAX_VALUE, "none-ready");
            probe.lpush(keys.wake(queue), "1");
            probe.hset(keys.stats(queue), "failed", "0");
            probe.hset(keys.statsBucketAt(queue, now), "failed", "0");
            probe.pexpire(keys.statsBucketAt(queue, now), 600_000);
            probe.zadd(keys.scheduled(queue), Double.MAX_VALUE, queue + ":none-scheduled");
            probe.zadd(keys.dead(queue), now, queue + ":none-dead");
            probe.zadd(keys.lingering(queue), 0, queue + ":none:0");
            probe.set(keys.sequence(queue), "1000");

            Function<ClaimedTask, Boolean> call = makeReady.apply(tasks);
            try (SlotMove move = SlotMove.of(cluster, "{" + queue + "}").start()) {
                move.migrate(keys.settings(queue));

                assertThrows(StoreUnavailableException.class, () -> call.apply(claimed));
                assertEquals(
                        TaskState.RUNNING,
                        engine.status(id).orElseThrow().state(),
                        "nothing written: the task is still running");

                move.migrateRest(50, Duration.ZERO);
                move.finish();
            }
            assertEquals(
                    Boolean.TRUE,
                    await().atMost(Duration.ofSeconds(10))
                            .ignoreException(StoreUnavailableException.class)
                            .until(() -> call.apply(claimed), r -> true));
            assertEquals(TaskState.QUEUED, engine.status(id).orElseThrow().state(), "ready again");
        } finally {
            store.close();
        }
    }
}
