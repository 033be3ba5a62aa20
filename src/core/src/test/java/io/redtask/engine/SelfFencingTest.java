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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server cut off from Redis (through a TCP proxy the test controls) for longer than its lease
 * stops its own handlers before the lease can run out, and tells them why; another server then
 * takes the tasks over. No task runs on two servers at the same moment.
 */
class SelfFencingTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private TcpProxy proxy;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        proxy = TcpProxy.to(REDIS.server().port());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        proxy.close();
        fixture.close();
    }

    /** One run of a handler: which server, when it started and ended (nanoTime), and why it stopped. */
    record Run(String server, String task, long start, long end, boolean leaseLost) {}

    @Test
    void aServerCutOffFromRedisStopsItsHandlersBeforeAnotherTakesThemOver() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        Map<String, Long> startedOnA = new ConcurrentHashMap<>();
        EngineSettings.Builder settings = EngineFixture.settings("x")
                .concurrency(4)
                .lease(Duration.ofSeconds(2), Duration.ofMillis(200))
                .nodeTtl(Duration.ofSeconds(2))
                .reaperInterval(Duration.ofMillis(100))
                .watchInterval(Duration.ofMillis(20));
        RedTaskEngine a = fixture.unstarted(
                proxy.redisUrl(),
                Duration.ofMillis(500),
                "a",
                Clock.systemUTC(),
                settings,
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> {
                    long start = System.nanoTime();
                    startedOnA.put(c.taskId(), start);
                    work(c, Duration.ofSeconds(30));
                    runs.add(new Run("a", c.taskId(), start, System.nanoTime(), c.isLeaseLost()));
                    return "a";
                })));
        RedTaskEngine b = fixture.unstarted(
                "b",
                Clock.systemUTC(),
                settings,
                bld -> bld.handler(HandlerRegistration.of("work", (p, c) -> {
                    long start = System.nanoTime();
                    work(c, Duration.ofMillis(300));
                    runs.add(new Run("b", c.taskId(), start, System.nanoTime(), c.isLeaseLost()));
                    return "b";
                })));
        a.start();
        List<String> ids =
                IntStream.range(0, 4).mapToObj(i -> a.submit("work", i)).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> startedOnA.size() == 4);
        b.start();

        proxy.cut();
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> b.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
        }
        proxy.restore();

        assertEquals("\"b\"", b.status(ids.get(0)).orElseThrow().result());
        Set<String> fenced = ConcurrentHashMap.newKeySet();
        for (String id : ids) {
            Run onA = runs.stream()
                    .filter(r -> r.server().equals("a") && r.task().equals(id))
                    .findFirst()
                    .orElseThrow(
                            () -> new AssertionError("a's handler of " + id + " never returned: it was not stopped"));
            Run onB = runs.stream()
                    .filter(r -> r.server().equals("b") && r.task().equals(id))
                    .findFirst()
                    .orElseThrow();
            assertTrue(onA.leaseLost(), "a's handler was told its lease was lost");
            assertTrue(
                    onA.end() <= onB.start(),
                    "a stopped " + (onA.end() - onB.start()) / 1_000_000 + " ms after b started " + id
                            + ": two servers ran it at once");
            fenced.add(id);
        }
        assertEquals(Set.copyOf(ids), fenced);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.admin().busy() == 0);
    }

    /** Works for up to {@code d}, stopping at once when told to (interrupt or flag), as a good handler does. */
    private static void work(io.redtask.TaskContext c, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end && !c.isCancelled()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
