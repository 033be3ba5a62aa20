package io.redtask.engine;

import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.RedisServerExtension;
import io.redtask.testing.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replies lost on the way back from Redis (a TCP proxy swallows them for a while): the worker
 * writes the outcome again, Redis answers the repeat as the first, and no task runs twice or
 * waits for a lease to run out - not even the next task a lost completion had claimed.
 */
class LostReplyTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private TcpProxy proxy;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        proxy = TcpProxy.to(REDIS.server().port());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        timer.shutdownNow();
        proxy.close();
        fixture.close();
    }

    /**
     * An unstarted engine that reaches Redis through the proxy (300 ms read timeout), running
     * {@code handler} as type "t". A long lease: a task left for its lease to expire would take
     * 30 s, far past the tests' bounds.
     */
    private RedTaskEngine engineBehindProxy(int concurrency, TaskHandler<Object, Object> handler) {
        EngineSettings.Builder settings = EngineFixture.settings("x")
                .concurrency(concurrency)
                .lease(Duration.ofSeconds(30), Duration.ofSeconds(1))
                .outageBackoff(Duration.ofMillis(500));
        return fixture.unstarted(
                proxy.redisUrl(),
                Duration.ofMillis(300),
                "n",
                Clock.systemUTC(),
                settings,
                b -> b.handler(HandlerRegistration.of("t", handler)));
    }

    @Test
    void lostRepliesToCompletionsRunNothingTwiceAndStallNothing() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        RedTaskEngine engine = engineBehindProxy(1, (p, c) -> {
            runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
            if (handled.incrementAndGet() % 5 == 0) {
                // The reply to this task's completion, and to whatever follows for a moment, is lost.
                proxy.dropReplies(true);
                timer.schedule(() -> proxy.dropReplies(false), 700, TimeUnit.MILLISECONDS);
            }
            return c.attempt();
        });
        List<String> ids =
                IntStream.range(0, 20).mapToObj(i -> engine.submit("t", i)).toList();
        long started = System.nanoTime();
        engine.start();
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(25))
                    .ignoreExceptions()
                    .until(() -> engine.status(id).map(s -> s.state()).orElse(null), s -> s == TaskState.SUCCEEDED);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "each task ran once: " + runs);
        assertEquals(20, runs.size());
        assertTrue(tookMillis < 20_000, "no task waited for its 30 s lease: all done in " + tookMillis + " ms");
    }

    @Test
    void theTasksOfAClaimWhoseReplyWasLostRunAtOnceAndOnce() throws InterruptedException {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        // What each task does besides counting its run: nothing, until the end of the test.
        AtomicReference<Runnable> held = new AtomicReference<>(() -> {});
        RedTaskEngine engine = engineBehindProxy(4, (p, c) -> {
            runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
            held.get().run();
            return null;
        });
        // Straight to Redis, past the proxy: what the test reads and the pause it lifts.
        RedisStorage direct = fixture.store();
        direct.queues().setPaused("default", true);
        List<String> ids =
                IntStream.range(0, 4).mapToObj(i -> engine.submit("t", i)).toList();
        engine.start();
        FetchRounds.await(engine.health(), 2);

        // From now on a reply comes after the engine stopped waiting for it (200 ms each way
        // against its 300 ms read timeout; a fetcher's blocking wait allows longer): the resume
        // wakes the fetcher, whose claim runs in Redis while its reply is lost.
        proxy.latency(200);
        long resumed = System.nanoTime();
        direct.queues().setPaused("default", false);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ids.stream()
                        .allMatch(id -> direct.tasks().find(id).orElseThrow().state() == TaskState.RUNNING));
        assertEquals(Map.of(), runs, "the claim ran in Redis, its reply came too late: nothing started");
        proxy.latency(0);

        for (String id : ids) {
            await().atMost(Duration.ofSeconds(25))
                    .until(() -> direct.tasks().find(id).orElseThrow().state(), s -> s == TaskState.SUCCEEDED);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        assertEquals(4, runs.size());
        assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "each task ran once: " + runs);
        assertEquals(
                List.of(1, 1, 1, 1),
                ids.stream()
                        .map(id -> direct.tasks().find(id).orElseThrow().attempts())
                        .toList(),
                "the repeat took the same attempt, not another one");
        assertTrue(tookMillis < 10_000, "no task waited for its 30 s lease: all done in " + tookMillis + " ms");

        // The slots the lost claim held came back: four tasks now run at once.
        CountDownLatch allFour = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        held.set(() -> {
            allFour.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        IntStream.range(0, 4).forEach(i -> engine.submit("t", 10 + i));
        try {
            assertTrue(allFour.await(10, TimeUnit.SECONDS), "four workers free again");
        } finally {
            release.countDown();
        }
    }
}
