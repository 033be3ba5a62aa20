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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * During a rolling deploy that adds task type x, the servers that do not have x yet leave x tasks
 * to those that do: none goes dead, all run on a server with the handler, and the old servers go
 * on with the types they know.
 */
class RollingDeployTest {

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
    void onlyAServerWithTheHandlerClaimsItsTasks() {
        Map<String, AtomicInteger> ranOn = new ConcurrentHashMap<>();
        RedTaskEngine newer = fixture.unstarted(
                "newer",
                Clock.systemUTC(),
                EngineFixture.settings("x").concurrency(2),
                b -> b.handler(HandlerRegistration.of("x", (p, c) -> {
                    ranOn.computeIfAbsent("newer", k -> new AtomicInteger()).incrementAndGet();
                    return "x";
                })));
        RedTaskEngine older = fixture.engine(
                "older",
                Clock.systemUTC(),
                EngineFixture.settings("x").concurrency(8),
                b -> b.handler(HandlerRegistration.of("y", (p, c) -> {
                    ranOn.computeIfAbsent("older-y", k -> new AtomicInteger()).incrementAndGet();
                    return "y";
                })));
        List<String> xs =
                IntStream.range(0, 100).mapToObj(i -> newer.submit("x", i)).toList();
        List<String> ys =
                IntStream.range(0, 10).mapToObj(i -> older.submit("y", i)).toList();
        // The older server alone for a while: it runs its y tasks and leaves every x task waiting.
        for (String id : ys) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> older.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
        }
        assertEquals(100, older.admin().queue("default").ready(), "x tasks wait for a server that has x");
        assertEquals(0, older.admin().queue("default").dead());

        newer.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> xs.stream()
                        .allMatch(id -> newer.status(id).orElseThrow().state() == TaskState.SUCCEEDED));
        assertEquals(100, ranOn.get("newer").get(), "every x ran on the server with the handler");
        assertEquals(0, older.admin().queue("default").dead(), "none went dead");
        assertTrue(xs.stream().allMatch(id -> newer.status(id).orElseThrow().attempts() == 1));
    }
}
