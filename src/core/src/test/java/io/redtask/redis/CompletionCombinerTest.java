package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore.Completion;
import io.redtask.store.TaskStore.NextClaim;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completions that arrive while another is on its way go to Redis together, and each caller still
 * gets exactly its own answer: recorded or refused by its own token, and its own next task.
 */
class CompletionCombinerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long T0 = 1_800_000_000_000L;
    private static final long LEASE = 30_000;
    private static final List<String> TYPES = List.of("echo");
    private static final NextClaim NEXT = new NextClaim("node-a", LEASE, TYPES);

    private RedisStorage storage;
    private RedisTaskStore store;
    private final String q = "q";

    @BeforeEach
    void open() {
        storage = RedisStorage.open(
                REDIS.url(),
                8,
                Duration.ofSeconds(2),
                new Keys("t" + UUID.randomUUID()),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofDays(1))
                        .build());
        store = (RedisTaskStore) storage.tasks();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private List<String> enqueue(int n) {
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(NewTask.builder(TaskIds.next(q, T0), "echo", q)
                    .payloadJson(Integer.toString(i))
                    .maxAttempts(3)
                    .priority(0)
                    .dueAt(T0)
                    .build());
        }
        store.enqueue(q, tasks, T0);
        return tasks.stream().map(NewTask::id).toList();
    }

    @Test
    void completionsWaitingForACallGoInTheNextOneAndEachGetsItsOwnAnswerAndNextTask() throws Exception {
        // One call at a time here, so that all five that wait go in the next one.
        List<String> ids = enqueue(11);
        List<ClaimedTask> held = store.claim(q, 6, T0, LEASE, "node-a", TYPES).tasks();
        assertEquals(6, held.size());
        // One of them was cancelled while it ran: its completion must be refused, the others recorded.
        ClaimedTask cancelled = held.get(3);
        assertEquals(TaskState.RUNNING, store.cancel(cancelled.id(), T0 + 1).orElseThrow());

        HeldFirstCall calls = new HeldFirstCall();
        CompletionCombiner combiner = new CompletionCombiner(calls, 1);

        ExecutorService workers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Completion>> answers = new ArrayList<>();
            answers.add(workers.submit(() -> combiner.complete(pending(held.get(0), T0 + 10))));
            calls.awaitFirstCallIn();
            for (int i = 1; i < 6; i++) {
                ClaimedTask t = held.get(i);
                answers.add(workers.submit(() -> combiner.complete(pending(t, T0 + 20))));
                int waiting = i;
                // In arrival order, so the next tasks they get can be told apart.
                await().atMost(Duration.ofSeconds(10)).until(() -> combiner.waiting() == waiting);
            }
            calls.release();

            List<Completion> got = new ArrayList<>();
            for (Future<Completion> f : answers) {
                got.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of(1, 5), calls.sizes, "the five that waited went in one call");

            Set<String> nextIds = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                Completion c = got.get(i);
                ClaimedTask t = held.get(i);
                if (t == cancelled) {
                    assertFalse(c.recorded(), "the cancelled task's completion is refused by its token");
                    assertNull(c.next());
                    assertEquals(
                            TaskState.CANCELLED,
                            store.find(t.id()).orElseThrow().state());
                    continue;
                }
                assertTrue(c.recorded(), "task " + i + " recorded");
                assertEquals(
                        TaskState.SUCCEEDED, store.find(t.id()).orElseThrow().state());
                assertNotNull(c.next(), "task " + i + "'s worker got a next task");
                assertTrue(nextIds.add(c.next().id()), "no next task handed to two workers");
                assertEquals(
                        TaskState.RUNNING,
                        store.find(c.next().id()).orElseThrow().state());
                assertEquals(1, c.next().attempt());
            }
            // Five next tasks for five recorded completions: the five left, the first call's first.
            assertEquals(Set.copyOf(ids.subList(6, 11)), nextIds);
            assertEquals(ids.get(6), got.get(0).next().id(), "the first completion claimed first");

            // A repeat of a batched completion (its reply lost) is answered as the first, next task included.
            Completion again = store.complete(held.get(1), "\"again\"", T0 + 30, NEXT);
            assertTrue(again.recorded());
            assertEquals(
                    got.get(1).next() == null ? null : got.get(1).next().id(),
                    again.next() == null ? null : again.next().id());
            assertEquals("\"r1\"", store.find(held.get(1).id()).orElseThrow().result(), "the first result stays");
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void aLoneCompletionWaitsForTheCallOnItsWayButTwoWaitingGoInASecondCallAtOnce() throws Exception {
        List<String> ids = enqueue(6);
        List<ClaimedTask> held = store.claim(q, 3, T0, LEASE, "node-a", TYPES).tasks();
        assertEquals(3, held.size());
        // Three busy workers: while one completion is on its way and one waits, a third may come.
        NextClaim threeBusy = new NextClaim("node-a", LEASE, TYPES, 3);

        HeldFirstCall calls = new HeldFirstCall();
        CompletionCombiner combiner = new CompletionCombiner(calls);

        ExecutorService workers = Executors.newFixedThreadPool(3);
        try {
            Future<Completion> first =
                    workers.submit(() -> combiner.complete(pending(held.get(0), T0 + 10, threeBusy)));
            calls.awaitFirstCallIn();
            Future<Completion> second =
                    workers.submit(() -> combiner.complete(pending(held.get(1), T0 + 20, threeBusy)));
            // It decided under the combiner's lock as it arrived: waiting, with no call of its own.
            await().atMost(Duration.ofSeconds(10)).until(() -> combiner.waiting() == 1);
            assertEquals(List.of(1), calls.sizes, "a lone completion waits for the call on its way");

            Future<Completion> third =
                    workers.submit(() -> combiner.complete(pending(held.get(2), T0 + 30, threeBusy)));
            // Both are answered while the first call is still held up.
            Completion c2 = second.get(10, TimeUnit.SECONDS);
            Completion c3 = third.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), calls.sizes, "the two waiting went together in a second call");
            assertFalse(first.isDone(), "the first call is still on its way");
            calls.release();
            Completion c1 = first.get(10, TimeUnit.SECONDS);

            Set<String> nextIds = new HashSet<>();
            for (Completion c : List.of(c1, c2, c3)) {
                assertTrue(c.recorded());
                assertNotNull(c.next());
                assertTrue(nextIds.add(c.next().id()), "no next task handed to two workers");
            }
            assertEquals(Set.copyOf(ids.subList(3, 6)), nextIds);
            // The second call ran first in Redis, so its completions claimed the queue's next two.
            assertEquals(
                    Set.of(ids.get(3), ids.get(4)),
                    Set.of(c2.next().id(), c3.next().id()));
            for (ClaimedTask t : held) {
                assertEquals(
                        TaskState.SUCCEEDED, store.find(t.id()).orElseThrow().state());
            }
        } finally {
            calls.release();
            workers.shutdownNow();
        }
    }

    @Test
    void aLoneCompletionGoesAtOnceWhenNoOtherBusyWorkerCanComeToJoinIt() throws Exception {
        List<String> ids = enqueue(4);
        List<ClaimedTask> held = store.claim(q, 2, T0, LEASE, "node-a", TYPES).tasks();
        // Both of the server's busy workers: one in the call on its way, the other completing.
        NextClaim twoBusy = new NextClaim("node-a", LEASE, TYPES, 2);

        HeldFirstCall calls = new HeldFirstCall();
        CompletionCombiner combiner = new CompletionCombiner(calls);

        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            Future<Completion> first = workers.submit(() -> combiner.complete(pending(held.get(0), T0 + 10, twoBusy)));
            calls.awaitFirstCallIn();
            Future<Completion> second = workers.submit(() -> combiner.complete(pending(held.get(1), T0 + 20, twoBusy)));
            // Answered while the first call is still held up: it did not wait for it.
            Completion c2 = second.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(1, 1), calls.sizes);
            assertFalse(first.isDone(), "the first call is still on its way");
            calls.release();
            Completion c1 = first.get(10, TimeUnit.SECONDS);
            assertTrue(c1.recorded() && c2.recorded());
            assertEquals(ids.get(2), c2.next().id(), "the second call ran first in Redis");
            assertEquals(ids.get(3), c1.next().id());
        } finally {
            calls.release();
            workers.shutdownNow();
        }
    }

    /**
     * The script calls of a combiner under test: each goes to Redis, but the first is held up until
     * {@link #release()}, so that completions arrive while it is on its way.
     */
    private final class HeldFirstCall implements Function<List<CompletionCombiner.Pending>, List<Completion>> {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        private final CountDownLatch firstCallIn = new CountDownLatch(1);
        private final CountDownLatch releaseFirstCall = new CountDownLatch(1);

        @Override
        public List<Completion> apply(List<CompletionCombiner.Pending> batch) {
            sizes.add(batch.size());
            if (sizes.size() == 1) {
                firstCallIn.countDown();
                try {
                    assertTrue(releaseFirstCall.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return store.completeAll(q, batch);
        }

        void awaitFirstCallIn() throws InterruptedException {
            assertTrue(firstCallIn.await(10, TimeUnit.SECONDS), "the first call reached Redis");
        }

        void release() {
            releaseFirstCall.countDown();
        }
    }

    private static CompletionCombiner.Pending pending(ClaimedTask t, long now, NextClaim next) {
        return new CompletionCombiner.Pending(t, "\"r" + t.payloadJson() + "\"", now, next);
    }

    private static CompletionCombiner.Pending pending(ClaimedTask t, long now) {
        return pending(t, now, NEXT);
    }
}
