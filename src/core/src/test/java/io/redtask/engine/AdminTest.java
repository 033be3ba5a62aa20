package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.NotFoundException;
import io.redtask.QueueStats;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What operators read and change: queue figures, servers, worker pause and concurrency. */
class AdminTest {

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

    @Test
    void queueFiguresCountEachStateAndTheLastMinute() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:05Z"));
        RedTaskEngine engine = fixture.engine(
                "n",
                clock,
                EngineFixture.settings("n").concurrency(0),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> {
                    if ("fail".equals(p)) {
                        throw new IllegalStateException("no");
                    }
                    return null;
                })));
        IntStream.range(0, 3).forEach(i -> engine.submit("t", "ok"));
        engine.submit("t", "fail");
        engine.submit(
                "t", "later", SubmitOptions.builder().delay(Duration.ofHours(1)).build());
        clock.advance(Duration.ofSeconds(7));
        assertEquals(4, engine.admin().tasks("default", TaskState.QUEUED, 0, 10).size());
        assertEquals(
                List.of(clock.instant().minusSeconds(7).plus(Duration.ofHours(1))),
                engine.admin().tasks("default", TaskState.SCHEDULED, 0, 10).stream()
                        .map(TaskStatus::runAt)
                        .toList(),
                "the delayed task, due an hour after its submit");
        assertEquals(
                "state",
                assertThrows(
                                InvalidRequestException.class,
                                () -> engine.admin().tasks("default", TaskState.SUCCEEDED, 0, 10))
                        .field());
        assertThrows(
                NotFoundException.class, () -> engine.admin().pause("never-used"), "a typo does not create a queue");
        QueueStats before = engine.admin().queue("default");
        assertEquals(4, before.ready());
        assertEquals(1, before.scheduled());
        assertEquals(0, before.running());
        assertEquals(Duration.ofSeconds(7), before.nextWaiting());
        assertFalse(before.paused());
        assertNull(before.concurrencyLimit());

        engine.admin().setConcurrency(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            // Ready 0 is not done yet: a completion may still be on its way.
            QueueStats q = engine.admin().queue("default");
            return q.completed() == 3 && q.dead() == 1 && q.running() == 0;
        });
        QueueStats after = engine.admin().queue("default");
        assertEquals(3, after.completed());
        assertEquals(3, after.completedLastMinute());
        assertEquals(1, after.failed());
        assertEquals(1, after.failedLastMinute());
        assertEquals(1, after.died());
        assertNull(after.nextWaiting());

        clock.advance(Duration.ofMinutes(2));
        QueueStats later = engine.admin().queue("default");
        assertEquals(0, later.completedLastMinute(), "the rate window moved on");
        assertEquals(3, later.completed(), "totals stay");
        assertEquals(
                List.of("default"),
                engine.admin().queues().stream().map(QueueStats::name).toList());
    }

    @Test
    void serversAppearWithTheirFiguresAndLeaveWhenTheyStop() {
        RedTaskEngine a = fixture.engine(
                "a",
                Clock.systemUTC(),
                EngineFixture.settings("a").concurrency(3),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
        RedTaskEngine b = fixture.engine(
                "b",
                Clock.systemUTC(),
                EngineFixture.settings("b").concurrency(5).queues(List.of("default", "mail")),
                x -> x.handler(HandlerRegistration.of("t", (p, c) -> null)));
        List<NodeInfo> nodes = a.admin().nodes();
        assertEquals(
                List.of("a", "b"), nodes.stream().map(NodeInfo::nodeId).sorted().toList());
        NodeInfo nb =
                nodes.stream().filter(n -> n.nodeId().equals("b")).findFirst().orElseThrow();
        assertEquals(5, nb.concurrency());
        assertEquals(List.of("default", "mail"), nb.queues());
        b.stop();
        assertEquals(
                List.of("a"), a.admin().nodes().stream().map(NodeInfo::nodeId).toList());
    }

    @Test
    void pausingOneServersWorkersLeavesTheOthersWorking() {
        AtomicInteger byA = new AtomicInteger();
        AtomicInteger byB = new AtomicInteger();
        RedTaskEngine a = fixture.engine(
                "a",
                Clock.systemUTC(),
                EngineFixture.settings("a"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> byA.incrementAndGet())));
        RedTaskEngine b = fixture.engine(
                "b",
                Clock.systemUTC(),
                EngineFixture.settings("b"),
                x -> x.handler(HandlerRegistration.of("t", (p, c) -> byB.incrementAndGet())));
        a.admin().pauseWorkers();
        assertTrue(a.admin().workersPaused());
        List<String> ids =
                IntStream.range(0, 50).mapToObj(i -> a.submit("t", i)).toList();
        // All done and none running on b before it pauses: a completion on its way when the
        // workers pause may still claim the next task for its worker, as it asked before.
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        ids.stream().allMatch(i -> a.status(i).orElseThrow().state() == TaskState.SUCCEEDED)
                                && b.admin().busy() == 0);
        assertEquals(50, byB.get());
        assertEquals(0, byA.get());
        a.admin().resumeWorkers();
        b.admin().pauseWorkers();
        String id = b.submit("t", 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
        assertEquals(1, byA.get());
    }

    @Test
    void concurrencyChangesAtOnceHereAndAtTheNextHeartbeatElsewhereWithinTheExecutorsLimit() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger runningOnB = new AtomicInteger();
        RedTaskEngine a = fixture.engine(
                "a",
                Clock.systemUTC(),
                EngineFixture.settings("a").concurrency(0),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
        RedTaskEngine b = fixture.engine(
                "b",
                Clock.systemUTC(),
                EngineFixture.settings("b")
                        .concurrency(1)
                        .maxConcurrency(6)
                        .lease(Duration.ofSeconds(30), Duration.ofMillis(100)),
                x -> x.handler(HandlerRegistration.of("t", (p, c) -> {
                    runningOnB.incrementAndGet();
                    gate.await(10, TimeUnit.SECONDS);
                    return null;
                })));
        IntStream.range(0, 10).forEach(i -> a.submit("t", i));
        await().atMost(Duration.ofSeconds(10)).until(() -> runningOnB.get() == 1);
        InvalidRequestException tooMany =
                assertThrows(InvalidRequestException.class, () -> a.admin().setConcurrency("b", 7));
        assertTrue(tooMany.getMessage().contains("between 0 and 6"), tooMany.getMessage());
        assertEquals("concurrency", tooMany.field());
        assertEquals(
                "nodeId",
                assertThrows(InvalidRequestException.class, () -> a.admin().setConcurrency("nobody", 1))
                        .field());
        a.admin().setConcurrency("b", 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> runningOnB.get() == 4);
        assertEquals(4, b.admin().concurrency());
        assertThrows(InvalidRequestException.class, () -> b.admin().setConcurrency(7), "above the executor's limit");
        gate.countDown();
    }
}
