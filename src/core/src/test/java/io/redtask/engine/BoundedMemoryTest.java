package io.redtask.engine;

import io.redtask.Submission;
import io.redtask.TaskEvent;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finished tasks expire: after their retention Redis holds no more than before they came. */
class BoundedMemoryTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final int TASKS = 10_000;
    private static final Keys KEYS = new Keys("mem");

    /**
     * What the keys that stay (the queue-name set, the FIFO counter, the queue's totals, its set
     * of types) may grow by in a round: their counters get longer, nothing else. Anything a task
     * left behind in them costs 16 bytes or more per task, 160 KB for 10,000 tasks.
     */
    private static final long KEYS_DRIFT = 256;

    /**
     * What used_memory as a whole may drift by in a round: 10 bytes per task. Redis's own
     * bookkeeping (allocator bins, dict resizes in its cron, client buffers) moved it by up to 25
     * KB between quiet readings in CI; a leak outside the keys (a script cache that grows per call,
     * say) costs hundreds of bytes per task.
     */
    private static final long ALLOWED_DRIFT = 10L * TASKS;

    @Test
    void memoryReturnsToItsStartAfterTenThousandTasksExpire() throws Exception {
        try (UnifiedJedis probe = RedisProbe.open(REDIS.url())) {
            // Rounds warm up what stays: scripts, counters, the queue's name, and buffers Redis
            // keeps for reuse (seen here to grow by about 25 KB for two or three rounds, then hold
            // still to within a kilobyte). Warm up until two readings agree, at most five rounds.
            long previous = -1;
            for (int warmUp = 0; warmUp < 5; warmUp++) {
                runRound();
                awaitExpiry(probe);
                long reading = usedMemory(probe);
                if (previous >= 0 && Math.abs(reading - previous) < 1024) {
                    break;
                }
                previous = reading;
            }
            long keysBefore = probe.dbSize();
            long keyBytesBefore = keyBytes(probe);
            long before = usedMemory(probe);
            for (int round = 1; round <= 2; round++) {
                runRound();
                awaitExpiry(probe);
                long after = usedMemory(probe);
                long keyBytes = keyBytes(probe);
                assertEquals(keysBefore, probe.dbSize(), "no key left behind after round " + round);
                assertTrue(
                        keyBytes - keyBytesBefore < KEYS_DRIFT,
                        "round " + round + ": the keys that stay grew from " + keyBytesBefore + " to " + keyBytes
                                + " bytes: " + probe.keys("*"));
                assertTrue(
                        Math.abs(after - before) < ALLOWED_DRIFT,
                        "round " + round + ": used_memory " + before + " -> " + after + " bytes");
            }
        }
    }

    /** The bytes Redis counts for every key there is (MEMORY USAGE, exact: SAMPLES 0). */
    private static long keyBytes(UnifiedJedis probe) {
        long sum = 0;
        for (String key : probe.keys("*")) {
            Long bytes = probe.memoryUsage(key, 0);
            sum += bytes == null ? 0 : bytes;
        }
        return sum;
    }

    /**
     * 10,000 tasks through an engine of their own, every tenth one dead; the engine and its
     * connections are closed afterwards, so their buffers in Redis do not blur the reading.
     */
    private static void runRound() throws Exception {
        AtomicInteger finished = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
        RedisStorage store = RedisStorage.open(
                REDIS.url(),
                16,
                Duration.ofSeconds(2),
                KEYS,
                EngineSettings.builder("store")
                        .retention(Duration.ofMillis(500), Duration.ofMillis(500))
                        .maxStalls(3)
                        .statsWindow(Duration.ofMillis(500))
                        .build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineFixture.settings("n")
                        .retention(Duration.ofMillis(500), Duration.ofMillis(500))
                        .nodeId("n")
                        .build())
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.SUCCEEDED || e.kind() == TaskEvent.Kind.DEAD) {
                        finished.incrementAndGet();
                    }
                })
                .handler(HandlerRegistration.of("t", (p, c) -> {
                    if (((Number) p).intValue() % 10 == 0) {
                        throw new IllegalStateException("every tenth task dies");
                    }
                    return "a result of some length to make the records weigh something";
                }))
                .build();
        engine.start();
        try {
            for (int start = 0; start < TASKS; start += 1_000) {
                engine.submitAll(IntStream.range(start, start + 1_000)
                        .mapToObj(i -> Submission.of("t", i))
                        .toList());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> finished.get() >= TASKS);
            // Dead-set entries outlive their records until a reaper round trims them.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        engine.recoverExpiredLeases();
                        return RedisProbe.client(store).zcard(KEYS.dead("default")) == 0;
                    });
        } finally {
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            workers.awaitTermination(5, TimeUnit.SECONDS);
            housekeeping.awaitTermination(5, TimeUnit.SECONDS);
            store.close();
        }
    }

    private static void awaitExpiry(UnifiedJedis probe) {
        // What may stay: the queue-name set, the layout marker, the FIFO counter, the queue's total
        // counters and the set of its task types (one name per type).
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertTrue(probe.dbSize() <= 5, () -> "keys left: " + probe.keys("*")));
    }

    private static long usedMemory(UnifiedJedis probe) {
        // The slow log keeps the arguments of up to 128 slow commands (big batches are slow):
        // bounded diagnostics, not task data, so they are cleared before each reading.
        probe.sendCommand(Protocol.Command.SLOWLOG, "RESET");
        for (String line : probe.info("memory").split("\r\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()));
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }
}
