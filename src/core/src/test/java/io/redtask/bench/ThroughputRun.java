package io.redtask.bench;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskEvent;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;

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
import java.util.function.UnaryOperator;

/**
 * One closed-loop throughput measurement: the bench-peers workload (N no-op tasks, workers started
 * before the first submit, bulk batches or one awaited submit per task) on a fresh engine with its
 * own key prefix. e2e tasks/s = N / (last task succeeded - first submit started); latency = handler
 * start - submit, which in bulk mode is mostly queue backlog.
 */
final class ThroughputRun {

    private final String url;
    private final String label;
    private final UnaryOperator<EngineSettings.Builder> extraSettings;

    /**
     * @param url           the Redis (or redis-cluster://) URL
     * @param label         the {@code mode} prefix in the JSON line ("" or e.g. "cluster-")
     * @param extraSettings applied to the engine's settings (e.g. shards); identity for none
     */
    ThroughputRun(String url, String label, UnaryOperator<EngineSettings.Builder> extraSettings) {
        this.url = url;
        this.label = label;
        this.extraSettings = extraSettings;
    }

    /** Runs once unmeasured (warm-up) when {@code warmup > 0}, then once measured; prints one JSON line. */
    void warmAndMeasure(String mode, int conc, int warmup, int n, int bulk, String extraJson) throws Exception {
        if (warmup > 0) {
            run(mode, conc, warmup, bulk, null);
        }
        run(mode, conc, n, bulk, extraJson);
    }

    /** Runs {@code n} tasks unmeasured (the JVM's warm-up); prints nothing. @return its tasks/s */
    double warmOnly(String mode, int conc, int n, int bulk) throws Exception {
        return run(mode, conc, n, bulk, null);
    }

    /**
     * The engine's settings at their defaults but for the node and the workers;
     * {@code -Dclaim.on.submit=true} or {@code false} sets claim on submit (to compare the two
     * ways in one build).
     */
    static EngineSettings.Builder settingsFor(String node, int conc) {
        EngineSettings.Builder b = EngineSettings.builder(node).concurrency(conc);
        String claimOnSubmit = System.getProperty("claim.on.submit");
        if (claimOnSubmit != null) {
            b.claimOnSubmit(Boolean.parseBoolean(claimOnSubmit));
        }
        return b;
    }

    /** The JSON field that says whether the settings claim on submit: runs either way look alike else. */
    static String claimOnSubmitJson(EngineSettings settings) {
        return ",\"claim_on_submit\":" + settings.claimOnSubmit();
    }

    /** @return the run's end-to-end tasks/s */
    private double run(String mode, int conc, int n, int bulk, String extraJson) throws Exception {
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
        EngineSettings settings =
                extraSettings.apply(settingsFor("bench", conc)).build();
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(settings)
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
        CpuUse cpu = CpuUse.begin(url);
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
        } else if (mode.equals("single")) {
            for (int i = 0; i < n; i++) {
                submittedAt[i] = System.nanoTime();
                engine.submit("noop", i);
            }
        } else {
            throw new IllegalArgumentException("mode must be bulk or single, was '" + mode + "'");
        }
        long enqueued = System.nanoTime();
        boolean finished = all.await(Bench.TIMEOUT_S, TimeUnit.SECONDS);
        String cpuJson = cpu.perTaskJson(done.get());
        engine.stop();
        engine.awaitLoops(Duration.ofSeconds(5));
        workers.shutdownNow();
        housekeeping.shutdownNow();
        store.close();
        double seconds = ((finished ? lastDone.get() : System.nanoTime()) - start) / 1e9;
        if (extraJson == null) {
            return done.get() / seconds;
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.println(String.format(
                Locale.ROOT,
                "{\"system\":\"redtask\",\"mode\":\"%s%s\",\"concurrency\":%d,\"n\":%d,\"completed\":%d,\"finished\":%b,"
                        + "\"e2e_jobs_per_s\":%.0f,\"enqueue_jobs_per_s\":%.0f,\"latency_p50_ms\":%.2f,"
                        + "\"latency_p99_ms\":%.2f,\"latency_max_ms\":%.2f%s%s%s}",
                label,
                mode,
                conc,
                n,
                done.get(),
                finished,
                done.get() / seconds,
                n / ((enqueued - start) / 1e9),
                sorted[n / 2] / 1e6,
                sorted[(int) (n * 0.99)] / 1e6,
                sorted[n - 1] / 1e6,
                cpuJson,
                claimOnSubmitJson(settings),
                extraJson));
        return done.get() / seconds;
    }
}
