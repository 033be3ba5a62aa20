package io.redtask.engine;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskEvent;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three servers, 20,000 tasks with random delays and priorities; 10 % fail once, 1 % always.
 * Every task must end as its script says, run exactly as often as its script says, and nothing
 * may be left in any queue structure.
 */
class ThreeEnginesLoadTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int TASKS = 20_000;

    /** What a task's handler does: succeed, fail its first attempt, or fail every attempt. */
    enum Script {
        SUCCEED,
        FAIL_ONCE,
        ALWAYS_FAIL
    }

    @Test
    void twentyThousandTasksEndAsScriptedRunningNoneMoreOftenThanScripted() throws Exception {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        AtomicInteger finished = new AtomicInteger();
        Random random = new Random(42);
        Script[] scripts = new Script[TASKS];
        for (int i = 0; i < TASKS; i++) {
            int r = random.nextInt(100);
            scripts[i] = r < 1 ? Script.ALWAYS_FAIL : r < 11 ? Script.FAIL_ONCE : Script.SUCCEED;
        }
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b", "c")) {
                engines.add(fixture.engine(
                        node,
                        Clock.systemUTC(),
                        EngineFixture.settings(node).concurrency(8),
                        b -> b.listener(e -> {
                                    if (e.kind() == TaskEvent.Kind.SUCCEEDED || e.kind() == TaskEvent.Kind.DEAD) {
                                        finished.incrementAndGet();
                                    }
                                })
                                .handler(HandlerRegistration.of("scripted", (p, c) -> {
                                    runs.computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                    Script s = scripts[((Number) p).intValue()];
                                    if (s == Script.ALWAYS_FAIL || (s == Script.FAIL_ONCE && c.attempt() == 1)) {
                                        throw new IllegalStateException("scripted failure");
                                    }
                                    return null;
                                }))));
            }
            List<String> ids = new ArrayList<>(TASKS);
            for (int start = 0; start < TASKS; start += 500) {
                List<Submission> batch = new ArrayList<>(500);
                for (int i = start; i < start + 500; i++) {
                    SubmitOptions.Builder o =
                            SubmitOptions.builder().maxAttempts(2).priority(random.nextInt(11) - 5);
                    if (random.nextInt(10) < 3) {
                        o.delay(Duration.ofMillis(random.nextInt(1_500)));
                    }
                    batch.add(new Submission("scripted", i, o.build()));
                }
                ids.addAll(engines.get((start / 500) % 3).submitAll(batch));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> finished.get() >= TASKS);

            RedisStorage store = fixture.store();
            Map<String, TaskStatus> statuses = new HashMap<>();
            for (int start = 0; start < TASKS; start += 1_000) {
                statuses.putAll(store.tasks().findAll(ids.subList(start, start + 1_000)));
            }
            int succeeded = 0;
            int dead = 0;
            for (int i = 0; i < TASKS; i++) {
                String id = ids.get(i);
                TaskStatus s = statuses.get(id);
                int expectedRuns = scripts[i] == Script.SUCCEED ? 1 : 2;
                TaskState expected = scripts[i] == Script.ALWAYS_FAIL ? TaskState.DEAD : TaskState.SUCCEEDED;
                assertEquals(expected, s.state(), "task " + i + " " + scripts[i]);
                assertEquals(expectedRuns, runs.get(id).get(), "runs of task " + i + " " + scripts[i]);
                if (s.state() == TaskState.SUCCEEDED) {
                    succeeded++;
                } else {
                    dead++;
                }
            }
            assertEquals(TASKS, succeeded + dead);
            assertEquals(TASKS, runs.size());
            for (String key : List.of(
                    store.keys().ready("default", "scripted"),
                    store.keys().scheduled("default"),
                    store.keys().active("default"))) {
                assertEquals(0, RedisProbe.client(store).zcard(key), key + " is empty");
            }
            assertEquals(dead, RedisProbe.client(store).zcard(store.keys().dead("default")));
            long total =
                    engines.stream().mapToLong(e -> e.admin().completedCount()).sum();
            assertEquals(succeeded, total);
            assertTrue(engines.stream().allMatch(e -> e.admin().completedCount() > 0), "all three servers took part");
        }
    }
}
