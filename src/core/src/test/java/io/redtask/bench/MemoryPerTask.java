package io.redtask.bench;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.TaskType;
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
 * to a paused queue, divided by 5,000. Both readings are taken once Redis has settled: a bulk
 * submit's command stays in its connection's query buffer until Redis trims it (after two idle
 * seconds), and the keyspace's tables finish rehashing in the background; what the connections'
 * buffers still differ by is left out (and reported beside), as it is not memory the tasks keep. The tasks are of a {@link TaskType} handler at its defaults,
 * as a deployed application's handlers are declared (an option set away from its default, such as
 * maxAttempts, is stored in the task and costs a few bytes more).
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
                    .handler(HandlerRegistration.of(new Noop()))
                    .build();
            engine.submit("noop", payload, SubmitOptions.queue(QUEUE)); // the queue's own keys exist from here
            engine.admin().pause(QUEUE);
            String before = settled(probe);
            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                batch.add(new Submission("noop", payload, SubmitOptions.queue(QUEUE)));
                if (batch.size() == 500) {
                    engine.submitAll(batch);
                    batch.clear();
                }
            }
            String after = settled(probe);
            long clients = field(after, "mem_clients_normal") - field(before, "mem_clients_normal");
            long stored = field(after, "used_memory") - field(before, "used_memory") - clients;
            String encoding = probe.objectEncoding(store.keys()
                    .task(engine.admin()
                            .tasks(QUEUE, TaskState.QUEUED, 0, 1)
                            .get(0)
                            .id()));
            System.out.println("{\"system\":\"redtask\",\"mode\":\"memory\",\"payload_bytes\":100,\"tasks\":" + COUNT
                    + ",\"redis_bytes_per_task\":" + stored / COUNT + ",\"client_buffer_bytes_per_task\":"
                    + clients / COUNT + ",\"task_hash_encoding\":\"" + encoding + "\"}");
            engine.stop();
            workers.shutdownNow();
            housekeeping.shutdownNow();
        }
    }

    /** The no-op handler, declared as an application declares one. */
    @TaskType("noop")
    static final class Noop implements TaskHandler<String, Void> {
        @Override
        public Void handle(String payload, TaskContext context) {
            return null;
        }
    }

    /**
     * INFO memory once the connections' buffers have stopped changing for the idle time after which
     * Redis trims them (at most 10 s of waiting: this is the bench, not a test).
     */
    private static String settled(UnifiedJedis probe) throws InterruptedException {
        long start = System.nanoTime();
        long stableSince = start;
        String info = probe.info("memory");
        long clients = field(info, "mem_clients_normal");
        while (System.nanoTime() - stableSince < 3_000_000_000L && System.nanoTime() - start < 10_000_000_000L) {
            Thread.sleep(200);
            info = probe.info("memory");
            long now = field(info, "mem_clients_normal");
            if (now != clients) {
                clients = now;
                stableSince = System.nanoTime();
            }
        }
        return info;
    }

    /** A number of INFO's output. */
    private static long field(String info, String name) {
        for (String line : info.split("\\r?\\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).strip());
            }
        }
        throw new IllegalStateException("no " + name + " in INFO memory");
    }
}
