package io.redtask.cdi;

import io.redtask.QueueNames;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.RetryBackoff;
import org.eclipse.microprofile.config.Config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RedTask's settings from MicroProfile Config. Each key can also be given as an environment
 * variable ({@code redtask.workers.concurrency} as {@code REDTASK_WORKERS_CONCURRENCY}), in
 * server.xml ({@code <variable>}) or in {@code bootstrap.properties}. Durations are ISO-8601
 * ({@code PT30S}). {@code redtask.queue.<name>.concurrency} limits how many tasks of a queue run
 * at once across all servers.
 */
record RedTaskConfig(String redisUrl, int redisPoolSize, Duration redisTimeout, String keyPrefix,
                     boolean workersEnabled, String workerExecutor, String housekeepingExecutor,
                     EngineSettings engine, Map<String, Integer> queueLimits) {

    static final String REDIS_URL = "redtask.redis.url";
    static final String QUEUES = "redtask.queues";
    static final String CONCURRENCY = "redtask.workers.concurrency";

    static RedTaskConfig from(Config c) {
        List<String> queues = Arrays.stream(c.getOptionalValue(QUEUES, String.class).orElse("default").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        queues.forEach(q -> {
            if (!QueueNames.isValid(q)) {
                throw new IllegalArgumentException(QUEUES + " contains '" + q
                        + "': queue names are 1 to 64 characters from A-Z a-z 0-9 _ -");
            }
        });
        int concurrency = c.getOptionalValue(CONCURRENCY, Integer.class).orElse(8);
        // The worker executor's concurrencyPolicy max in server.xml uses the same variable.
        int max = c.getOptionalValue("redtask.workers.max", Integer.class).orElse(32);
        if (concurrency < 0 || concurrency > max) {
            throw new IllegalArgumentException(CONCURRENCY + " must be between 0 and redtask.workers.max (" + max
                    + "), was " + concurrency);
        }
        EngineSettings engine = EngineSettings.builder(
                        c.getOptionalValue("redtask.node-id", String.class).orElseGet(RedTaskConfig::defaultNodeId))
                .queues(queues)
                .concurrency(concurrency)
                .maxConcurrency(max)
                .lease(duration(c, "redtask.lease", "PT30S"), duration(c, "redtask.heartbeat", "PT2S"))
                .reaperInterval(duration(c, "redtask.reaper-interval", "PT5S"))
                .pollInterval(duration(c, "redtask.poll-interval", "PT1S"))
                .claimBatch(c.getOptionalValue("redtask.claim-batch", Integer.class).orElse(32))
                .shutdownGrace(duration(c, "redtask.shutdown-grace", "PT20S"))
                .retention(duration(c, "redtask.keep.succeeded", "PT24H"), duration(c, "redtask.keep.dead", "P7D"))
                .maxStalls(c.getOptionalValue("redtask.max-stalls", Integer.class).orElse(3))
                .backoff(new RetryBackoff(duration(c, "redtask.retry.base", "PT1S"),
                        duration(c, "redtask.retry.cap", "PT1H"),
                        c.getOptionalValue("redtask.retry.jitter", Double.class).orElse(0.2)))
                .idempotencyWindow(duration(c, "redtask.idempotency-window", "PT24H"))
                .cronInterval(duration(c, "redtask.cron.interval", "PT0.5S"))
                .misfireThreshold(duration(c, "redtask.cron.misfire-threshold", "PT1M"))
                .build();
        Map<String, Integer> queueLimits = new TreeMap<>();
        for (String q : queues) {
            c.getOptionalValue("redtask.queue." + q + ".concurrency", Integer.class).ifPresent(n -> queueLimits.put(q, n));
        }
        return new RedTaskConfig(
                c.getOptionalValue(REDIS_URL, String.class).orElse("redis://127.0.0.1:6379"),
                // One connection per worker at the most concurrency an operator may set, one per
                // fetcher, and room for RedTask's own loops and for submitting request threads.
                c.getOptionalValue("redtask.redis.pool-size", Integer.class)
                        .orElse(max + queues.size() + 16),
                duration(c, "redtask.redis.timeout", "PT2S"),
                c.getOptionalValue("redtask.key-prefix", String.class).orElse("redtask"),
                c.getOptionalValue("redtask.workers.enabled", Boolean.class).orElse(true),
                c.getOptionalValue("redtask.workers.executor", String.class).orElse("concurrent/redtaskWorkers"),
                c.getOptionalValue("redtask.housekeeping.executor", String.class).orElse("concurrent/redtaskScheduler"),
                engine, queueLimits);
    }

    private static Duration duration(Config c, String key, String fallback) {
        String text = c.getOptionalValue(key, String.class).orElse(fallback);
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT30S, was '" + text + "'", e);
        }
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + Long.toString(System.nanoTime() & 0xfffff, 36);
    }
}
