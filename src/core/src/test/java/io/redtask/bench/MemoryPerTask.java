package io.redtask.bench;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Redis memory per queued task with a 100-byte payload: used_memory before and after 5,000 submits
 * to a paused queue, divided by 5,000.
 */
final class MemoryPerTask {

    private static final int COUNT = 5_000;
    private static final String QUEUE = "default";

    private MemoryPerTask() {}

    static void measure(String url) throws Exception {
        String payload = "x".repeat(98); // 100 bytes as JSON, with its quotes
        EngineSettings settings =
                EngineSettings.builder("bench-memory").queues(List.of(QUEUE)).build();
        try (RedisStorage store = RedisStorage.open(
                        // The default key prefix and queue, as a user's tasks have them: the bench's Redis
                        // is its own, and a longer prefix would be paid in every task's key.
                        url, 8, Duration.ofSeconds(5), new Keys("redtask"), settings);
                UnifiedJedis probe = RedisProbe.open(url)) {
            ExecutorService workers = Executors.newFixedThreadPool(1);
            ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
            RedTaskEngine engine = RedTaskEngine.builder()
                    .storage(store)
                    .workers(workers)
                    .housekeeping(housekeeping)
                    .settings(settings)
                    .handler(HandlerRegistration.of("noop", (p, c) -> null))
                    .build();
            engine.submit("noop", payload, SubmitOptions.queue(QUEUE)); // the queue's own keys exist from here
            engine.admin().pause(QUEUE);
            long before = usedMemory(probe);
            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                batch.add(new Submission("noop", payload, SubmitOptions.queue(QUEUE)));
                if (batch.size() == 500) {
                    engine.submitAll(batch);
                    batch.clear();
                }
            }
            long after = usedMemory(probe);
            String encoding = probe.objectEncoding(store.keys()
                    .task(engine.admin()
                            .tasks(QUEUE, TaskState.QUEUED, 0, 1)
                            .get(0)
                            .id()));
            System.out.println("{\"system\":\"redtask\",\"mode\":\"memory\",\"payload_bytes\":100,\"tasks\":" + COUNT
                    + ",\"redis_bytes_per_task\":" + (after - before) / COUNT + ",\"task_hash_encoding\":\"" + encoding
                    + "\"}");
            engine.stop();
            workers.shutdownNow();
            housekeeping.shutdownNow();
        }
    }

    private static long usedMemory(UnifiedJedis probe) {
        for (String line : probe.info("memory").split("\\r?\\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).strip());
            }
        }
        throw new IllegalStateException("no used_memory in INFO memory");
    }
}
