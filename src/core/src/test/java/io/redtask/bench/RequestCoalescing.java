package io.redtask.bench;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * What writing the commands of concurrent callers together would save (the {@code coalescing}
 * part of {@code scripts/bench}, a diagnostic for a design not built): {@link #THREADS} threads
 * each await one {@code HINCRBY} at a time, first each on a connection of its own (as RedTask's
 * store calls Redis through Jedis), then all through one connection whose I/O thread writes
 * whatever waits as one pipeline and hands each caller its reply (as ioredis and node_redis do for
 * the Node peers). One JSON line per way and round: commands/s, and Redis's and this JVM's CPU per
 * command. A stand-in: RedTask's calls are scripts, and fewer of them overlap.
 */
final class RequestCoalescing {

    /** Callers at once. */
    static final int THREADS = 8;

    private RequestCoalescing() {}

    /** Three rounds of both ways, {@code perThread} commands per caller, on the Redis at {@code url}. */
    static void measure(String url, int perThread) throws Exception {
        try (Jedis admin = new Jedis(URI.create(url))) {
            for (int round = 1; round <= 3; round++) {
                for (boolean coalesced : new boolean[] {false, true}) {
                    double redisBefore = CpuUse.redisCpuSeconds(url);
                    long jvmBefore = CpuUse.jvmCpuNanos();
                    long start = System.nanoTime();
                    if (coalesced) {
                        coalesced(url, perThread);
                    } else {
                        separate(url, perThread);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long total = (long) THREADS * perThread;
                    System.out.println(String.format(
                            Locale.ROOT,
                            "{\"system\":\"redtask\",\"mode\":\"requests-%s\",\"threads\":%d,\"commands\":%d,"
                                    + "\"round\":%d,\"commands_per_s\":%.0f,\"redis_cpu_us_per_command\":%.2f,"
                                    + "\"jvm_cpu_us_per_command\":%.2f,\"diagnostic\":true}",
                            coalesced ? "coalesced" : "separate",
                            THREADS,
                            total,
                            round,
                            total / seconds,
                            (CpuUse.redisCpuSeconds(url) - redisBefore) * 1e6 / total,
                            (CpuUse.jvmCpuNanos() - jvmBefore) / 1e3 / total));
                }
            }
            admin.del(keys());
        }
    }

    /** Each caller on a connection of its own. */
    private static void separate(String url, int perThread) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String key : keys()) {
                done.add(callers.submit(() -> {
                    try (Jedis redis = new Jedis(URI.create(url))) {
                        for (int i = 0; i < perThread; i++) {
                            redis.hincrBy(key, "n", 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** One waiting command: its key and where its caller waits for the reply. */
    private record Waiting(String key, CompletableFuture<Long> reply) {}

    /** Every caller through one connection: an I/O thread writes whatever waits as one pipeline. */
    private static void coalesced(String url, int perThread) throws Exception {
        LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
        Waiting stop = new Waiting("", new CompletableFuture<>());
        Thread io = new Thread(
                () -> {
                    try (Jedis redis = new Jedis(URI.create(url))) {
                        List<Waiting> batch = new ArrayList<>();
                        while (true) {
                            batch.clear();
                            batch.add(queue.take());
                            queue.drainTo(batch);
                            boolean last = batch.remove(stop);
                            Pipeline pipeline = redis.pipelined();
                            List<Response<Long>> replies = new ArrayList<>(batch.size());
                            for (Waiting w : batch) {
                                replies.add(pipeline.hincrBy(w.key(), "n", 1));
                            }
                            pipeline.sync();
                            for (int i = 0; i < batch.size(); i++) {
                                batch.get(i).reply().complete(replies.get(i).get());
                            }
                            if (last) {
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "coalescing-io");
        io.start();
        ExecutorService callers = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String key : keys()) {
                done.add(callers.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Waiting w = new Waiting(key, new CompletableFuture<>());
                        queue.add(w);
                        w.reply().get();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
            queue.add(stop);
            io.join(10_000);
        }
    }

    private static String[] keys() {
        String[] keys = new String[THREADS];
        for (int i = 0; i < THREADS; i++) {
            keys[i] = "bench-coalescing:" + i;
        }
        return keys;
    }
}
