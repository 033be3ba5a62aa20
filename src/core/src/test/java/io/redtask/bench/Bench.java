package io.redtask.bench;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskEvent;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark behind {@code scripts/bench}: the workload of {@code ../shared/bench-peers} (N no-op
 * tasks, workers started before the first submit, bulk batches of 500 or one awaited submit per
 * task) on one engine against its own redis-server, one JSON line per measurement.
 *
 * <p>e2e tasks/s = N / (last task completed - first submit started); latency = start - submit.
 * Settings from system properties: {@code n} (20000), {@code conc} (8,1), {@code modes}
 * (bulk,single), {@code bulk} (500), {@code warmup} (2000).
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("n", 20_000);
        int bulk = Integer.getInteger("bulk", 500);
        int warmup = Integer.getInteger("warmup", 2_000);
        List<Integer> concurrencies = Arrays.stream(
                        System.getProperty("conc", "8,1").split(","))
                .map(Integer::valueOf)
                .toList();
        List<String> modes = List.of(System.getProperty("modes", "bulk,single").split(","));
        try (RedisServer redis = RedisServer.start(false)) {
            for (int conc : concurrencies) {
                for (String mode : modes) {
                    run(redis.url(), mode, conc, warmup, bulk, false);
                    run(redis.url(), mode, conc, n, bulk, true);
                }
            }
            if (!"false".equals(System.getProperty("memory"))) {
                memoryPerTask(redis.url());
            }
        }
    }

    /**
     * Redis memory per queued task with a 100-byte payload: used_memory before and after 5,000
     * submits to a paused queue, divided by 5,000.
     */
    private static void memoryPerTask(String url) throws Exception {
        int count = 5_000;
        String payload = "x".repeat(98); // 100 bytes as JSON, with its quotes
        EngineSettings settings =
                EngineSettings.builder("bench-memory").queues(List.of("memory")).build();
        try (RedisStorage store = RedisStorage.open(
                        url, 8, Duration.ofSeconds(5), new Keys("mem-" + UUID.randomUUID()), settings);
                redis.clients.jedis.UnifiedJedis probe = io.redtask.redis.RedisProbe.open(url)) {
            ExecutorService workers = Executors.newFixedThreadPool(1);
            ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
            RedTaskEngine engine = RedTaskEngine.builder()
                    .storage(store)
                    .workers(workers)
                    .housekeeping(housekeeping)
                    .settings(settings)
                    .handler(HandlerRegistration.of("noop", (p, c) -> null))
                    .build();
            engine.submit("noop", payload, SubmitOptions.queue("memory")); // the queue's own keys exist from here
            engine.admin().pause("memory");
            long before = usedMemory(probe);
            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(new Submission("noop", payload, SubmitOptions.queue("memory")));
                if (batch.size() == 500) {
                    engine.submitAll(batch);
                    batch.clear();
                }
            }
            long after = usedMemory(probe);
            String encoding = probe.objectEncoding(store.keys()
                    .task(engine.admin()
                            .tasks("memory", io.redtask.TaskState.QUEUED, 0, 1)
                            .get(0)
                            .id()));
            System.out.println("{\"system\":\"redtask\",\"mode\":\"memory\",\"payload_bytes\":100,\"tasks\":" + count
                    + ",\"redis_bytes_per_task\":" + (after - before) / count + ",\"task_hash_encoding\":\"" + encoding
                    + "\"}");
            engine.stop();
            workers.shutdownNow();
            housekeeping.shutdownNow();
        }
    }

    private static long usedMemory(redis.clients.jedis.UnifiedJedis probe) {
        for (String line : probe.info("memory").split("\\r?\\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).strip());
            }
        }
        throw new IllegalStateException("no used_memory in INFO memory");
    }

    private static void run(String url, String mode, int conc, int n, int bulk, boolean print) throws Exception {
        long[] submittedAt = new long[n];
        long[] latencies = new long[n];
        AtomicInteger done = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        CountDownLatch all = new CountDownLatch(n);
        ExecutorService workers = Executors.newFixedThreadPool(conc);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage store = RedisStorage.open(
                url,
                conc + 8,
                Duration.ofSeconds(5),
                new Keys("bench-" + UUID.randomUUID()),
                EngineSettings.builder("store")
                        .retention(Duration.ofMinutes(5), Duration.ofMinutes(5))
                        .maxStalls(3)
                        .build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("bench").concurrency(conc).build())
                .handler(HandlerRegistration.of("noop", (p, c) -> {
                    int i = ((Number) p).intValue();
                    latencies[i] = System.nanoTime() - submittedAt[i];
                    return null;
                }))
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.SUCCEEDED) {
                        lastDone.set(System.nanoTime());
                        done.incrementAndGet();
                        all.countDown();
                    }
                })
                .build();
        engine.start();
        long start = System.nanoTime();
        if (mode.equals("bulk")) {
            for (int from = 0; from < n; from += bulk) {
                List<Submission> batch = new ArrayList<>(bulk);
                long now = System.nanoTime();
                for (int i = from; i < Math.min(n, from + bulk); i++) {
                    submittedAt[i] = now;
                    batch.add(new Submission("noop", i, SubmitOptions.defaults()));
                }
                engine.submitAll(batch);
            }
        } else {
            for (int i = 0; i < n; i++) {
                submittedAt[i] = System.nanoTime();
                engine.submit("noop", i);
            }
        }
        long enqueued = System.nanoTime();
        boolean finished = all.await(300, TimeUnit.SECONDS);
        engine.stop();
        engine.awaitLoops(Duration.ofSeconds(5));
        workers.shutdownNow();
        housekeeping.shutdownNow();
        store.close();
        if (!print) {
            return;
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double seconds = (lastDone.get() - start) / 1e9;
        System.out.println(String.format(
                Locale.ROOT,
                "{\"system\":\"redtask\",\"mode\":\"%s\",\"concurrency\":%d,\"n\":%d,\"completed\":%d,\"finished\":%b,"
                        + "\"e2e_jobs_per_s\":%.0f,\"enqueue_jobs_per_s\":%.0f,\"latency_p50_ms\":%.2f,"
                        + "\"latency_p99_ms\":%.2f,\"latency_max_ms\":%.2f}",
                mode,
                conc,
                n,
                done.get(),
                finished,
                n / seconds,
                n / ((enqueued - start) / 1e9),
                sorted[n / 2] / 1e6,
                sorted[(int) (n * 0.99)] / 1e6,
                sorted[n - 1] / 1e6));
    }
}
