package io.redtask.bench;

import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.engine.SubmitLimits;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What one awaited submit costs on its own: {@code n} single submits one after another from one
 * thread, to a queue no worker takes (so no worker's calls share Redis), beside as many PINGs over
 * one Jedis connection to the same Redis (the round trip of the client library and the machine,
 * with nothing to do at either end). The "single" throughput measurements submit this way, with
 * workers taking the tasks meanwhile: they cannot go faster than one submit round trip per task.
 * Prints one line: {@code submit_us} and {@code ping_us} (wall time per call), and
 * {@code jvm_cpu_us_per_task} and {@code redis_cpu_us_per_task} over the submits. The PING goes
 * over a plain Jedis connection, not the engine's pool: the client library's and the machine's
 * round trip, without the pool's borrow and return.
 */
final class SubmitRoundTrip {

    private SubmitRoundTrip() {}

    static void measure(String url, int n) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(1);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(2);
        RedisStorage store = null;
        RedTaskEngine engine = null;
        try {
            // The tasks stay queued under their own prefix: the bench's Redis goes with the run.
            store = RedisStorage.open(
                    url,
                    4,
                    Duration.ofSeconds(5),
                    new Keys("bench-rt-" + UUID.randomUUID()),
                    EngineSettings.builder("store")
                            .retention(Duration.ofMinutes(5), Duration.ofMinutes(5))
                            .build());
            engine = engineFor(store, workers, housekeeping);
            engine.start();
            try (Jedis ping = new Jedis(URI.create(url))) {
                // Unmeasured first: the queue's keys and this connection are new (and without the
                // inprocess or sweep parts before it, the JVM's JIT is cold: then this measures it so).
                submits(engine, n / 10);
                pings(ping, n / 10);
                CpuUse cpu = CpuUse.begin(url);
                long start = System.nanoTime();
                submits(engine, n);
                double submitUs = (System.nanoTime() - start) / 1e3 / n;
                String cpuJson = cpu.perTaskJson(n);
                start = System.nanoTime();
                pings(ping, n);
                double pingUs = (System.nanoTime() - start) / 1e3 / n;
                System.out.println(String.format(
                        Locale.ROOT,
                        "{\"system\":\"redtask\",\"mode\":\"submit-roundtrip\",\"n\":%d,\"submit_us\":%.1f,"
                                + "\"ping_us\":%.1f%s}",
                        n,
                        submitUs,
                        pingUs,
                        cpuJson));
            }
        } finally {
            if (engine != null) {
                engine.stop();
                engine.awaitLoops(Duration.ofSeconds(5));
            }
            workers.shutdownNow();
            housekeeping.shutdownNow();
            if (store != null) {
                store.close();
            }
        }
    }

    /** A server that serves another queue only; "default" may still be submitted to. */
    private static RedTaskEngine engineFor(
            RedisStorage store, ExecutorService workers, ScheduledExecutorService housekeeping) {
        return RedTaskEngine.builder()
                .storage(store)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(EngineSettings.builder("bench-rt")
                        .queues(List.of("none"))
                        .concurrency(1)
                        .limits(SubmitLimits.Limits.DEFAULTS.withAllowedQueues(Set.of("default")))
                        .build())
                .handler(HandlerRegistration.of("noop", (p, c) -> null))
                .build();
    }

    private static void submits(RedTaskEngine engine, int n) {
        for (int i = 0; i < n; i++) {
            engine.submit("noop", i);
        }
    }

    private static void pings(Jedis jedis, int n) {
        for (int i = 0; i < n; i++) {
            jedis.ping();
        }
    }
}
