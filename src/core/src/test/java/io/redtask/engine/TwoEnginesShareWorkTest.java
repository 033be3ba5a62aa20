package io.redtask.engine;

import io.redtask.TaskState;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two engines on one Redis share 5,000 tasks: each runs exactly once, none is lost. */
class TwoEnginesShareWorkTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int TASKS = 5_000;

    @Test
    void fiveThousandTasksRunExactlyOnceAcrossTwoEngines() throws Exception {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b")) {
                engines.add(fixture.engine(
                        node,
                        Clock.systemUTC(),
                        EngineFixture.settings(node).concurrency(8),
                        b -> b.handler(HandlerRegistration.of("count", (p, c) -> {
                            runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            return null;
                        }))));
            }
            List<String> ids = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                ids.add(engines.get(i % 2).submit("count", i));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runs.size() == TASKS
                            && engines.get(0).admin().completedCount()
                                            + engines.get(1).admin().completedCount()
                                    == TASKS);

            assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "no task ran twice");
            assertEquals(new java.util.HashSet<>(ids), runs.keySet(), "every submitted task ran");
            assertTrue(
                    engines.get(0).admin().completedCount() > 0
                            && engines.get(1).admin().completedCount() > 0,
                    "both engines took part: " + engines.get(0).admin().completedCount() + " / "
                            + engines.get(1).admin().completedCount());
            RedisStorage store = fixture.store();
            assertEquals(
                    0, RedisProbe.client(store).zcard(store.keys().ready("default", "count")), "nothing left ready");
            assertEquals(0, RedisProbe.client(store).zcard(store.keys().active("default")), "nothing left in flight");
            for (String id : ids.subList(0, 100)) {
                assertEquals(
                        TaskState.SUCCEEDED,
                        store.tasks().find(id).orElseThrow().state());
            }
        }
    }
}
