package io.redtask.engine;

import io.redtask.TaskState;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of requests that keeps every connection of the submit-and-read pool busy (blocking
 * reads that each hold a connection for most of a second, as a burst of slow requests would)
 * while tasks run on short leases: claims and outcomes, and lease renewals, go over pools of
 * their own, so every task finishes, no lease is lost and no task runs twice. (With one shared
 * pool this test times out.)
 */
class HousekeepingPoolTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private final ExecutorService flood = Executors.newFixedThreadPool(16);

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url()).poolSize(8);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        flood.shutdownNow();
        flood.awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    @Test
    void aFloodOnTheSubmitPoolHoldsUpNoTaskAndLosesNoLease() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        // A lease of 1 s renewed every 200 ms: a renewal that waits for a connection behind the
        // flood for longer than 800 ms loses the lease, and the task would run again elsewhere.
        EngineSettings.Builder settings = EngineFixture.settings("x")
                .concurrency(4)
                .lease(Duration.ofSeconds(1), Duration.ofMillis(200))
                .nodeTtl(Duration.ofSeconds(2))
                .reaperInterval(Duration.ofMillis(100));
        List<RedTaskEngine> engines = IntStream.range(0, 2)
                .mapToObj(n -> fixture.engine(
                        "e" + n,
                        Clock.systemUTC(),
                        settings,
                        b -> b.handler(HandlerRegistration.of("slow", (p, c) -> {
                            runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            Thread.sleep(2_500);
                            return "ok";
                        }))))
                .toList();
        List<String> ids = IntStream.range(0, 8)
                .mapToObj(i -> engines.get(0).submit("slow", i))
                .toList();
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        // As many flooding threads as each engine's main pool has connections.
        for (int t = 0; t < 16; t++) {
            RedTaskEngine e = engines.get(t % 2);
            flood.execute(() -> {
                while (flooding.get()) {
                    try {
                        reads.incrementAndGet();
                        e.storage().tasks().awaitWork("flood", 900);
                    } catch (RuntimeException ignored) {
                        // a pool wait that timed out: the flood goes on
                    }
                }
            });
        }
        // The test reads through storage of its own, outside the flood.
        var reader = fixture.store().tasks();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ids.stream()
                            .allMatch(id -> reader.find(id).orElseThrow().state() == TaskState.SUCCEEDED));
        } finally {
            flooding.set(false);
        }
        assertTrue(reads.get() > 40, "the flood was real: " + reads.get() + " blocking reads");
        assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "a lease was lost: " + runs);
    }
}
