package io.redtask.engine;

import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.store.ClaimedTask;
import io.redtask.store.Storage;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's concurrency limit holds while a stopped attempt's handler ignores the interrupt and
 * runs on: a timed-out or cancelled attempt counts against the limit until its handler returns.
 */
class LingeringLimitTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    record Run(String task, long start, long end) {}

    @Test
    void aTimedOutHandlerThatRunsOnStillCountsAgainstTheQueueLimit() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").concurrency(4),
                b -> b.handler(HandlerRegistration.of("stubborn", (p, c) -> {
                    long start = System.nanoTime();
                    // Ignores interrupts and the flag for a while, as badly written handlers do.
                    long end = start + Duration.ofMillis(800).toNanos();
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    runs.add(new Run(c.taskId(), start, System.nanoTime()));
                    return "done";
                })));
        engine.admin().setQueueConcurrency("default", 1);
        SubmitOptions timeout = SubmitOptions.builder()
                .timeout(Duration.ofMillis(200))
                .maxAttempts(1)
                .build();
        String first = engine.submit("stubborn", 1, timeout);
        String second = engine.submit("stubborn", 2, SubmitOptions.defaults());
        engine.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(first).orElseThrow().state() == TaskState.DEAD);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(second).orElseThrow().state() == TaskState.SUCCEEDED);
        assertEquals(2, runs.size());
        Run a = runs.stream().filter(r -> r.task().equals(first)).findFirst().orElseThrow();
        Run b = runs.stream().filter(r -> r.task().equals(second)).findFirst().orElseThrow();
        assertTrue(
                a.end() <= b.start(),
                "the second task started " + (a.end() - b.start()) / 1_000_000
                        + " ms before the timed-out handler returned: the limit of 1 was broken");
    }

    /**
     * Another server cancels a running attempt (cancel.lua: it counts against the limit until its
     * handler returns), and the handler returns before this server hears of it (a heartbeat of
     * 5 s): the refused completion clears the count at once instead of the queue losing its one
     * slot until the 30 s lease would have ended.
     */
    @Test
    void aCancelHeardOfOnlyAfterTheHandlerReturnedGivesItsSlotBackAtOnce() throws InterruptedException {
        cancelHeardOfOnlyAfterTheHandlerEnded(false);
    }

    /** As above, with a handler that throws: the refused failure clears the count. */
    @Test
    void aCancelHeardOfOnlyAfterTheHandlerThrewGivesItsSlotBackAtOnce() throws InterruptedException {
        cancelHeardOfOnlyAfterTheHandlerEnded(true);
    }

    private void cancelHeardOfOnlyAfterTheHandlerEnded(boolean throwing) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").concurrency(4).lease(Duration.ofSeconds(30), Duration.ofSeconds(5)),
                b -> b.handler(HandlerRegistration.of("held", (p, c) -> {
                    if (((Number) p).intValue() == 1) {
                        started.countDown();
                        release.await(10, TimeUnit.SECONDS);
                        if (throwing) {
                            throw new IllegalStateException("failed after it was cancelled elsewhere");
                        }
                    }
                    return "done";
                })));
        engine.admin().setQueueConcurrency("default", 1);
        String first = engine.submit("held", 1);
        engine.start();
        assertTrue(started.await(10, TimeUnit.SECONDS), "the first task started");
        // Past this engine: as another server's cancel, which this one hears of at its next heartbeat.
        assertEquals(
                TaskState.RUNNING,
                fixture.store()
                        .tasks()
                        .cancel(first, System.currentTimeMillis())
                        .orElseThrow());
        release.countDown();
        String second = engine.submit("held", 2);
        // Without the slot back, the second task would wait for the first attempt's 30 s lease.
        await().atMost(Duration.ofSeconds(8))
                .until(() -> engine.status(second).orElseThrow().state() == TaskState.SUCCEEDED);
        assertEquals(TaskState.CANCELLED, engine.status(first).orElseThrow().state());
    }

    /**
     * A timed-out attempt's handler returns while the watchdog's failure is on its way to Redis,
     * and its worker clears the attempt's count before that failure writes it (the store below
     * holds the failure until then): the watchdog clears it again, so the queue keeps its slot.
     */
    @Test
    void aTimeoutWhoseHandlerReturnsMeanwhileGivesItsSlotBackAtOnce() throws Exception {
        CountDownLatch failureSent = new CountDownLatch(1);
        CountDownLatch workerCleared = new CountDownLatch(1);
        AtomicReference<String> problem = new AtomicReference<>();
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").concurrency(4).lease(Duration.ofSeconds(30), Duration.ofSeconds(1)),
                b -> {
                    b.storage(holdingTimeoutFailures(b.storage, failureSent, workerCleared, problem));
                    b.handler(HandlerRegistration.of("slow", (p, c) -> {
                        if (((Number) p).intValue() == 1) {
                            // Returns once the watchdog's failure is on its way (which follows its stop),
                            // whatever interrupts come meanwhile; 10 s at most.
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            boolean sent = false;
                            while (!sent && System.nanoTime() < deadline) {
                                try {
                                    sent = failureSent.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                                } catch (InterruptedException e) {
                                    // the watchdog's interrupt: go on waiting for its failure
                                }
                            }
                            if (!sent) {
                                problem.compareAndSet(null, "the watchdog's failure never came");
                            }
                        }
                        return "done";
                    }));
                });
        engine.admin().setQueueConcurrency("default", 1);
        String first = engine.submit(
                "slow",
                1,
                SubmitOptions.builder()
                        .timeout(Duration.ofMillis(200))
                        .maxAttempts(1)
                        .build());
        engine.start();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> engine.status(first).orElseThrow().state() == TaskState.DEAD);
        assertEquals(null, problem.get());
        assertEquals(0, workerCleared.getCount(), "the worker cleared the count before the failure wrote it");
        String second = engine.submit("slow", 2);
        // Without the slot back, the second task would wait for the first attempt's 30 s lease.
        await().atMost(Duration.ofSeconds(8))
                .until(() -> engine.status(second).orElseThrow().state() == TaskState.SUCCEEDED);
    }

    /**
     * {@code real}, whose workers' store holds a failure written while the handler still runs
     * (the watchdog's) until the worker has cleared the attempt's count (10 s at most): the order
     * this test needs, which otherwise depends on which thread comes first. Every call goes on to
     * the real store; a problem is noted in {@code problem} (an assertion error here would end
     * the watchdog's thread, not the test).
     */
    private static Storage holdingTimeoutFailures(
            Storage real, CountDownLatch failureSent, CountDownLatch workerCleared, AtomicReference<String> problem) {
        // Looked up once: a changed signature fails here, at the start, not as a hang.
        Method fail =
                method(TaskStore.class, "fail", ClaimedTask.class, String.class, long.class, long.class, boolean.class);
        Method unlinger = method(TaskStore.class, "unlinger", ClaimedTask.class);
        Method tasksOf = method(Storage.class, "tasks");
        Method workersOf = method(Storage.class, "workers");
        TaskStore realTasks = real.workers().tasks();
        TaskStore tasks = (TaskStore) Proxy.newProxyInstance(
                TaskStore.class.getClassLoader(), new Class<?>[] {TaskStore.class}, (proxy, method, args) -> {
                    if (method.equals(fail) && Boolean.TRUE.equals(args[4])) {
                        failureSent.countDown();
                        if (!workerCleared.await(10, TimeUnit.SECONDS)) {
                            problem.compareAndSet(null, "the worker never cleared the count");
                        }
                    }
                    Object result = invoke(method, realTasks, args);
                    if (method.equals(unlinger)) {
                        workerCleared.countDown();
                    }
                    return result;
                });
        Storage workers = (Storage) Proxy.newProxyInstance(
                Storage.class.getClassLoader(),
                new Class<?>[] {Storage.class},
                (proxy, method, args) -> method.equals(tasksOf) ? tasks : invoke(method, real.workers(), args));
        return (Storage) Proxy.newProxyInstance(
                Storage.class.getClassLoader(),
                new Class<?>[] {Storage.class},
                (proxy, method, args) -> method.equals(workersOf) ? workers : invoke(method, real, args));
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) {
        try {
            return type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(
                    "the test holds " + type.getSimpleName() + "." + name + ", which changed", e);
        }
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
