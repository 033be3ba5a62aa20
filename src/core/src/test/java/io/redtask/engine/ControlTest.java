package io.redtask.engine;

import io.redtask.IdempotencyConflictException;
import io.redtask.InvalidRequestException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskEvent;
import io.redtask.TaskNotFoundException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.TaskIds;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancelling, idempotent submits, batches, completion handles, events, dead letters, queue limits. */
class ControlTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        // Queues these tests submit to that no engine serves (redtask.queues.allowed).
        fixture = new EngineFixture(REDIS.url())
                .limits(SubmitLimits.Limits.DEFAULTS.withAllowedQueues(java.util.Set.of("other", "mail")));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private static TaskStatus awaitState(RedTaskEngine engine, String id, TaskState state) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow(), s -> s.state() == state);
    }

    @Test
    void aCancelledQueuedOrScheduledTaskNeverRuns() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        AtomicInteger runs = new AtomicInteger();
        List<TaskEvent> events = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                EngineFixture.settings("n").concurrency(0),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> runs.incrementAndGet()))
                        .listener(events::add));
        String queued = engine.submit("t", null);
        String scheduled = engine.submit(
                "t", null, SubmitOptions.builder().delay(Duration.ofMinutes(1)).build());
        String control = engine.submit("t", null);

        assertTrue(engine.cancel(queued));
        assertTrue(engine.cancel(scheduled));
        assertFalse(engine.cancel(queued), "a second cancel changes nothing");
        assertFalse(engine.cancel("default:NOSUCHTASK"));

        clock.advance(Duration.ofMinutes(2));
        engine.admin().setConcurrency(4);
        awaitState(engine, control, TaskState.SUCCEEDED);
        assertEquals(1, runs.get(), "only the task that was not cancelled ran");
        assertEquals(TaskState.CANCELLED, engine.status(queued).orElseThrow().state());
        assertEquals(TaskState.CANCELLED, engine.status(scheduled).orElseThrow().state());
        RedisStorage store = fixture.store();
        assertEquals(0, RedisProbe.client(store).zcard(store.keys().scheduled("default")));
        assertEquals(
                List.of(queued, scheduled),
                events.stream()
                        .filter(e -> e.kind() == TaskEvent.Kind.CANCELLED)
                        .map(TaskEvent::taskId)
                        .toList());
    }

    @Test
    void cancellingARunningTaskInterruptsItsHandlerAndItsResultIsNotRecorded() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean flag = new AtomicBoolean();
        CountDownLatch returned = new CountDownLatch(1);
        RedTaskEngine worker = fixture.engine(
                "worker",
                Clock.systemUTC(),
                EngineFixture.settings("worker").lease(Duration.ofSeconds(30), Duration.ofMillis(100)),
                b -> b.handler(HandlerRegistration.of("long", (p, c) -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        flag.set(c.isCancelled());
                    }
                    returned.countDown();
                    return "finished anyway";
                })));
        // Cancelled from another server: the worker learns it at its next heartbeat.
        RedTaskEngine other = fixture.unstarted(
                "other",
                Clock.systemUTC(),
                EngineFixture.settings("other"),
                b -> b.handler(HandlerRegistration.of("long", (p, c) -> null)));
        String id = worker.submit("long", null);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertTrue(other.cancel(id));
        assertTrue(returned.await(10, TimeUnit.SECONDS), "the handler was interrupted");
        assertTrue(interrupted.get());
        assertTrue(flag.get(), "isCancelled() was true");
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.admin().busy() == 0);
        TaskStatus s = worker.status(id).orElseThrow();
        assertEquals(TaskState.CANCELLED, s.state());
        assertNull(s.result(), "the late result was refused");
    }

    @Test
    void anIdempotencyKeyMakesTheSecondSubmitReturnTheFirstTask() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(
                        HandlerRegistration.of("t", (p, c) -> c.idempotencyKey().orElse(null))));
        SubmitOptions once = SubmitOptions.builder()
                .idempotencyKey("order-42")
                .idempotencyWindow(Duration.ofMillis(800))
                .build();
        String first = engine.submit("t", 1, once);
        String second = engine.submit("t", 1, once);
        assertEquals(first, second, "a repeat of the same submit is the first task");
        IdempotencyConflictException conflict = assertThrows(
                IdempotencyConflictException.class,
                () -> engine.submit("t", 2, once),
                "the key reused for another payload");
        assertEquals("idempotencyKey", conflict.field());
        assertEquals(first, conflict.firstTaskId());
        String otherQueue = engine.submit(
                "t",
                3,
                SubmitOptions.builder()
                        .queue("other")
                        .idempotencyKey("order-42")
                        .build());
        assertNotEquals(first, otherQueue, "keys are per queue");
        RedisStorage store = fixture.store();
        assertEquals(1, RedisProbe.client(store).zcard(store.keys().ready("default", "t")));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> !RedisProbe.client(store).exists(store.keys().idempotency("default", "order-42")));
        String afterWindow = engine.submit("t", 4, once);
        assertNotEquals(first, afterWindow, "after the window the key may be used again");

        engine.start();
        assertEquals(
                "\"order-42\"", awaitState(engine, first, TaskState.SUCCEEDED).result(), "the handler sees the key");
    }

    @Test
    void submitAllStoresABatchInOneRoundTripOrNothingWhenOneIsInvalid() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> p)));
        RedisStorage store = fixture.store();
        List<Submission> batch =
                IntStream.range(0, 500).mapToObj(i -> Submission.of("t", i)).toList();
        engine.submit("t", -1); // the first call of a queue also records the queue's name
        RedisProbe.client(store).sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "RESETSTAT");
        List<String> ids = engine.submitAll(batch);
        String stats = RedisProbe.client(store).info("commandstats");
        assertEquals(500, ids.size());
        assertEquals(500 + 1, RedisProbe.client(store).zcard(store.keys().ready("default", "t")));
        assertTrue(
                stats.contains("cmdstat_fcall:calls=1,") && !stats.contains("cmdstat_evalsha"),
                "one function call for 500 tasks:\n" + stats);

        List<Submission> bad = new ArrayList<>(batch.subList(0, 10));
        bad.add(Submission.of("nope", 1));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.submitAll(bad));
        assertEquals("tasks[10].type", e.field());
        assertEquals(
                500 + 1,
                RedisProbe.client(store).zcard(store.keys().ready("default", "t")),
                "nothing of the bad batch stored");

        List<String> mixed = engine.submitAll(List.of(
                Submission.of("t", "a"),
                new Submission("t", "b", SubmitOptions.queue("other")),
                Submission.of("t", "c")));
        assertEquals(
                List.of("default", "other", "default"),
                mixed.stream().map(TaskIds::queueOf).toList(),
                "ids come back in submit order across queues");
    }

    @Test
    void whenFinishedCompletesWithTheFinalStatusAndFailsForAnUnknownTask() throws Exception {
        // Two servers: the one that submits and waits has no workers; the other runs the task.
        AtomicInteger ranOnWaiter = new AtomicInteger();
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> "done " + p)));
        RedTaskEngine waiter = fixture.unstarted(
                "w",
                Clock.systemUTC(),
                EngineFixture.settings("w"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> ranOnWaiter.incrementAndGet())));
        String id = waiter.submit("t", 7);
        TaskStatus s = waiter.whenFinished(id).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(TaskState.SUCCEEDED, s.state());
        assertEquals("\"done 7\"", s.result());
        assertEquals(0, ranOnWaiter.get(), "the waiting server ran nothing");
        // Counted by the worker after the outcome is in Redis, where whenFinished saw it.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertEquals(1, engine.admin().completedCount(), "the other server ran it"));
        // Asked again once it has finished: completes with the same outcome.
        assertEquals(
                "\"done 7\"",
                waiter.whenFinished(id)
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .result());
        CompletableFuture<TaskStatus> missing =
                engine.whenFinished("default:NOTATASK").toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> missing.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TaskNotFoundException.class, e.getCause());
    }

    @Test
    void eventsTellSuccessRetryAndDeath() {
        List<TaskEvent> events = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.listener(events::add)
                        .listener(e -> {
                            throw new IllegalStateException("a broken listener changes nothing");
                        })
                        .handler(HandlerRegistration.of("t", (p, c) -> {
                            if ("fail".equals(p)) {
                                throw new IllegalStateException("no");
                            }
                            return p;
                        })));
        String ok = engine.submit("t", "ok");
        String bad = engine.submit(
                "t", "fail", SubmitOptions.builder().maxAttempts(2).build());
        awaitState(engine, ok, TaskState.SUCCEEDED);
        awaitState(engine, bad, TaskState.DEAD);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
        assertEquals(List.of(TaskEvent.Kind.SUCCEEDED), kinds(events, ok));
        // Attempts that follow each other within microseconds on two worker threads may publish
        // out of order; each event carries its attempt, by which they are told apart.
        List<TaskEvent> ofBad = events.stream()
                .filter(e -> e.taskId().equals(bad))
                .sorted(java.util.Comparator.comparingInt(TaskEvent::attempt))
                .toList();
        assertEquals(
                List.of(TaskEvent.Kind.FAILED_WILL_RETRY, TaskEvent.Kind.DEAD),
                ofBad.stream().map(TaskEvent::kind).toList());
        assertEquals(List.of(1, 2), ofBad.stream().map(TaskEvent::attempt).toList());
        assertEquals(
                "\"ok\"",
                events.stream()
                        .filter(e -> e.taskId().equals(ok))
                        .findFirst()
                        .orElseThrow()
                        .resultJson());
    }

    private static List<TaskEvent.Kind> kinds(List<TaskEvent> events, String id) {
        return events.stream()
                .filter(e -> e.taskId().equals(id))
                .map(TaskEvent::kind)
                .toList();
    }

    @Test
    void deadTasksCanBeRetriedOrPurged() {
        AtomicBoolean healthy = new AtomicBoolean(false);
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> {
                    if (!healthy.get()) {
                        throw new IllegalStateException("down");
                    }
                    return "ok";
                })));
        List<String> ids =
                IntStream.range(0, 5).mapToObj(i -> engine.submit("t", i)).toList();
        ids.forEach(id -> awaitState(engine, id, TaskState.DEAD));
        RedisStorage store = fixture.store();
        assertEquals(5, RedisProbe.client(store).zcard(store.keys().dead("default")));

        healthy.set(true);
        assertTrue(engine.admin().retryDeadTask(ids.get(0)));
        assertFalse(engine.admin().retryDeadTask(ids.get(0)), "no longer dead");
        assertEquals(
                2, store.queues().retryDead("default", null, 2, System.currentTimeMillis()), "the two that died first");
        TaskStatus first = awaitState(engine, ids.get(0), TaskState.SUCCEEDED);
        assertEquals(1, first.attempts(), "attempts start again");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ids.stream()
                                .filter(id -> engine.status(id).orElseThrow().state() == TaskState.SUCCEEDED)
                                .count()
                        == 3);
        List<String> stillDead = ids.stream()
                .filter(id -> engine.status(id).orElseThrow().state() == TaskState.DEAD)
                .toList();
        assertEquals(2, stillDead.size());
        assertEquals(2, engine.admin().purgeDead("default"), "the two still dead");
        assertEquals(0, RedisProbe.client(store).zcard(store.keys().dead("default")));
        assertTrue(stillDead.stream().allMatch(id -> engine.status(id).isEmpty()), "purged tasks are gone");
    }

    @Test
    void aQueueConcurrencyLimitHoldsAcrossServers() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        List<RedTaskEngine> engines = new ArrayList<>();
        for (String node : List.of("a", "b")) {
            engines.add(fixture.engine(
                    node,
                    Clock.systemUTC(),
                    EngineFixture.settings(node).concurrency(4).queues(List.of("report")),
                    b -> b.handler(HandlerRegistration.of("report", (p, c) -> {
                        max.accumulateAndGet(now.incrementAndGet(), Math::max);
                        gate.await(10, TimeUnit.SECONDS);
                        now.decrementAndGet();
                        done.incrementAndGet();
                        return null;
                    }))));
        }
        engines.get(0).admin().setQueueConcurrency("report", 2);
        IntStream.range(0, 8).forEach(i -> engines.get(i % 2).submit("report", i, SubmitOptions.queue("report")));
        await().atMost(Duration.ofSeconds(10)).until(() -> now.get() == 2);
        // Both servers have free workers and go on claiming: after three rounds of each one's
        // fetcher (two whole claims each), the limit still holds.
        engines.forEach(e -> FetchRounds.await(e.health(), 3));
        assertEquals(2, now.get());
        assertEquals(2, engines.get(0).admin().queue("report").running());
        assertEquals(6, engines.get(0).admin().queue("report").ready());
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 8);
        assertEquals(2, max.get());
    }

    @Test
    void aPausedQueueIsNotClaimedOnAnyServerUntilResumed() {
        AtomicInteger runs = new AtomicInteger();
        List<RedTaskEngine> engines = new ArrayList<>();
        for (String node : List.of("a", "b")) {
            engines.add(fixture.engine(
                    node,
                    Clock.systemUTC(),
                    EngineFixture.settings(node),
                    b -> b.handler(HandlerRegistration.of("t", (p, c) -> runs.incrementAndGet()))));
        }
        // Paused through one server: the flag is in Redis, for every server.
        engines.get(0).admin().pause("default");
        assertTrue(engines.get(1).admin().queue("default").paused());
        List<String> ids = List.of(engines.get(0).submit("t", 1), engines.get(1).submit("t", 2));
        // Three rounds of each server's fetcher, so two whole claims each, after the submits: none took them.
        engines.forEach(e -> FetchRounds.await(e.health(), 3));
        assertEquals(0, runs.get());
        ids.forEach(id -> assertEquals(
                TaskState.QUEUED, engines.get(1).status(id).orElseThrow().state()));
        engines.get(1).admin().resume("default");
        ids.forEach(id -> awaitState(engines.get(0), id, TaskState.SUCCEEDED));
        assertEquals(2, runs.get());
    }

    @Test
    void submitsToAPausedQueueWakeNoFetcherAndAResumeStartsTheTasksAtOnce() {
        AtomicInteger runs = new AtomicInteger();
        // A poll of a minute: only a wake-up token can start the tasks within the wait below.
        RedTaskEngine engine = fixture.engine(
                "a",
                Clock.systemUTC(),
                EngineFixture.settings("a").pollInterval(Duration.ofMinutes(1)),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> runs.incrementAndGet())));
        engine.admin().pause("default");
        UnifiedJedis redis = RedisProbe.client(fixture.store());
        redis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(engine.submit("t", i));
        }
        assertEquals(
                0,
                RedisProbe.calls(redis, "blpop"),
                "no fetcher woke for the submits to the paused queue (each would have claimed nothing)");
        assertEquals(0, runs.get());
        long resumedAt = System.nanoTime();
        engine.admin().resume("default");
        await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() == 100);
        long tookMs = (System.nanoTime() - resumedAt) / 1_000_000;
        assertTrue(tookMs < 10_000, "the resume woke the fetcher (its poll is a minute): " + tookMs + " ms");
        ids.forEach(id -> awaitState(engine, id, TaskState.SUCCEEDED));
    }

    @Test
    void submittingToAQueueNoServerTakesTasksFromIsWarnedAboutOnce() {
        List<String> warnings = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(RedTaskEngine.class.getName());
        log.addHandler(capture);
        try {
            RedTaskEngine engine = fixture.engine(
                    "n",
                    Clock.systemUTC(),
                    EngineFixture.settings("n"),
                    b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
            engine.submit("t", 1);
            engine.submit("t", 1, SubmitOptions.queue("mail"));
            engine.submit("t", 2, SubmitOptions.queue("mail"));
            List<String> about =
                    warnings.stream().filter(w -> w.contains("'mail'")).toList();
            assertEquals(1, about.size(), "warned once: " + warnings);
            assertTrue(about.get(0).contains("redtask.queues"), about.get(0));
            assertTrue(warnings.stream().noneMatch(w -> w.contains("'default'")), "default is served: " + warnings);
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void theHandlerSeesItsIdAttemptAndAGrowingFencingToken() {
        List<Long> tokens = new CopyOnWriteArrayList<>();
        RedTaskEngine engine = fixture.engine(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> {
                    tokens.add(c.fencingToken());
                    if (c.attempt() < 3) {
                        throw new IllegalStateException("again");
                    }
                    return Map.of("id", c.taskId(), "attempt", c.attempt(), "queue", c.queue(), "type", c.type());
                })));
        String id =
                engine.submit("t", null, SubmitOptions.builder().maxAttempts(3).build());
        TaskStatus s = awaitState(engine, id, TaskState.SUCCEEDED);
        assertTrue(s.result().contains("\"attempt\":3") && s.result().contains("\"id\":\"" + id + "\""), s.result());
        assertEquals(List.of(1L, 2L, 3L), tokens);
    }
}
