package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.SubmitOptions;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.TaskType;
import io.redtask.UnknownTaskTypeException;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine end to end on a real redis-server: submit, run, record, fail, recover, stop. */
class RedTaskEngineTest {

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

    /** A typed payload, read from JSON by JSON-B. */
    public record Greeting(String name, int times) {}

    @TaskType(value = "greet", maxAttempts = 2)
    static final class GreetHandler implements TaskHandler<Greeting, String> {
        @Override
        public String handle(Greeting g, io.redtask.TaskContext context) {
            return ("hello " + g.name() + " ").repeat(g.times()).trim();
        }
    }

    private TaskStatus awaitFinal(RedTaskEngine engine, String id) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow(), s -> s.state().isFinal());
    }

    @Test
    void aSubmittedTaskRunsAndItsResultIsReadable() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of("echo", (TaskHandler<Object, Object>) (p, c) -> p)));
        String id = engine.submit("echo", Map.of("x", 1));
        assertTrue(id.startsWith("default:"), id);
        TaskStatus status = awaitFinal(engine, id);
        assertEquals(TaskState.SUCCEEDED, status.state());
        assertEquals("{\"x\":1}", status.result());
        assertEquals("echo", status.type());
        assertEquals("default", status.queue());
        assertEquals(1, status.attempts());
        assertTrue(!status.finishedAt().isBefore(status.startedAt()));
        assertTrue(!status.startedAt().isBefore(status.createdAt()));
    }

    @Test
    void aTypedPayloadIsReadIntoTheHandlersParameterType() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of(new GreetHandler())));
        String id = engine.submit("greet", new Greeting("ada", 2), SubmitOptions.queue("default"));
        assertEquals("\"hello ada hello ada\"", awaitFinal(engine, id).result());
    }

    @Test
    void aPayloadTheHandlerCannotReadIsRefusedAtSubmit() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of(new GreetHandler())));
        InvalidRequestException e =
                assertThrows(InvalidRequestException.class, () -> engine.submit("greet", "just a string"));
        assertEquals("payload", e.field());
        assertTrue(e.getMessage().contains("cannot be read as Greeting"), e.getMessage());
    }

    @Test
    void aReceiptTellsANewTaskFromADuplicate() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of("echo", (TaskHandler<Object, Object>) (p, c) -> p)));
        SubmitOptions once = SubmitOptions.builder().idempotencyKey("receipt").build();
        io.redtask.SubmitReceipt first = engine.submitForReceipt("echo", 1, once);
        assertEquals(TaskState.QUEUED, first.state());
        assertTrue(!first.duplicate());
        awaitFinal(engine, first.id());
        io.redtask.SubmitReceipt second = engine.submitForReceipt("echo", 1, once);
        assertEquals(first.id(), second.id());
        assertTrue(second.duplicate());
        assertEquals(TaskState.SUCCEEDED, second.state(), "the first task's current state");
    }

    @Test
    void aHandlerThatThrowsEndsDeadWithItsError() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of("boom", (p, c) -> {
                    throw new IllegalStateException("disk full");
                })));
        TaskStatus status = awaitFinal(engine, engine.submit("boom", null));
        assertEquals(TaskState.DEAD, status.state());
        assertEquals("java.lang.IllegalStateException: disk full", status.error());
        assertEquals(1, status.attempts());
    }

    @Test
    void aFailedAttemptIsRetriedUpToMaxAttempts() {
        AtomicInteger calls = new AtomicInteger();
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of("flaky", (p, c) -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("not yet, attempt " + c.attempt());
                    }
                    return c.attempt();
                })));
        String id = engine.submit(
                "flaky", null, SubmitOptions.builder().maxAttempts(3).build());
        TaskStatus status = awaitFinal(engine, id);
        assertEquals(TaskState.SUCCEEDED, status.state());
        assertEquals("3", status.result());
        assertEquals(3, status.attempts());
    }

    @Test
    void anUnknownTypeOrBadQueueIsRefusedAtSubmitAndNothingIsStored() {
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1"),
                b -> b.handler(HandlerRegistration.of("echo", (TaskHandler<Object, Object>) (p, c) -> p)));
        UnknownTaskTypeException e = assertThrows(UnknownTaskTypeException.class, () -> engine.submit("nope", 1));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("echo"), e.getMessage());
        InvalidRequestException q = assertThrows(
                InvalidRequestException.class, () -> engine.submit("echo", 1, SubmitOptions.queue("no spaces")));
        assertEquals("queue", q.field());
        RedisStorage store = fixture.store();
        assertEquals(0, RedisProbe.client(store).zcard(store.keys().ready("default", "echo")));
    }

    @Test
    void aTaskWhoseLeaseExpiresIsRunAgainByAnotherEngineAndTheLateResultIsRefused() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2027-01-01T00:00:00Z"));
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch aMayFinish = new CountDownLatch(1);
        // Long lease and heartbeat in real time, so only the test's clock makes the lease expire;
        // long reaper interval, so only the test's call recovers it.
        EngineSettings.Builder base = EngineFixture.settings("x")
                .lease(Duration.ofSeconds(30), Duration.ofSeconds(20))
                .nodeTtl(Duration.ofMinutes(1))
                .reaperInterval(Duration.ofHours(1))
                .concurrency(1);
        RedTaskEngine a = fixture.engine(
                "a",
                clock,
                base,
                bld -> bld.handler(HandlerRegistration.of("work", (p, c) -> {
                    aStarted.countDown();
                    aMayFinish.await(10, TimeUnit.SECONDS);
                    return "from a";
                })));
        String id = a.submit("work", null);
        assertTrue(aStarted.await(10, TimeUnit.SECONDS), "engine a started the task");

        RedTaskEngine b = fixture.engine(
                "b",
                clock,
                base,
                bld -> bld.handler(HandlerRegistration.of("work", (p, c) -> "from b, attempt " + c.attempt())));

        clock.advance(Duration.ofSeconds(31));
        b.recoverExpiredLeases();
        TaskStatus status = awaitFinal(b, id);
        assertEquals(TaskState.SUCCEEDED, status.state());
        assertEquals("\"from b, attempt 1\"", status.result(), "a lost lease does not use up an attempt");

        aMayFinish.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.admin().busy() == 0);
        TaskStatus after = a.status(id).orElseThrow();
        assertEquals("\"from b, attempt 1\"", after.result(), "the late result of a was refused");
        assertEquals(1, after.attempts());
        assertEquals(0, a.admin().completedCount());
        assertEquals(1, b.admin().completedCount());
    }

    @Test
    void aTaskThatFinishesWithinTheShutdownGraceIsRecordedAndTheLoopsStop() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1").shutdownGrace(Duration.ofSeconds(5)),
                b -> b.handler(HandlerRegistration.of("slowish", (p, c) -> {
                    started.countDown();
                    Thread.sleep(400);
                    return "finished during the stop";
                })));
        String id = engine.submit("slowish", null);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        engine.stop();
        TaskStatus status = engine.status(id).orElseThrow();
        assertEquals(TaskState.SUCCEEDED, status.state(), "the stop waited for it");
        assertEquals("\"finished during the stop\"", status.result());
        assertTrue(engine.awaitLoops(Duration.ofSeconds(5)), "the fetch loops left");
        assertEquals(0, engine.admin().busy(), "nothing runs after the stop");
        assertTrue(!engine.isRunning());
    }

    @Test
    void stopHandsBackTasksStillRunningAfterTheGracePeriod() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1").shutdownGrace(Duration.ofMillis(100)),
                b -> b.handler(HandlerRegistration.of("slow", (p, c) -> {
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return null;
                })));
        String id = engine.submit("slow", null);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        engine.stop();
        TaskStatus status = engine.status(id).orElseThrow();
        assertEquals(TaskState.QUEUED, status.state(), "handed back, ready for another server");
        assertEquals(0, status.attempts(), "the unfinished attempt does not count");
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.admin().busy() == 0);
        assertEquals(TaskState.QUEUED, engine.status(id).orElseThrow().state(), "its late result was refused");
    }

    @Test
    void concurrencyLimitsRunningTasksAndCanBeChangedWhileRunning() throws Exception {
        AtomicInteger runningNow = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        Map<String, Boolean> done = new ConcurrentHashMap<>();
        // Four worker threads although the limit will be 2: the limit, not the pool, must hold.
        RedTaskEngine engine = fixture.engine(
                "n1",
                Clock.systemUTC(),
                EngineFixture.settings("n1").concurrency(4),
                b -> b.handler(HandlerRegistration.of("hold", (p, c) -> {
                    int now = runningNow.incrementAndGet();
                    maxSeen.accumulateAndGet(now, Math::max);
                    gate.await(10, TimeUnit.SECONDS);
                    runningNow.decrementAndGet();
                    done.put(c.taskId(), true);
                    return null;
                })));
        engine.admin().setConcurrency(2);
        List<String> ids = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> engine.submit("hold", i))
                .toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> runningNow.get() == 2);
        assertEquals(2, engine.admin().busy());
        engine.admin().setConcurrency(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> runningNow.get() == 4);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == ids.size());
        assertEquals(4, maxSeen.get());
    }
}
