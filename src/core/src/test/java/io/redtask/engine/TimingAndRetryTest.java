package io.redtask.engine;

import io.redtask.NonRetryableException;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.TaskType;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When tasks run and how failures are retried, with time moved by hand: delays, run-at times,
 * priorities, backoff, non-retryable failures and timeouts.
 */
class TimingAndRetryTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private EngineFixture fixture;
    private MutableClock clock;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        clock = new MutableClock(T0);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private TaskStatus awaitState(RedTaskEngine engine, String id, TaskState state) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow(), s -> s.state() == state);
    }

    @Test
    void aDelayedTaskWaitsForItsTimeAndARunAtInThePastRunsNow() {
        List<String> ran = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> ran.add(c.taskId()))));
        String later = engine.submit(
                "t", null, SubmitOptions.builder().delay(Duration.ofMinutes(5)).build());
        String at = engine.submit(
                "t", null, SubmitOptions.builder().runAt(T0.plusSeconds(600)).build());
        String past = engine.submit(
                "t", null, SubmitOptions.builder().runAt(T0.minusSeconds(60)).build());
        assertEquals(TaskState.SCHEDULED, engine.status(later).orElseThrow().state());
        awaitState(engine, past, TaskState.SUCCEEDED);

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        // Three rounds of the fetcher (two whole claims, each of which promotes due tasks) at
        // 1 ms before the due time: it is not run.
        FetchRounds.await(engine.health(), 3);
        assertEquals(TaskState.SCHEDULED, engine.status(later).orElseThrow().state(), "not a millisecond early");

        clock.advance(Duration.ofMillis(1));
        awaitState(engine, later, TaskState.SUCCEEDED);
        assertEquals(TaskState.SCHEDULED, engine.status(at).orElseThrow().state());
        clock.advance(Duration.ofMinutes(5));
        awaitState(engine, at, TaskState.SUCCEEDED);
        assertEquals(List.of(past, later, at), ran);
    }

    @Test
    void higherPriorityRunsFirstAndEqualPrioritiesInSubmitOrder() {
        List<Integer> order = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                EngineFixture.settings("n").concurrency(0),
                // A lambda's payload type is not known: JSON numbers arrive as Number.
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> order.add(((Number) p).intValue()))));
        int[] priorities = {0, 5, -3, 5, 0, 1000, -1000, 5};
        for (int i = 0; i < priorities.length; i++) {
            engine.submit(
                    "t", i, SubmitOptions.builder().priority(priorities[i]).build());
        }
        engine.admin().setConcurrency(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == priorities.length);
        assertEquals(List.of(5, 1, 3, 7, 0, 4, 2, 6), order);
    }

    @Test
    void failedAttemptsWaitForTheirBackoffAndTheLastFailureIsDead() {
        AtomicInteger attempts = new AtomicInteger();
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("attempt " + c.attempt());
                })));
        String id = engine.submit(
                "t",
                null,
                SubmitOptions.builder()
                        .maxAttempts(3)
                        .backoff(Duration.ofSeconds(10), Duration.ofSeconds(15))
                        .build());
        RedisStorage store = fixture.store();
        String scheduled = store.keys().scheduled("default");

        awaitState(engine, id, TaskState.SCHEDULED);
        assertEquals(
                T0.plusSeconds(10).toEpochMilli(),
                RedisProbe.client(store).zscore(scheduled, id).longValue(),
                "first retry 10 s after the failure (no jitter here)");
        clock.advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() == 2);
        awaitState(engine, id, TaskState.SCHEDULED);
        assertEquals(
                T0.plusSeconds(10 + 15).toEpochMilli(),
                RedisProbe.client(store).zscore(scheduled, id).longValue(),
                "second retry 20 s later, capped at 15 s");
        clock.advance(Duration.ofSeconds(15));
        TaskStatus dead = awaitState(engine, id, TaskState.DEAD);
        assertEquals(3, dead.attempts());
        assertEquals("java.lang.IllegalStateException: attempt 3", dead.error());
        assertEquals(1, RedisProbe.client(store).zcard(store.keys().dead("default")));
    }

    @TaskType(value = "picky", maxAttempts = 5, noRetryFor = IllegalArgumentException.class)
    static final class PickyHandler implements TaskHandler<String, String> {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String handle(String payload, TaskContext context) {
            calls.incrementAndGet();
            if (payload.equals("bad-arg")) {
                throw new IllegalArgumentException("no such customer");
            }
            throw new NonRetryableException("card declined");
        }
    }

    @Test
    void nonRetryableFailuresAreDeadAtOnce() {
        PickyHandler handler = new PickyHandler();
        RedTaskEngine engine = fixture.engine(
                "n", clock, EngineFixture.settings("n"), b -> b.handler(HandlerRegistration.of(handler)));
        TaskStatus a = awaitState(engine, engine.submit("picky", "bad-arg"), TaskState.DEAD);
        TaskStatus b = awaitState(engine, engine.submit("picky", "declined"), TaskState.DEAD);
        assertEquals(1, a.attempts());
        assertEquals(1, b.attempts());
        assertTrue(b.error().contains("card declined"), b.error());
        assertEquals(2, handler.calls.get());
    }

    @Test
    void anAttemptPastItsTimeoutIsInterruptedAndCountsAsFailed() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicBoolean sawFlag = new AtomicBoolean();
        List<Instant> deadlines = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                // A lease longer than the jump of the clock below: only the timeout may end the
                // attempt (with the default lease the reaper could recover it first, and the
                // retried first attempt would wait for a deadline the frozen clock never reaches).
                EngineFixture.settings("n").lease(Duration.ofMinutes(2), Duration.ofSeconds(1)),
                b -> b.handler(HandlerRegistration.of("slow", (p, c) -> {
                    c.deadline().ifPresent(deadlines::add);
                    if (c.attempt() > 1) {
                        return "second attempt ok";
                    }
                    started.countDown();
                    try {
                        new CountDownLatch(1).await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        sawInterrupt.set(true);
                        sawFlag.set(c.isCancelled());
                        throw e;
                    }
                    return "too late";
                })));
        String id = engine.submit(
                "slow",
                null,
                SubmitOptions.builder()
                        .timeout(Duration.ofSeconds(30))
                        .maxAttempts(2)
                        .build());
        assertTrue(started.await(10, TimeUnit.SECONDS));
        clock.advance(Duration.ofSeconds(31));
        TaskStatus done = awaitState(engine, id, TaskState.SUCCEEDED);
        assertTrue(sawInterrupt.get(), "the handler was interrupted");
        assertTrue(sawFlag.get(), "and saw isCancelled()");
        assertEquals("\"second attempt ok\"", done.result());
        assertEquals(2, done.attempts());
        assertEquals(T0.plusSeconds(30), deadlines.get(0), "deadline = start + timeout");
        assertEquals(1, engine.admin().failedCount());
    }
}
