package io.redtask.engine;

import io.redtask.BatchDone;
import io.redtask.BatchStatus;
import io.redtask.BatchSummary;
import io.redtask.NonRetryableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch of 1,000 tasks over three servers, one of which stops in the middle of it with tasks
 * still running (handed back unfinished): every member ends as its script says, some after a
 * retry, 10 % dead, and the callback runs exactly once, with the right counts.
 */
class BatchAcrossEnginesTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int TASKS = 1_000;

    /** The callback: records every run and the summary it got. */
    static final class Done implements TaskHandler<BatchDone, String> {
        final List<BatchSummary> runs = new CopyOnWriteArrayList<>();

        @Override
        public String handle(BatchDone payload, TaskContext context) {
            runs.add(payload.batch());
            return "done";
        }
    }

    @Test
    void aThousandTasksOverThreeServersOneStoppedMidBatchCallTheCallbackOnceWithTheRightCounts() throws Exception {
        Done done = new Done();
        AtomicInteger ended = new AtomicInteger();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Set<String> heldByC = ConcurrentHashMap.newKeySet();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b", "c")) {
                engines.add(fixture.engine(
                        node,
                        Clock.systemUTC(),
                        EngineFixture.settings(node).concurrency(8).shutdownGrace(Duration.ofMillis(50)),
                        b -> b.handler(HandlerRegistration.of("done", done))
                                .handler(HandlerRegistration.of("member", (p, c) -> {
                                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                    if (node.equals("c")) {
                                        // Server c holds every task it takes until it is stopped.
                                        heldByC.add(c.taskId());
                                        new CountDownLatch(1).await();
                                    }
                                    int i = ((Number) p).intValue();
                                    if (i % 10 == 0) {
                                        ended.incrementAndGet();
                                        throw new NonRetryableException("scripted death of " + i);
                                    }
                                    if (i % 10 == 1 && c.attempt() == 1) {
                                        throw new IllegalStateException("scripted failure of " + i);
                                    }
                                    ended.incrementAndGet();
                                    return i;
                                }))));
            }
            List<Submission> members = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                members.add(new Submission(
                        "member", i, SubmitOptions.builder().maxAttempts(2).build()));
            }
            var receipt = engines.get(0).submitBatchForReceipt(members, Submission.of("done", null));
            assertEquals(TASKS, receipt.tasks().size());

            // Server c stops with tasks in its hands a third of the way through: it hands them back.
            await().atMost(Duration.ofSeconds(30)).until(() -> ended.get() >= TASKS / 3 && !heldByC.isEmpty());
            // While c holds tasks the batch cannot be done: they are pending.
            BatchStatus midway = engines.get(0).batch(receipt.id()).orElseThrow();
            assertEquals("running", midway.state());
            assertTrue(midway.pending() >= heldByC.size(), midway + " while c holds " + heldByC.size());
            assertEquals(TASKS, midway.pending() + midway.succeeded() + midway.dead() + midway.cancelled());
            RedTaskEngine c = engines.get(2);
            c.stop();
            assertFalse(c.isRunning());

            TaskStatus callback = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> engines.get(1).status(receipt.onComplete()).orElseThrow(),
                            s -> s.state() == TaskState.SUCCEEDED);
            assertEquals(1, callback.attempts());
            // Let the fetch loops go round: a second release of the callback would be claimed.
            FetchRounds.await(engines.get(0).health(), 3);
            FetchRounds.await(engines.get(1).health(), 3);
            assertEquals(1, done.runs.size(), "the callback ran once: " + done.runs);

            BatchSummary summary = done.runs.get(0);
            assertEquals(new BatchSummary(receipt.id(), TASKS, TASKS * 9 / 10, TASKS / 10, 0), summary);
            BatchStatus status = engines.get(1).batch(receipt.id()).orElseThrow();
            assertEquals("done", status.state());
            assertEquals(0, status.pending());
            assertEquals(TASKS * 9 / 10, status.succeeded());
            assertEquals(TASKS / 10, status.dead());
            assertEquals(receipt.onComplete(), status.onComplete());
            assertTrue(status.finishedAt() != null);

            // Every member ended as scripted, and the members that failed once ran twice.
            RedisStorage store = fixture.store();
            Map<String, TaskStatus> statuses = store.tasks().findAll(receipt.tasks());
            for (int i = 0; i < TASKS; i++) {
                TaskStatus s = statuses.get(receipt.tasks().get(i));
                assertEquals(i % 10 == 0 ? TaskState.DEAD : TaskState.SUCCEEDED, s.state(), "member " + i);
            }
            assertTrue(engines.stream().limit(2).allMatch(e -> e.admin().completedCount() > 0));
            // Each task c held when it stopped ran once more elsewhere; the others as scripted (a
            // tenth fail once and run twice).
            assertEquals(
                    TASKS + TASKS / 10 + heldByC.size(),
                    runs.values().stream().mapToInt(AtomicInteger::get).sum(),
                    heldByC.size() + " tasks held by c");
            assertEquals(
                    0,
                    RedisProbe.client(store).zcard(store.keys().prefix() + ":{default}:batches:running"),
                    "no batch left running");
        }
    }
}
