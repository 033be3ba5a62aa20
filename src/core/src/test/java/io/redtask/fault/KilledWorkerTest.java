package io.redtask.fault;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import io.redtask.testing.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker JVM is killed with SIGKILL while it runs tasks: once their leases expire (the default
 * 8 s lease, renewed every second) another server runs each of them once more, within 10 s of
 * the kill, and none is lost.
 */
class KilledWorkerTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void tasksOfAKilledServerAreRunByAnotherAfterTheirLeasesExpire() throws Exception {
        String prefix = "killed";
        WorkerProcess.Running victimJvm =
                WorkerProcess.launch(REDIS.url(), prefix, "victim", new File("target/worker-process.log"));
        Process victim = victimJvm.process();
        Set<String> startedByVictim = victimJvm.started();

        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage store = RedisStorage.open(
                REDIS.url(),
                8,
                Duration.ofSeconds(2),
                new Keys(prefix),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofHours(1))
                        .maxStalls(3)
                        .build());
        Map<String, AtomicInteger> survivorRuns = new ConcurrentHashMap<>();
        Map<String, Long> survivorStarts = new ConcurrentHashMap<>();
        RedTaskEngine survivor = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("survivor")
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .build())
                .handler(HandlerRegistration.of("slow", (p, c) -> {
                    survivorStarts.putIfAbsent(c.taskId(), System.nanoTime());
                    survivorRuns
                            .computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                            .incrementAndGet();
                    return "done on attempt " + c.attempt();
                }))
                .build();
        try {
            List<String> ids = IntStream.range(0, 4)
                    .mapToObj(i -> survivor.submit("slow", i))
                    .toList();
            await().atMost(Duration.ofSeconds(30)).until(() -> startedByVictim.size() == 4);
            assertEquals(Set.copyOf(ids), startedByVictim);
            // The survivor runs beside the victim before the kill, as a second server would.
            survivor.start();

            long killedAt = System.nanoTime();
            victim.destroyForcibly();
            assertTrue(victim.waitFor(10, TimeUnit.SECONDS));

            for (String id : ids) {
                TaskStatus s = await().atMost(Duration.ofSeconds(20))
                        .until(() -> survivor.status(id).orElseThrow(), st -> st.state() == TaskState.SUCCEEDED);
                assertEquals("\"done on attempt 1\"", s.result(), "a lost lease does not use up an attempt");
            }
            long restartedAfter = survivorStarts.values().stream()
                    .mapToLong(t -> t - killedAt)
                    .max()
                    .orElseThrow();
            long firstRestart = survivorStarts.values().stream()
                    .mapToLong(t -> t - killedAt)
                    .min()
                    .orElseThrow();
            assertTrue(
                    restartedAfter <= TimeUnit.SECONDS.toNanos(12),
                    "all restarted within 12 s of the kill (8 s lease, 1 s reaper, some slack), the last after "
                            + restartedAfter / 1_000_000 + " ms");
            // The victim renewed its leases up to 1 s before the kill (2 s for a victim JVM slowed
            // by its JIT on a loaded machine); they ran 8 s from there.
            assertTrue(
                    firstRestart >= TimeUnit.SECONDS.toNanos(5),
                    "not before the victim's leases could have run out: " + firstRestart / 1_000_000 + " ms");
            assertEquals(Set.copyOf(ids), survivorRuns.keySet());
            assertTrue(survivorRuns.values().stream().allMatch(n -> n.get() == 1), "each ran once more, not twice");
        } finally {
            victim.destroyForcibly();
            survivor.stop();
            survivor.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        }
    }
}
