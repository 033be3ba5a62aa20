package io.redtask.engine;

import io.redtask.TaskState;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void lostRepliesToCompletionsRunNothingTwiceAndStallNothing() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        // A long lease: a task left for its lease to expire would take 30 s, far past the bound below.
        EngineSettings.Builder settings = EngineFixture.settings("x")
                .concurrency(1)
                .lease(Duration.ofSeconds(30), Duration.ofSeconds(1))
                .outageBackoff(Duration.ofMillis(500));
        RedTaskEngine engine = fixture.unstarted(
                proxy.redisUrl(),
                Duration.ofMillis(300),
                "n",
                Clock.systemUTC(),
                settings,
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> {
                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    if (handled.incrementAndGet() % 5 == 0) {
                        // The reply to this task's completion, and to whatever follows for a moment, is lost.
                        proxy.dropReplies(true);
                        timer.schedule(() -> proxy.dropReplies(false), 700, TimeUnit.MILLISECONDS);
                    }
                    return c.attempt();
                })));
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
}
