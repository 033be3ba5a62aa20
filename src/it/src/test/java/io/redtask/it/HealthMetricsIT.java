package io.redtask.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * /health (open, for probes) and /metrics (open, for scrapers) with the real war: readiness
 * follows Redis (the test stops and restarts its own redis-server) and its eviction policy,
 * liveness follows the workers, and the metrics show queue gauges and task timers.
 */
@ExtendWith(ArquillianExtension.class)
class HealthMetricsIT {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("health-metrics-it");
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client http;

    @BeforeEach
    void client() {
        http = new ItSupport.Client(Deployments.webRoot(base), null);
    }

    @Test
    void healthIsOpenAndUp() throws Exception {
        JsonObject ready = await("readiness UP").atMost(HEALTH_TIMEOUT)
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
        JsonObject redis = check(ready, "redtask-redis");
        assertEquals("reachable", redis.getJsonObject("data").getString("redis"), () -> "readiness: " + ready);
        // The test Redis keeps nothing on disk: flagged, not DOWN (redtask.health.require-persistence=false).
        assertTrue(redis.getJsonObject("data").containsKey("persistence"), () -> "no persistence warning: " + ready);

        JsonObject live = health("health/live");
        assertEquals("UP", live.getString("status"), () -> "liveness: " + live);
        JsonObject workers = check(live, "redtask-workers").getJsonObject("data");
        assertTrue(workers.getBoolean("running"), () -> "liveness: " + live);
        assertTrue(workers.getJsonNumber("fetcherIdleMillis").longValue() < 30_000, () -> "liveness: " + live);

        JsonObject all = health("health");
        assertEquals("UP", all.getString("status"), () -> "health: " + all);
    }

    @Test
    void readinessIsDownWhileRedisIsStoppedAndUpWhenItReturns() throws Exception {
        // SHUTDOWN SAVE writes the data to the test Redis's directory and the restart reads it back,
        // so the other tests' queues and tasks survive this one.
        try {
            ItSupport.redisCli("SHUTDOWN", "SAVE");
            JsonObject down = await("readiness DOWN without Redis").atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health("health/ready"), h -> "DOWN".equals(h.getString("status")));
            JsonObject redis = check(down, "redtask-redis");
            assertEquals("DOWN", redis.getString("status"));
            assertEquals("unreachable", redis.getJsonObject("data").getString("redis"), () -> "readiness: " + down);

            HttpResponse<String> submit = http.post("api/tasks", "{\"type\":\"noop\"}");
            assertEquals(503, submit.statusCode(), submit::body);
            assertTrue(ItSupport.object(submit.body()).containsKey("error"), submit::body);
            // Restarting would not help: liveness stays UP.
            assertEquals("UP", health("health/live").getString("status"));
        } finally {
            ItSupport.itRedis("start");
            Files.deleteIfExists(ItSupport.redisDir().resolve("dump.rdb"));
        }
        await("readiness UP once Redis is back").atMost(HEALTH_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
        String id = http.object(http.post("api/tasks", "{\"type\":\"noop\"}"), 201).getString("id");
        await("a task after the outage").atMost(ItSupport.TIMEOUT)
                .until(() -> http.getObject("api/tasks/" + id).getString("state"), "succeeded"::equals);
    }

    @Test
    void readinessIsDownWhenRedisMayEvictTasks() throws Exception {
        try {
            assertEquals("OK", ItSupport.redisCli("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
            JsonObject down = await("readiness DOWN with an evicting Redis").atMost(HEALTH_TIMEOUT)
                    .until(() -> health("health/ready"), h -> "DOWN".equals(h.getString("status")));
            JsonObject data = check(down, "redtask-redis").getJsonObject("data");
            assertEquals("allkeys-lru", data.getString("maxmemory-policy"), () -> "readiness: " + down);
            assertTrue(data.getString("eviction").contains("noeviction"), () -> "no fix given: " + down);
        } finally {
            ItSupport.redisCli("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
        await("readiness UP again").atMost(HEALTH_TIMEOUT)
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
    }

    @Test
    void metricsShowQueueGaugesAndTaskTimers() throws Exception {
        String id = http.object(http.post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"m\":1}}"), 201).getString("id");
        await("task " + id).atMost(ItSupport.TIMEOUT)
                .until(() -> http.getObject("api/tasks/" + id).getString("state"), "succeeded"::equals);

        // No login needed; a new queue's gauges appear at the scrape after the one that found it.
        String metrics = await("metrics with the queue gauge and the timers").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(this::metrics, m -> m.contains("redtask_queue_ready{") && m.contains("redtask_task_run_seconds_count{")
                        && m.contains("redtask_task_wait_seconds_count{") && m.contains("redtask_tasks_completed_total{"));
        assertTrue(line(metrics, "redtask_queue_ready{", "queue=\"default\"") != null, () -> "no ready gauge for default:\n" + metrics);
        String run = line(metrics, "redtask_task_run_seconds_count{", "type=\"echo\"");
        assertTrue(run != null && run.contains("queue=\"default\""), () -> "no run timer for echo:\n" + metrics);
        assertTrue(Double.parseDouble(run.substring(run.lastIndexOf(' ') + 1)) >= 1, run);
        String completed = line(metrics, "redtask_tasks_completed_total{", "type=\"echo\"");
        assertTrue(completed != null && Double.parseDouble(completed.substring(completed.lastIndexOf(' ') + 1)) >= 1,
                () -> "completed counter:\n" + metrics);
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = http.send("GET", "metrics?scope=application", null);
        assertEquals(200, r.statusCode(), () -> "/metrics without a login: " + r.body());
        return r.body();
    }

    private static String line(String text, String prefix, String containing) {
        return text.lines().filter(l -> l.startsWith(prefix) && l.contains(containing)).findFirst().orElse(null);
    }

    /** /health/... as JSON (200 when UP, 503 when DOWN: both are answers). */
    private JsonObject health(String path) throws Exception {
        HttpResponse<String> r = http.get(path);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 503, () -> path + ": HTTP " + r.statusCode() + " " + r.body());
        return ItSupport.object(r.body());
    }

    private static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> name.equals(c.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + health));
    }
}
