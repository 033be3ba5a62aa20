package io.redtask.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health (open, for probes) and /metrics (open, for scrapers) with the real war: readiness
 * follows Redis (the test stops and restarts its own redis-server), its eviction policy and, when
 * asked, its persistence; liveness goes DOWN when every worker slot is held by a handler that
 * timed out and does not return; the metrics' values match what is in the queues and what
 * happened to tasks.
 */
@ExtendWith(ArquillianExtension.class)
class HealthMetricsIT {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return ItSupport.withHandlers(
                Deployments.demoApplication("health-metrics-it"), WedgedHandler.class, WedgedHandler.Payload.class);
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client http;
    private ItSupport.Client admin;

    @BeforeEach
    void client() {
        http = new ItSupport.Client(Deployments.webRoot(base), null);
        admin = http.as(ItSupport.admin());
    }

    @Test
    void healthIsOpenAndUp() throws Exception {
        JsonObject ready = await("readiness UP")
                .atMost(HEALTH_TIMEOUT)
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
        await("redtask_redis_up 1")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> value(metrics(), "redtask_redis_up"), v -> v == 1.0);
        // SHUTDOWN SAVE writes the data to the test Redis's directory and the restart reads it back,
        // so the other tests' queues and tasks survive this one.
        try {
            ItSupport.redisCli("SHUTDOWN", "SAVE");
            JsonObject down = await("readiness DOWN without Redis")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health("health/ready"), h -> "DOWN".equals(h.getString("status")));
            JsonObject redis = check(down, "redtask-redis");
            assertEquals("DOWN", redis.getString("status"));
            assertEquals("unreachable", redis.getJsonObject("data").getString("redis"), () -> "readiness: " + down);
            await("redtask_redis_up 0")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> value(metrics(), "redtask_redis_up"), v -> v == 0.0);

            HttpResponse<String> submit = http.post("api/tasks", "{\"type\":\"noop\"}");
            assertEquals(503, submit.statusCode(), submit::body);
            assertTrue(ItSupport.object(submit.body()).containsKey("error"), submit::body);
            // Restarting would not help: liveness stays UP.
            assertEquals("UP", health("health/live").getString("status"));
        } finally {
            ItSupport.itRedis("start");
            Files.deleteIfExists(ItSupport.redisDir().resolve("dump.rdb"));
        }
        await("readiness UP once Redis is back")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
        await("redtask_redis_up 1 again")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> value(metrics(), "redtask_redis_up"), v -> v == 1.0);
        String id =
                http.object(http.post("api/tasks", "{\"type\":\"noop\"}"), 201).getString("id");
        await("a task after the outage")
                .atMost(ItSupport.TIMEOUT)
                .until(() -> http.getObject("api/tasks/" + id).getString("state"), "succeeded"::equals);
    }

    @Test
    void readinessIsDownWhenRedisMayEvictTasks() throws Exception {
        try {
            assertEquals("OK", ItSupport.redisCli("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"));
            JsonObject down = await("readiness DOWN with an evicting Redis")
                    .atMost(HEALTH_TIMEOUT)
                    .until(() -> health("health/ready"), h -> "DOWN".equals(h.getString("status")));
            JsonObject data = check(down, "redtask-redis").getJsonObject("data");
            assertEquals("allkeys-lru", data.getString("maxmemory-policy"), () -> "readiness: " + down);
            assertTrue(data.getString("eviction").contains("noeviction"), () -> "no fix given: " + down);
        } finally {
            ItSupport.redisCli("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
        await("readiness UP again")
                .atMost(HEALTH_TIMEOUT)
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
    }

    /**
     * redtask.health.require-persistence=true (a server.xml variable in a config drop-in, read on
     * every check) on the test Redis, which keeps nothing on disk: readiness DOWN, saying why.
     */
    @Test
    void readinessIsDownWhenPersistenceIsRequiredAndRedisKeepsNothing() throws Exception {
        assertEquals(
                "",
                ItSupport.redisCli("CONFIG", "GET", "save")
                        .lines()
                        .skip(1)
                        .findFirst()
                        .orElse("")
                        .strip(),
                "the test Redis has no save schedule");
        Path dropin = dropins().resolve("health-it-require-persistence.xml");
        try {
            Files.writeString(
                    dropin, "<server><variable name=\"redtask.health.require-persistence\" value=\"true\"/></server>");
            JsonObject down = await("readiness DOWN without persistence")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health("health/ready"), h -> "DOWN".equals(h.getString("status")));
            JsonObject data = check(down, "redtask-redis").getJsonObject("data");
            assertEquals("no", data.getString("appendonly"), () -> "readiness: " + down);
            assertTrue(data.getString("persistence").contains("appendonly yes"), () -> "no fix given: " + down);
            assertEquals("reachable", data.getString("redis"));
        } finally {
            Files.deleteIfExists(dropin);
        }
        await("readiness UP with the warning only")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> health("health/ready"), h -> "UP".equals(h.getString("status")));
    }

    /**
     * Handlers that ignore interrupts and run past their timeout: each keeps its worker slot after
     * the watchdog has failed the attempt. Once all slots are held so, liveness is DOWN (only a
     * restart frees the threads); when they return, UP again.
     */
    @Test
    void livenessIsDownWhileEveryWorkerSlotIsHeldByATimedOutHandler() throws Exception {
        int concurrency = admin.getObject("api/servers/local").getInt("concurrency");
        Path release = ItSupport.absentFile("release");
        try {
            admin.object(admin.put("api/servers/local/concurrency", "{\"concurrency\":2}"), 200);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ids.add(http.object(
                                http.post(
                                        "api/tasks",
                                        "{\"type\":\"" + WedgedHandler.TYPE + "\",\"payload\":{\"file\":\"" + release
                                                + "\",\"maxMs\":60000},\"timeout\":\"PT0.5S\",\"maxAttempts\":1}"),
                                201)
                        .getString("id"));
            }
            JsonObject down = await("liveness DOWN")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health("health/live"), h -> "DOWN".equals(h.getString("status")));
            JsonObject data = check(down, "redtask-workers").getJsonObject("data");
            assertEquals(2, data.getInt("stuckTasks"), down::toString);
            assertEquals(2, data.getInt("busy"), down::toString);
            assertTrue(data.getString("stuck").contains("all 2 worker slots"), down::toString);
            for (String id : ids) {
                JsonObject task = http.getObject("api/tasks/" + id);
                assertEquals("dead", task.getString("state"), "the timed-out attempt failed the task: " + task);
                assertTrue(task.getString("error").contains("timed out"), task::toString);
            }

            Files.createFile(release);
            JsonObject up = await("liveness UP once the handlers return")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> health("health/live"), h -> "UP".equals(h.getString("status")));
            assertEquals(0, check(up, "redtask-workers").getJsonObject("data").getInt("stuckTasks"), up::toString);
        } finally {
            if (!Files.exists(release)) {
                Files.createFile(release);
            }
            admin.put("api/servers/local/concurrency", "{\"concurrency\":" + concurrency + "}");
        }
        await("liveness UP")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> health("health/live"), h -> "UP".equals(h.getString("status")));
    }

    /**
     * redtask.health.fetcher-stall, read on every check: with a limit shorter than the fetch loop's
     * idle wait (up to the 1 s poll interval), the loop counts as stalled and liveness is DOWN,
     * naming the setting; UP again with the default. (A fetch loop really stuck in a call cannot
     * be produced from outside the engine: this checks the rule and its setting, not a hang.)
     */
    @Test
    void livenessIsDownWhenAFetchLoopIsIdleLongerThanTheStallLimit() throws Exception {
        Path dropin = dropins().resolve("health-it-fetcher-stall.xml");
        try {
            Files.writeString(
                    dropin, "<server><variable name=\"redtask.health.fetcher-stall\" value=\"PT0.05S\"/></server>");
            JsonObject down = await("liveness DOWN with a 50 ms stall limit")
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> health("health/live"), h -> "DOWN".equals(h.getString("status")));
            JsonObject data = check(down, "redtask-workers").getJsonObject("data");
            assertTrue(data.getString("problem").contains("redtask.health.fetcher-stall"), down::toString);
            assertTrue(data.getJsonNumber("fetcherIdleMillis").longValue() > 50, down::toString);
        } finally {
            Files.deleteIfExists(dropin);
        }
        await("liveness UP with the default limit")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> health("health/live"), h -> "UP".equals(h.getString("status")));
    }

    /** The queue gauges read what is in the queue: a queue no server serves, filled by the test. */
    @Test
    void queueGaugesShowWhatIsInTheQueue() throws Exception {
        String queue = "allowed-metrics-it-" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("{\"type\":\"noop\",\"queue\":\"" + queue + "\"}"));
        }
        for (int i = 0; i < 2; i++) {
            ids.add(submit("{\"type\":\"noop\",\"queue\":\"" + queue + "\",\"delay\":\"PT1H\"}"));
        }
        admin.object(admin.post("api/queues/" + queue + "/pause", ""), 200);
        try {
            Map<String, Double> expected = new LinkedHashMap<>();
            expected.put("redtask_queue_ready", 3.0);
            expected.put("redtask_queue_scheduled", 2.0);
            expected.put("redtask_queue_running", 0.0);
            expected.put("redtask_queue_dead", 0.0);
            expected.put("redtask_queue_paused", 1.0);
            awaitGauges(queue, expected);

            admin.object(admin.post("api/queues/" + queue + "/resume", ""), 200);
            http.delete("api/tasks/" + ids.get(0));
            expected.put("redtask_queue_ready", 2.0);
            expected.put("redtask_queue_paused", 0.0);
            awaitGauges(queue, expected);
        } finally {
            for (String id : ids) {
                http.delete("api/tasks/" + id);
            }
        }
    }

    /**
     * "default", where the server's workers are: the running and dead gauges, and this server's
     * counters of failed attempts, dead and cancelled tasks, by type, moved by exactly what the
     * test made happen.
     */
    @Test
    void runningAndDeadGaugesAndTheTaskCountersFollowWhatHappened() throws Exception {
        admin.object(admin.post("api/queues/default/dead/purge", ""), 200);
        String before = metrics();
        double failed = value(before, "redtask_tasks_failed_total", "queue=\"default\"", "type=\"fail\"");
        double dead = value(before, "redtask_tasks_dead_total", "queue=\"default\"", "type=\"fail\"");
        double completed = value(before, "redtask_tasks_completed_total", "queue=\"default\"", "type=\"fail\"");
        double cancelled = value(before, "redtask_tasks_cancelled_total", "queue=\"default\"", "type=\"sleep\"");

        // Two tasks that die at their first attempt, one that fails once and then succeeds.
        List<String> doomed = List.of(
                submit("{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"),
                submit("{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"));
        String flaky = submit("{\"type\":\"fail\",\"payload\":{\"times\":1},\"maxAttempts\":2}");
        for (String id : doomed) {
            awaitState(id, "dead");
        }
        awaitState(flaky, "succeeded");
        // Two that run until they are cancelled.
        List<String> sleepers = List.of(
                submit("{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}"),
                submit("{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}"));
        try {
            for (String id : sleepers) {
                awaitState(id, "running");
            }
            awaitGauges(
                    "default",
                    Map.of("redtask_queue_running", 2.0, "redtask_queue_dead", 2.0, "redtask_queue_ready", 0.0));
        } finally {
            for (String id : sleepers) {
                http.delete("api/tasks/" + id);
            }
        }
        awaitGauges("default", Map.of("redtask_queue_running", 0.0));

        String after = await("the counters moved")
                .atMost(HEALTH_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        this::metrics,
                        m -> value(m, "redtask_tasks_cancelled_total", "queue=\"default\"", "type=\"sleep\"")
                                == cancelled + 2);
        assertEquals(
                failed + 3,
                value(after, "redtask_tasks_failed_total", "queue=\"default\"", "type=\"fail\""),
                "failed attempts: two that died, one retried");
        assertEquals(dead + 2, value(after, "redtask_tasks_dead_total", "queue=\"default\"", "type=\"fail\""));
        assertEquals(
                completed + 1, value(after, "redtask_tasks_completed_total", "queue=\"default\"", "type=\"fail\""));
        assertEquals(
                cancelled + 2, value(after, "redtask_tasks_cancelled_total", "queue=\"default\"", "type=\"sleep\""));
    }

    @Test
    void metricsShowTaskTimers() throws Exception {
        String id = http.object(http.post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"m\":1}}"), 201)
                .getString("id");
        awaitState(id, "succeeded");
        // No login needed.
        String metrics = await("metrics with the timers")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        this::metrics,
                        m -> m.contains("redtask_task_run_seconds_count{")
                                && m.contains("redtask_task_wait_seconds_count{")
                                && m.contains("redtask_tasks_completed_total{"));
        assertTrue(
                value(metrics, "redtask_task_run_seconds_count", "queue=\"default\"", "type=\"echo\"") >= 1,
                () -> "no run timer for echo:\n" + metrics);
        assertTrue(
                value(metrics, "redtask_task_wait_seconds_count", "queue=\"default\"", "type=\"echo\"") >= 1,
                () -> "no wait timer for echo:\n" + metrics);
        assertTrue(
                value(metrics, "redtask_tasks_completed_total", "queue=\"default\"", "type=\"echo\"") >= 1,
                () -> "completed counter:\n" + metrics);
    }

    // ------------------------------------------------------------------ helpers

    private String submit(String body) throws Exception {
        return http.object(http.post("api/tasks", body), 201).getString("id");
    }

    private void awaitState(String id, String state) {
        await("task " + id + " " + state)
                .atMost(ItSupport.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> http.getObject("api/tasks/" + id).getString("state"), state::equals);
    }

    /** Waits until every gauge of {@code queue} reads its expected value (they are cached for up to 2 s). */
    private void awaitGauges(String queue, Map<String, Double> expected) throws Exception {
        String tag = "queue=\"" + queue + "\"";
        try {
            await("gauges of " + queue + ": " + expected)
                    .atMost(HEALTH_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            this::metrics,
                            m -> expected.entrySet().stream()
                                    .allMatch(e -> e.getValue().equals(valueOrNull(m, e.getKey(), tag))));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String m = metrics();
            Map<String, Double> seen = new LinkedHashMap<>();
            expected.keySet().forEach(k -> seen.put(k, valueOrNull(m, k, tag)));
            throw new AssertionError("gauges of " + queue + ": expected " + expected + ", read " + seen, e);
        }
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = http.send("GET", "metrics?scope=application", null);
        assertEquals(200, r.statusCode(), () -> "/metrics without a login: " + r.body());
        return r.body();
    }

    /** The value of the sample {@code name{...}} whose tags include {@code tags}; 0 when there is none (a counter not yet counted). */
    private static double value(String metrics, String name, String... tags) {
        Double v = valueOrNull(metrics, name, tags);
        return v == null ? 0 : v;
    }

    private static Double valueOrNull(String metrics, String name, String... tags) {
        for (String line : metrics.lines().toList()) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String labels = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1) : "";
            if (List.of(tags).stream().allMatch(labels::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return null;
    }

    private JsonObject health(String path) throws Exception {
        return ItSupport.health(http, path);
    }

    private static JsonObject check(JsonObject health, String name) {
        return ItSupport.check(health, name);
    }

    private static Path dropins() throws Exception {
        Path dir = Paths.get(System.getProperty("redtask.it.server.dir"), "configDropins", "overrides");
        Files.createDirectories(dir);
        return dir;
    }
}
