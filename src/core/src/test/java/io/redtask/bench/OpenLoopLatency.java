package io.redtask.bench;

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
import java.util.concurrent.locks.LockSupport;

/**
 * Enqueue-to-start latency under a fixed offered load (open loop): task {@code i} is due at
 * {@code start + i / rate}, whatever happened to the tasks before it. Its latency is the handler's
 * start minus that due time (one clock, {@link System#nanoTime()}, in one JVM), so a sender that
 * falls behind (a slow submit) is charged to the latency instead of silently lowering the load:
 * coordinated omission is avoided.
 *
 * <p>Several sender threads share the schedule (thread {@code k} sends tasks {@code k, k + s, ...}),
 * so one slow submit does not delay the next task's send.
 */
final class OpenLoopLatency {

    private static final int SENDERS = 4;

    private final String url;

    OpenLoopLatency(String url) {
        this.url = url;
    }

    /** A short unmeasured run (JIT, connections), then the measured one; prints one JSON line. */
    void warmAndMeasure(int rate, int seconds, int conc) throws Exception {
        run(rate, Math.min(rate, rate * seconds), conc, false);
        run(rate, rate * seconds, conc, true);
    }

    private void run(int rate, int n, int conc, boolean print) throws Exception {
        long period = 1_000_000_000L / rate;
        long[] dueAt = new long[n];
        long[] latencies = new long[n];
        // When each submit began, and how late that was: a sender the machine woke late (a busy or
        // descheduled CPU) is told apart from a task that waited in RedTask after its submit.
        long[] sentAt = new long[n];
        long[] sendLate = new long[n];
        AtomicInteger done = new AtomicInteger();
        AtomicInteger lateSends = new AtomicInteger();
        AtomicLong lastSent = new AtomicLong();
        CountDownLatch all = new CountDownLatch(n);
        ExecutorService workers = Executors.newFixedThreadPool(conc);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage store = RedisStorage.open(
                url,
                conc + SENDERS + 8,
                Duration.ofSeconds(5),
                new Keys("latency-" + UUID.randomUUID()),
                EngineSettings.builder("store")
                        .retention(Duration.ofMinutes(5), Duration.ofMinutes(5))
                        .build());
        EngineSettings settings = ThroughputRun.settingsFor("latency", conc).build();
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(settings)
                .handler(HandlerRegistration.of("noop", (p, c) -> {
                    int i = ((Number) p).intValue();
                    latencies[i] = System.nanoTime() - dueAt[i];
                    return null;
                }))
                .listener(e -> {
                    if (e.kind() == TaskEvent.Kind.SUCCEEDED) {
                        done.incrementAndGet();
                        all.countDown();
                    }
                })
                .build();
        engine.start();
        KernelThreads kernel = KernelThreads.begin();
        long start = System.nanoTime() + 10_000_000; // all senders start on the same schedule
        for (int i = 0; i < n; i++) {
            dueAt[i] = start + i * period;
        }
        List<Thread> senders = new ArrayList<>();
        for (int k = 0; k < SENDERS; k++) {
            int first = k;
            Thread t = new Thread(
                    () -> {
                        for (int i = first; i < n; i += SENDERS) {
                            long wait;
                            boolean parked = false;
                            while ((wait = dueAt[i] - System.nanoTime()) > 0) {
                                LockSupport.parkNanos(wait);
                                parked = true;
                            }
                            if (-wait > 1_000_000) {
                                lateSends.incrementAndGet();
                            }
                            // How late the machine woke a sender that was waiting for the due time;
                            // a sender still busy with its previous submit (RedTask's time) counts 0.
                            sendLate[i] = parked ? -wait : 0;
                            sentAt[i] = System.nanoTime();
                            engine.submit("noop", i);
                            lastSent.accumulateAndGet(System.nanoTime(), Math::max);
                        }
                    },
                    "bench-sender-" + k);
            t.start();
            senders.add(t);
        }
        for (Thread t : senders) {
            t.join();
        }
        boolean finished = all.await(Bench.TIMEOUT_S, TimeUnit.SECONDS);
        String kernelJson = kernel.json();
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
        // Over the tasks that ran (a run that did not finish has some that never started).
        long[] fromSend = new long[done.get()];
        int ran = 0;
        for (int i = 0; i < n && ran < fromSend.length; i++) {
            if (latencies[i] != 0) {
                fromSend[ran++] = latencies[i] - (sentAt[i] - dueAt[i]);
            }
        }
        fromSend = Arrays.copyOf(fromSend, Math.max(1, ran));
        Arrays.sort(fromSend);
        int m = fromSend.length;
        Arrays.sort(sendLate);
        System.out.println(String.format(
                Locale.ROOT,
                "{\"system\":\"redtask\",\"mode\":\"latency\",\"concurrency\":%d,\"n\":%d,\"completed\":%d,"
                        + "\"finished\":%b,\"target_rate_per_s\":%d,\"achieved_rate_per_s\":%.0f,\"late_sends\":%d,"
                        + "\"latency_p50_ms\":%.3f,\"latency_p90_ms\":%.3f,\"latency_p99_ms\":%.3f,\"latency_max_ms\":%.3f,"
                        + "\"send_late_p99_ms\":%.3f,\"send_late_max_ms\":%.3f,"
                        + "\"from_send_p50_ms\":%.3f,\"from_send_p99_ms\":%.3f,\"from_send_max_ms\":%.3f%s%s}",
                conc,
                n,
                done.get(),
                finished,
                rate,
                n / ((lastSent.get() - start) / 1e9),
                lateSends.get(),
                sorted[n / 2] / 1e6,
                sorted[(int) (n * 0.90)] / 1e6,
                sorted[(int) (n * 0.99)] / 1e6,
                sorted[n - 1] / 1e6,
                sendLate[(int) (n * 0.99)] / 1e6,
                sendLate[n - 1] / 1e6,
                fromSend[m / 2] / 1e6,
                fromSend[(int) (m * 0.99)] / 1e6,
                fromSend[m - 1] / 1e6,
                kernelJson,
                ThroughputRun.claimOnSubmitJson(settings)));
    }
}
