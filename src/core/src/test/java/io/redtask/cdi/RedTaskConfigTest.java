package io.redtask.cdi;

import io.redtask.engine.Durability;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.RetryBackoff;
import io.redtask.engine.SubmitLimits;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RedTaskConfig#from}: the README's configuration table, key by key. The defaults are the
 * table's; each key reaches the setting it names; a bad value is refused with the key named.
 */
class RedTaskConfigTest {

    private static RedTaskConfig read(Map<String, String> values) {
        return RedTaskConfig.from(new MapConfig(values));
    }

    @Test
    void theDefaultsAreTheReadmes() {
        RedTaskConfig c = read(Map.of());
        EngineSettings e = c.engine();
        assertAll(
                () -> assertEquals("redis://127.0.0.1:6379", c.redisUrl()),
                () -> assertEquals(32, c.redisPoolSize(), "for submits and reads"),
                () -> assertEquals(Duration.ofSeconds(2), c.redisTimeout()),
                () -> assertEquals("redtask", c.keyPrefix()),
                () -> assertEquals(List.of("default"), e.queues()),
                () -> assertTrue(c.workersEnabled()),
                () -> assertEquals(8, e.concurrency()),
                () -> assertEquals(32, e.maxConcurrency()),
                () -> assertEquals("concurrent/redtaskWorkers", c.workerExecutor()),
                () -> assertEquals("concurrent/redtaskScheduler", c.housekeepingExecutor()),
                () -> assertEquals("java:comp/DefaultManagedThreadFactory", c.housekeepingThreadFactory()),
                () -> assertEquals(Duration.ofMinutes(1), c.txRetryFor()),
                () -> assertFalse(c.traceLink(), "redtask.tracing.parent=child"),
                () -> assertEquals(0.9, e.memoryHighWater()),
                () -> assertEquals(
                        new SubmitLimits.Limits(
                                512 * 1024,
                                64,
                                256,
                                Duration.ofDays(3653),
                                Duration.ofHours(24),
                                1000,
                                Set.of(),
                                Duration.ofSeconds(2)),
                        c.limits(),
                        "redtask.limits.* and redtask.queues.*"),
                () -> assertEquals(512 * 1024, c.resultBytes()),
                () -> assertEquals(new RedTaskConfig.RedisTls(null, null), c.redisTls(), "the JVM's trust store"),
                () -> assertEquals(Map.of(), c.queueLimits()),
                () -> assertEquals(Duration.ofSeconds(8), e.lease()),
                () -> assertEquals(Duration.ofSeconds(1), e.heartbeatInterval()),
                () -> assertEquals(Duration.ofSeconds(1), e.reaperInterval()),
                () -> assertEquals(new Durability(Durability.Mode.ASYNC, 0, Duration.ofSeconds(1)), e.durability()),
                () -> assertEquals(Duration.ofSeconds(10), e.nodeTtl()),
                () -> assertEquals(Duration.ofMillis(50), e.watchInterval()),
                () -> assertEquals(Duration.ofSeconds(5), e.outageBackoff()),
                () -> assertEquals(Duration.ofMinutes(2), e.statsWindow()),
                () -> assertEquals(100, e.promoteBatch()),
                () -> assertEquals(Duration.ofMinutes(1), e.servedCheck()),
                () -> assertEquals(Duration.ofSeconds(1), e.pollInterval()),
                () -> assertEquals(32, e.claimBatch()),
                () -> assertEquals(Duration.ofSeconds(20), e.shutdownGrace()),
                () -> assertEquals(3, e.maxStalls()),
                () -> assertEquals(new RetryBackoff(Duration.ofSeconds(1), Duration.ofHours(1), 0.2), e.backoff()),
                () -> assertEquals(Duration.ofHours(24), e.keepSucceeded()),
                () -> assertEquals(Duration.ofDays(7), e.keepDead()),
                () -> assertEquals(Duration.ofHours(24), e.idempotencyWindow()),
                () -> assertEquals(Duration.ofMillis(500), e.cronInterval()),
                () -> assertEquals(Duration.ofMinutes(1), e.misfireThreshold()),
                () -> assertFalse(c.web().secureTasks()),
                () -> assertEquals(Duration.ofSeconds(2), c.web().metricsCache()),
                () -> assertTrue(c.web().requireNoeviction()),
                () -> assertFalse(c.web().requirePersistence()),
                () -> assertEquals(Duration.ofSeconds(30), c.web().fetcherStall()),
                () -> assertEquals(1024 * 1024, c.web().bodyBytes()),
                () -> assertEquals(100, c.web().maxPriority()),
                () -> assertEquals(List.of(), c.web().allowedOrigins()),
                () -> assertEquals(List.of(), c.web().allowedHosts()),
                () -> assertFalse(c.web().httpsLogins()));
    }

