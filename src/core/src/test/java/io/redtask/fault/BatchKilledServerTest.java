package io.redtask.fault;

import io.redtask.BatchDone;
import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.BatchSummary;
import io.redtask.Submission;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.RedisServerExtension;
import io.redtask.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker JVM is killed with SIGKILL holding members of a batch: they end on another server once
 * their leases expire, and the batch's callback runs once, with every member counted once.
 */
class BatchKilledServerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    static final class Done implements TaskHandler<BatchDone, Void> {
        final List<BatchSummary> runs = new CopyOnWriteArrayList<>();

        @Override
        public Void handle(BatchDone payload, TaskContext context) {
            runs.add(payload.batch());
            return null;
        }
    }

    @Test
    void membersOfAKilledServerEndElsewhereAndTheCallbackRunsOnce() throws Exception {
        String prefix = "batch-killed";
        WorkerProcess.Running victimJvm =
                WorkerProcess.launch(REDIS.url(), prefix, "victim", new File("target/batch-worker-process.log"));
        Process victim = victimJvm.process();
        Set<String> startedByVictim = victimJvm.started();

        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage store = RedisStorage.open(
                REDIS.url(),
                8,
                Duration.ofSeconds(2),
                new Keys(prefix),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofHours(1))
                        .maxStalls(3)
                        .build());
        Done done = new Done();
        RedTaskEngine survivor = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("survivor")
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .build())
                .handler(HandlerRegistration.of("slow", (p, c) -> "done on attempt " + c.attempt()))
                .handler(HandlerRegistration.of("done", done))
                .build();
        try {
            BatchReceipt batch = survivor.submitBatchForReceipt(
                    IntStream.range(0, 20)
                            .mapToObj(i -> Submission.of("slow", i))
                            .toList(),
                    Submission.of("done", null));
            await().atMost(Duration.ofSeconds(30)).until(() -> startedByVictim.size() == 4);
            survivor.start();
            victim.destroyForcibly();
            assertTrue(victim.waitFor(10, TimeUnit.SECONDS));

            await().atMost(Duration.ofSeconds(30)).until(() -> done.runs.size() == 1);
            assertEquals(new BatchSummary(batch.id(), 20, 20, 0, 0), done.runs.get(0));
            for (String id : startedByVictim) {
                assertEquals(
                        TaskState.SUCCEEDED, survivor.status(id).orElseThrow().state());
                assertTrue(batch.tasks().contains(id));
            }
            BatchStatus s = survivor.batch(batch.id()).orElseThrow();
            assertEquals("done", s.state());
            assertEquals(20, s.succeeded());
            FetchRounds.await(survivor.health(), 3);
            assertEquals(1, done.runs.size(), "the callback ran once");
        } finally {
            victim.destroyForcibly();
            survivor.stop();
            survivor.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        }
    }
}
