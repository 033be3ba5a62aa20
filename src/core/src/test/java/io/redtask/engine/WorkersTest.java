package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link Workers} reports as busy: the attempts that run, not the slots a fetcher holds while
 * its claim is on the way (JMX "Busy", the heartbeat and the health check show this figure); and
 * how an attempt a submit claimed goes to a worker that is finishing another
 * ({@link Workers#startOrRelay}): on that worker's thread, with no thread woken for it, and never
 * left behind.
 */
class WorkersTest {

    private static final Consumer<ClaimedTask> NOT_REFUSED = t -> {
        throw new AssertionError("task " + t.id() + " was refused");
    };

    @Test
    void slotsHeldForAClaimAreNotCountedAsBusy() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Workers workers = new Workers(
                    pool,
                    Clock.systemUTC(),
                    EngineSettings.builder("n").concurrency(4).maxConcurrency(4).build());
            assertEquals(3, workers.take(3, 0), "a fetcher takes three slots for its claim");
            assertEquals(0, workers.busy(), "nothing runs while the claim is on the way");
            assertEquals(3, workers.slotsUsed());

            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            assertTrue(workers.start(task("a"), Long.MAX_VALUE, run -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                workers.finished(run);
                done.countDown();
            }));
            workers.giveBack(2);
            assertEquals(1, workers.busy(), "one claimed task runs, two slots went back");
            assertEquals(1, workers.slotsUsed());

            release.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(0, workers.busy());
            assertEquals(0, workers.slotsUsed());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAttemptClaimedWhileAWorkerFinishesRunsNextOnThatWorkersThread() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            CountDownLatch finishing = new CountDownLatch(1);
            CountDownLatch outcomeWritten = new CountDownLatch(1);
            AtomicReference<RunContext> next = new AtomicReference<>();
            AtomicReference<Thread> workerThread = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            assertEquals(1, workers.take(1, 0));
            assertTrue(workers.start(task("a"), Long.MAX_VALUE, run -> {
                workerThread.set(Thread.currentThread());
                workers.finishing(run); // the handler returned; its outcome goes to Redis
                finishing.countDown();
                await(outcomeWritten);
                workers.finished(run);
                next.set(workers.doneFinishing(run, true));
                done.countDown();
            }));
            assertTrue(finishing.await(10, TimeUnit.SECONDS));

            assertEquals(1, workers.take(1, 0), "the submit's slot");
            assertTrue(workers.startOrRelay(
                    task("b"),
                    Long.MAX_VALUE,
                    run -> {
                        throw new AssertionError("b must not get a thread of its own");
                    },
                    NOT_REFUSED));
            assertEquals(1, pool.executed.get(), "no thread was woken for b");
            assertEquals(1, workers.relayed());
            assertEquals(2, workers.busy(), "b counts as running from its claim on");

            outcomeWritten.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals("b", next.get().taskId(), "the finishing worker takes b");
            assertEquals(0, workers.relayed());
            assertEquals(1, workers.slotsUsed(), "a's slot went back, b holds its own");
            workers.finished(next.get());
            assertEquals(0, workers.slotsUsed());
            assertEquals(1, pool.executed.get());
        }
    }

    @Test
    void withNoWorkerFinishingAnAttemptGetsAThreadOfItsOwn() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            CountDownLatch ran = new CountDownLatch(1);
            offerB(workers, ran);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(1, pool.executed.get());
            assertEquals(0, workers.relayed());
        }
    }

    @Test
    void aWorkerThatHasItsOwnNextTaskStartsWhatWasLeftForItElsewhere() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            RunContext a = startFinishing(workers, "a");
            CountDownLatch bRan = new CountDownLatch(1);
            offerB(workers, bRan);
            assertEquals(0, pool.executed.get());

            // a's completion brought it a next task: b goes to a thread of its own.
            assertNull(workers.doneFinishing(a, false));
            assertTrue(bRan.await(10, TimeUnit.SECONDS));
            assertEquals(1, pool.executed.get());
            assertEquals(0, workers.relayed());
        }
    }

    @Test
    void anAttemptThatWaitsTooLongForItsWorkerStartsElsewhere() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            RunContext a = startFinishing(workers, "a");
            CountDownLatch bRan = new CountDownLatch(1);
            offerB(workers, bRan);

            workers.startOverdue(60_000);
            assertEquals(1, workers.relayed(), "not overdue yet");
            workers.startOverdue(0); // a's outcome write is slow: the watchdog moves b on
            assertTrue(bRan.await(10, TimeUnit.SECONDS));
            assertEquals(0, workers.relayed());
            assertNull(workers.doneFinishing(a, true), "nothing is left for a");
        }
    }

    @Test
    void aRelayedAttemptTheExecutorRefusesIsHandedBackAndItsSlotFreed() throws Exception {
        Executor refusing = r -> {
            throw new RejectedExecutionException("shut down");
        };
        Workers workers = workers(refusing, 4);
        RunContext a = new RunContext(task("a"), 0, Long.MAX_VALUE);
        workers.finishing(a);
        assertEquals(1, workers.take(1, 0));
        List<String> handedBack = new ArrayList<>();
        assertTrue(workers.startOrRelay(
                task("b"),
                Long.MAX_VALUE,
                run -> {
                    throw new AssertionError("refused");
                },
                t -> handedBack.add(t.id())));
        assertNull(workers.doneFinishing(a, false));
        assertEquals(List.of("b"), handedBack);
        assertEquals(0, workers.slotsUsed(), "b's slot went back");
        assertEquals(0, workers.busy());
    }

    /**
     * An executor that cannot start a thread (out of native threads) when a finishing worker passes
     * on what waited for it: the task goes back, its slot is freed, and the worker goes on.
     */
    @Test
    void anErrorStartingARelayedAttemptElsewhereHandsItBack() throws Exception {
        Executor outOfThreads = r -> {
            throw new OutOfMemoryError("unable to create native thread");
        };
        Workers workers = workers(outOfThreads, 4);
        RunContext a = startFinishing(workers, "a");
        List<String> handedBack = new ArrayList<>();
        assertEquals(1, workers.take(1, 0));
        assertTrue(workers.startOrRelay(
                task("b"),
                Long.MAX_VALUE,
                run -> {
                    throw new AssertionError("not started");
                },
                t -> handedBack.add(t.id())));
        assertNull(workers.doneFinishing(a, false));
        assertEquals(List.of("b"), handedBack);
        assertEquals(0, workers.busy());
        workers.finished(a);
        assertEquals(0, workers.slotsUsed(), "b's slot went back");
    }

    /** A second task would wait behind the first for the same worker: it gets a thread instead. */
    @Test
    void oneAttemptAtATimeWaitsForAFinishingWorker() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            RunContext a = startFinishing(workers, "a");
            CountDownLatch ran = new CountDownLatch(1);
            assertEquals(2, workers.take(2, 0));
            assertTrue(workers.startOrRelay(task("b"), Long.MAX_VALUE, run -> {}, NOT_REFUSED));
            assertTrue(workers.startOrRelay(task("c"), Long.MAX_VALUE, finishesAndCounts(workers, ran), NOT_REFUSED));
            assertEquals(1, pool.executed.get(), "c got a thread of its own");
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals("b", workers.doneFinishing(a, true).taskId());
        }
    }

    @Test
    void stoppingStartsWhatWaitsElsewhereAndRelaysNothingMore() throws Exception {
        try (CountingExecutor pool = new CountingExecutor(Executors.newCachedThreadPool())) {
            Workers workers = workers(pool, 4);
            RunContext a = startFinishing(workers, "a");
            CountDownLatch ran = new CountDownLatch(2);
            Consumer<RunContext> body = finishesAndCounts(workers, ran);
            assertEquals(1, workers.take(1, 0));
            assertTrue(workers.startOrRelay(task("b"), Long.MAX_VALUE, body, NOT_REFUSED));
            assertEquals(0, pool.executed.get());
            workers.stopRelaying();
            assertEquals(1, pool.executed.get(), "b got a thread: no watchdog runs while the engine stops");
            assertEquals(1, workers.take(1, 0));
            assertTrue(workers.startOrRelay(task("c"), Long.MAX_VALUE, body, NOT_REFUSED));
            assertEquals(2, pool.executed.get(), "c is not left for a");
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertNull(workers.doneFinishing(a, true));
        }
    }

    /**
     * Submitters and finishing workers race on many threads; every attempt runs once, none is left
     * behind waiting for a worker that has gone (no watchdog runs here to rescue one), and some
     * did go to finishing workers.
     */
    @Test
    void underRacingSubmitsAndFinishingWorkersEveryAttemptRunsOnce() throws Exception {
        int attempts = 20_000;
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        try (CountingExecutor pool = new CountingExecutor(Executors.newFixedThreadPool(8))) {
            Workers workers = workers(pool, 64);
            AtomicIntegerArray runs = new AtomicIntegerArray(attempts);
            CountDownLatch all = new CountDownLatch(attempts);
            // As the Processor: run, finish (give the slot back), take what was left, go on with it.
            Consumer<RunContext> body = first -> {
                for (RunContext run = first; run != null; ) {
                    runs.incrementAndGet(Integer.parseInt(run.taskId()));
                    all.countDown();
                    workers.finishing(run);
                    if (ThreadLocalRandom.current().nextInt(4) == 0) {
                        Thread.yield(); // an outcome write of some length
                    }
                    workers.finished(run);
                    run = workers.doneFinishing(run, true);
                }
            };
            AtomicInteger nextId = new AtomicInteger();
            for (int s = 0; s < 4; s++) {
                submitters.execute(() -> {
                    for (int i; (i = nextId.getAndIncrement()) < attempts; ) {
                        try {
                            while (workers.take(1, 1_000) == 0) {
                                // all 64 slots busy: wait for one
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        assertTrue(workers.startOrRelay(task(Integer.toString(i)), Long.MAX_VALUE, body, NOT_REFUSED));
                    }
                });
            }
            assertTrue(
                    all.await(60, TimeUnit.SECONDS),
                    () -> all.getCount() + " attempts never ran; relayed now: " + workers.relayed());
            for (int i = 0; i < attempts; i++) {
                assertEquals(1, runs.get(i), "attempt " + i);
            }
            assertTrue(workers.awaitIdle(10_000));
            assertEquals(0, workers.relayed());
            assertTrue(pool.executed.get() < attempts, "some attempts went to finishing workers");
        } finally {
            submitters.shutdownNow();
        }
    }

    /** A started attempt whose handler has returned and whose thread records its outcome. */
    private static RunContext startFinishing(Workers workers, String id) throws InterruptedException {
        assertEquals(1, workers.take(1, 0));
        RunContext run = new RunContext(task(id), 0, Long.MAX_VALUE);
        workers.finishing(run);
        return run;
    }

    private static Workers workers(Executor executor, int concurrency) {
        return new Workers(
                executor,
                Clock.systemUTC(),
                EngineSettings.builder("n")
                        .concurrency(concurrency)
                        .maxConcurrency(concurrency)
                        .build());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes a slot and offers task b (startOrRelay), whose body gives it back and counts {@code ran} down. */
    private static void offerB(Workers workers, CountDownLatch ran) throws InterruptedException {
        assertEquals(1, workers.take(1, 0));
        assertTrue(workers.startOrRelay(task("b"), Long.MAX_VALUE, finishesAndCounts(workers, ran), NOT_REFUSED));
    }

    /** An attempt's body that gives its slot back and counts {@code ran} down. */
    private static Consumer<RunContext> finishesAndCounts(Workers workers, CountDownLatch ran) {
        return run -> {
            workers.finished(run);
            ran.countDown();
        };
    }

    /** An executor that counts the tasks given to it: each a thread woken or made. */
    private static final class CountingExecutor implements Executor, AutoCloseable {
        final AtomicInteger executed = new AtomicInteger();
        private final ExecutorService threads;

        CountingExecutor(ExecutorService threads) {
            this.threads = threads;
        }

        @Override
        public void execute(Runnable r) {
            executed.incrementAndGet();
            threads.execute(r);
        }

        @Override
        public void close() {
            threads.shutdownNow();
        }
    }

    private static ClaimedTask task(String id) {
        return new ClaimedTask(id, "default", "t", "null", 1, 1, 3, 0, null, -1, -1, 0, null);
    }
}