    @Test
    void theDefaultNodeIdIsHostPidAndSomethingRandom() {
        String pid = String.valueOf(ManagementFactory.getRuntimeMXBean().getPid());
        String a = read(Map.of()).engine().nodeId();
        assertTrue(a.matches(".+-" + pid + "-[0-9a-z]+"), a);
        assertEquals(a, read(Map.of("redtask.node-id", a)).engine().nodeId());
    }

    @Test
    void everyKeyReachesItsSetting() {
        Map<String, String> v = new HashMap<>();
        v.put("redtask.redis.url", "redis://user:pw@127.0.0.1:7000/3");
        v.put("redtask.redis.pool-size", "7");
        v.put("redtask.redis.timeout", "PT3S");
        v.put("redtask.key-prefix", "app1");
        v.put("redtask.queues", " mail, reports ,mail,,default");
        v.put("redtask.workers.enabled", "false");
        v.put("redtask.workers.concurrency", "5");
        v.put("redtask.workers.max", "12");
        v.put("redtask.workers.executor", "concurrent/mine");
        v.put("redtask.housekeeping.executor", "concurrent/myLoops");
        v.put("redtask.queue.mail.concurrency", "2");
        v.put("redtask.queue.reports.concurrency", "0");
        v.put("redtask.queue.elsewhere.concurrency", "9");
        v.put("redtask.lease", "PT45S");
        v.put("redtask.heartbeat", "PT3S");
        v.put("redtask.reaper-interval", "PT7S");
        v.put("redtask.poll-interval", "PT0.5S");
        v.put("redtask.claim-batch", "11");
        v.put("redtask.shutdown-grace", "PT9S");
        v.put("redtask.max-stalls", "4");
        v.put("redtask.retry.base", "PT2S");
        v.put("redtask.retry.cap", "PT10M");
        v.put("redtask.retry.jitter", "0.5");
        v.put("redtask.keep.succeeded", "PT1H");
        v.put("redtask.keep.dead", "P2D");
        v.put("redtask.idempotency-window", "PT6H");
        v.put("redtask.cron.interval", "PT0.25S");
        v.put("redtask.cron.misfire-threshold", "PT5M");
        v.put("redtask.node-id", "node-7");
        v.put("redtask.watch-interval", "PT0.1S");
        v.put("redtask.node-ttl", "PT20S");
        v.put("redtask.outage-backoff", "PT4S");
        v.put("redtask.stats-window", "PT3M");
        v.put("redtask.promote-batch", "50");
        v.put("redtask.served-check", "PT2M");
        v.put("redtask.durability", "replicas:2");
        v.put("redtask.durability-timeout", "PT0.5S");
        v.put("redtask.rest.secure-tasks", "true");
        v.put("redtask.metrics.cache", "PT5S");
        v.put("redtask.health.require-noeviction", "false");
        v.put("redtask.health.require-persistence", "true");
        v.put("redtask.health.fetcher-stall", "PT1M");
        v.put("redtask.housekeeping.thread-factory", "concurrent/myThreads");
        v.put("redtask.tx.retry-for", "PT5M");
        v.put("redtask.memory.high-water", "0.75");
        v.put("redtask.limits.payload-bytes", "1000");
        v.put("redtask.limits.json-depth", "5");
        v.put("redtask.limits.name-length", "40");
        v.put("redtask.limits.max-delay", "P30D");
        v.put("redtask.limits.max-timeout", "PT2H");
        v.put("redtask.limits.max-attempts", "9");
        v.put("redtask.limits.result-bytes", "2000");
        v.put("redtask.limits.body-bytes", "3000");
        v.put("redtask.queues.allowed", "reports-*, mail");
        v.put("redtask.queues.known-cache", "PT7S");
        v.put("redtask.redis.truststore", "/etc/redtask/redis.p12");
        v.put("redtask.redis.truststore-password", "changeit");
        v.put("redtask.rest.max-priority", "10");
        v.put("redtask.rest.allowed-origins", "https://Tasks.Example.com/, https://ops.example.com");
        v.put("redtask.rest.allowed-hosts", "Tasks.internal");
        v.put("redtask.rest.https-logins", "true");
        RedTaskConfig c = read(v);
        EngineSettings e = c.engine();
        assertAll(
                () -> assertEquals("redis://user:pw@127.0.0.1:7000/3", c.redisUrl()),
                () -> assertEquals(7, c.redisPoolSize()),
                () -> assertEquals(Duration.ofSeconds(3), c.redisTimeout()),
                () -> assertEquals("app1", c.keyPrefix()),
                () -> assertEquals(
                        List.of("mail", "reports", "default"), e.queues(), "trimmed, blanks and repeats dropped"),
                () -> assertFalse(c.workersEnabled()),
                () -> assertEquals(5, e.concurrency()),
                () -> assertEquals(12, e.maxConcurrency()),
                () -> assertEquals("concurrent/mine", c.workerExecutor()),
                () -> assertEquals("concurrent/myLoops", c.housekeepingExecutor()),
                () -> assertEquals(Map.of("mail", 2, "reports", 0), c.queueLimits(), "only this server's queues"),
                () -> assertEquals(Duration.ofSeconds(45), e.lease()),
                () -> assertEquals(Duration.ofSeconds(3), e.heartbeatInterval()),
                () -> assertEquals(Duration.ofSeconds(7), e.reaperInterval()),
                () -> assertEquals(Duration.ofMillis(500), e.pollInterval()),
                () -> assertEquals(11, e.claimBatch()),
                () -> assertEquals(Duration.ofSeconds(9), e.shutdownGrace()),
                () -> assertEquals(4, e.maxStalls()),
                () -> assertEquals(new RetryBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), 0.5), e.backoff()),
                () -> assertEquals(Duration.ofHours(1), e.keepSucceeded()),
                () -> assertEquals(Duration.ofDays(2), e.keepDead()),
                () -> assertEquals(Duration.ofHours(6), e.idempotencyWindow()),
                () -> assertEquals(Duration.ofMillis(250), e.cronInterval()),
                () -> assertEquals(Duration.ofMinutes(5), e.misfireThreshold()),
                () -> assertEquals("node-7", e.nodeId()),
                () -> assertEquals(Duration.ofMillis(100), e.watchInterval()),
                () -> assertEquals(Duration.ofSeconds(20), e.nodeTtl()),
                () -> assertEquals(Duration.ofSeconds(4), e.outageBackoff()),
                () -> assertEquals(Duration.ofMinutes(3), e.statsWindow()),
                () -> assertEquals(50, e.promoteBatch()),
                () -> assertEquals(Duration.ofMinutes(2), e.servedCheck()),
                () -> assertEquals(new Durability(Durability.Mode.REPLICAS, 2, Duration.ofMillis(500)), e.durability()),
                () -> assertTrue(c.web().secureTasks()),
                () -> assertEquals(Duration.ofSeconds(5), c.web().metricsCache()),
                () -> assertFalse(c.web().requireNoeviction()),
                () -> assertTrue(c.web().requirePersistence()),
                () -> assertEquals(Duration.ofMinutes(1), c.web().fetcherStall()),
                () -> assertEquals("concurrent/myThreads", c.housekeepingThreadFactory()),
                () -> assertEquals(Duration.ofMinutes(5), c.txRetryFor()),
                () -> assertEquals(0.75, e.memoryHighWater()),
                () -> assertEquals(
                        new SubmitLimits.Limits(
                                1000,
                                5,
                                40,
                                Duration.ofDays(30),
                                Duration.ofHours(2),
                                9,
                                Set.of("reports-*", "mail"),
                                Duration.ofSeconds(7)),
                        c.limits()),
                () -> assertEquals(2000, c.resultBytes()),
                () -> assertEquals(3000, c.web().bodyBytes()),
                () -> assertEquals(new RedTaskConfig.RedisTls("/etc/redtask/redis.p12", "changeit"), c.redisTls()),
                () -> assertFalse(
                        c.toString().contains("changeit") || c.toString().contains(":pw@"), () -> "a password in " + c),
                () -> assertEquals(10, c.web().maxPriority()),
                () -> assertEquals(
                        List.of("https://tasks.example.com", "https://ops.example.com"),
                        c.web().allowedOrigins()),
                () -> assertEquals(List.of("tasks.internal"), c.web().allowedHosts()),
                () -> assertTrue(c.web().httpsLogins()));
    }

    @Test
    void theWebSettingsAreReadAgainOnEveryCall() {
        assertFalse(RedTaskConfig.web(new MapConfig(Map.of())).requirePersistence());
        assertTrue(RedTaskConfig.web(new MapConfig(Map.of("redtask.health.require-persistence", "true")))
                .requirePersistence());
    }

    /** The message of the IllegalArgumentException that {@code values} cause. */
    private static String refused(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> read(values), () -> "accepted: " + values)
                .getMessage();
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        for (String key : List.of(
                "redtask.redis.timeout",
                "redtask.durability-timeout",
                "redtask.lease",
                "redtask.heartbeat",
                "redtask.reaper-interval",
                "redtask.poll-interval",
                "redtask.shutdown-grace",
                "redtask.retry.base",
                "redtask.retry.cap",
                "redtask.keep.succeeded",
                "redtask.keep.dead",
                "redtask.idempotency-window",
                "redtask.cron.interval",
                "redtask.cron.misfire-threshold",
                "redtask.metrics.cache",
                "redtask.health.fetcher-stall",
                "redtask.tx.retry-for",
                "redtask.limits.max-delay",
                "redtask.limits.max-timeout",
                "redtask.queues.known-cache")) {
            String message = refused(Map.of(key, "30s"));
            assertTrue(
                    message.contains(key) && message.contains("30s") && message.contains("ISO-8601"),
                    () -> key + "=30s: " + message);
        }
        String parent = refused(Map.of("redtask.tracing.parent", "sibling"));
        assertTrue(parent.contains("redtask.tracing.parent") && parent.contains("child or link"), parent);
        assertTrue(read(Map.of("redtask.tracing.parent", "link")).traceLink());
        String queue = refused(Map.of("redtask.queues", "default,no spaces"));
        assertTrue(queue.contains("redtask.queues") && queue.contains("'no spaces'"), queue);
        String tooMany = refused(Map.of("redtask.workers.concurrency", "40"));
        assertTrue(
                tooMany.contains("redtask.workers.concurrency")
                        && tooMany.contains("redtask.workers.max (32)")
                        && tooMany.contains("40"),
                tooMany);
        String negative = refused(Map.of("redtask.workers.concurrency", "-1"));
        assertTrue(negative.contains("redtask.workers.concurrency"), negative);
        String durability = refused(Map.of("redtask.durability", "always"));
        assertTrue(durability.contains("redtask.durability") && durability.contains("'always'"), durability);
        String allowed = refused(Map.of("redtask.queues.allowed", "ok,not ok*"));
        assertTrue(allowed.contains("redtask.queues.allowed") && allowed.contains("'not ok*'"), allowed);
        String result = refused(Map.of("redtask.limits.result-bytes", "8"));
        assertTrue(result.contains("redtask.limits.result-bytes"), result);
        String body = refused(Map.of("redtask.limits.body-bytes", "0"));
        assertTrue(body.contains("redtask.limits.body-bytes"), body);
        String slow = refused(Map.of("redtask.durability", "fsync", "redtask.durability-timeout", "PT3S"));
        assertTrue(slow.contains("redtask.durability-timeout") && slow.contains("redtask.redis.timeout"), slow);
    }

    /**
     * Values the engine's own settings refuse: the error should name the key the operator wrote.
     * Today it names the engine's field ("claimBatch must be at least 1", "durations must be
     * positive: PT0S", "nodeTtl (PT10S) must be longer than the heartbeatInterval (PT15S)": the
     * last for a documented redtask.heartbeat of 15 s, naming an undocumented setting). The fix
     * belongs in RedTaskConfig (src/core/src/main).
     */
    @Test
    void valuesTheEngineRefusesAreNamedByTheirKey() {
        Map<String, String> cases = Map.of(
                "redtask.claim-batch", "0",
                "redtask.max-stalls", "-1",
                "redtask.lease", "PT0S",
                "redtask.poll-interval", "-PT1S",
                "redtask.heartbeat", "PT15S",
                "redtask.retry.jitter", "2",
                "redtask.shutdown-grace", "-PT1S");
        List<String> unnamed = new java.util.ArrayList<>();
        new java.util.TreeMap<>(cases).forEach((key, value) -> {
            String message = refused(Map.of(key, value));
            if (!message.contains(key)) {
                unnamed.add(key + "=" + value + " -> \"" + message + "\"");
            }
        });
        assertEquals(List.of(), unnamed, "errors that do not name the key");
    }

    @Test
    void queueShardsAreReadForServedQueuesAndAnyQueueTheyAreSetFor() {
        RedTaskConfig c = read(Map.of(
                "redtask.queues", "default,mail",
                "redtask.queue.default.shards", "3",
                "redtask.queue.reports.shards", " 2 "));
        EngineSettings e = c.engine();
        assertEquals(Map.of("default", 3, "reports", 2), e.queueShards());
        assertEquals(3, e.shards("default"));
        assertEquals(1, e.shards("mail"), "one shard unless set");
        assertEquals(4, e.fetchers(), "a fetcher per shard of the served queues");
        assertEquals(Map.of(), read(Map.of()).engine().queueShards());
    }

    @Test
    void queueShardsOutOfRangeAreRefusedNamingTheKey() {
        for (String bad : List.of("0", "65", "three", "-1")) {
            String message = refused(Map.of("redtask.queue.default.shards", bad));
            assertTrue(
                    message.contains("redtask.queue.default.shards") && message.contains("1 to 64"),
                    bad + " -> " + message);
        }
    }
}
