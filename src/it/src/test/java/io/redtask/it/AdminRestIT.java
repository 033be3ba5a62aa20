package io.redtask.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Set;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The admin REST API of the real war (in an EAR like src/ear's, at "/", with the real role
 * bindings), over HTTP with Basic authentication: 401 without credentials, 403 for a user
 * without the admin role, and the operations themselves.
 */
@ExtendWith(ArquillianExtension.class)
class AdminRestIT {

    private static final String QUEUE = "default";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("admin-rest-it");
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client anonymous;
    private ItSupport.Client admin;
    private ItSupport.Client submitter;

    @BeforeEach
    void clients() {
        anonymous = new ItSupport.Client(Deployments.webRoot(base), null);
        admin = anonymous.as(ItSupport.admin());
        submitter = anonymous.as(ItSupport.submitter());
    }

    @Test
    void adminEndpointsNeedTheAdminRole() throws Exception {
        for (String path : new String[] {"api/queues", "api/queues/" + QUEUE, "api/servers", "api/servers/local",
                "api/queues/" + QUEUE + "/dead", "api/schedules"}) {
            HttpResponse<String> none = anonymous.get(path);
            assertEquals(401, none.statusCode(), () -> "GET " + path + " without credentials: " + none.body());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    () -> "no Basic challenge for " + path + ": " + none.headers().map());
            HttpResponse<String> wrong = anonymous.as(new ItSupport.Login(ItSupport.admin().user(), "not-the-password"))
                    .get(path);
            assertEquals(401, wrong.statusCode(), () -> "GET " + path + " with a wrong password: " + wrong.body());
            HttpResponse<String> lacking = submitter.get(path);
            assertEquals(403, lacking.statusCode(), () -> "GET " + path + " as a non-admin: " + lacking.body());
            assertEquals(200, admin.get(path).statusCode(), () -> "GET " + path + " as admin");
        }
        // Operations too, and a refused one changes nothing.
        assertEquals(401, anonymous.post("api/queues/" + QUEUE + "/pause", "").statusCode());
        assertEquals(403, submitter.post("api/queues/" + QUEUE + "/pause", "").statusCode());
        assertEquals(403, submitter.post("api/servers/local/pause", "").statusCode());
        assertEquals(403, submitter.put("api/servers/local/concurrency", "{\"concurrency\":1}").statusCode());
        assertFalse(admin.getObject("api/queues/" + QUEUE).getBoolean("paused"), "a refused pause paused the queue");
        assertFalse(admin.getObject("api/servers/local").getBoolean("paused"));
        // Retrying one dead task is an admin operation under /api/tasks.
        assertEquals(401, anonymous.post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "").statusCode());
        assertEquals(403, submitter.post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "").statusCode());
        // The task API stays open by default.
        assertEquals(201, anonymous.post("api/tasks", "{\"type\":\"noop\"}").statusCode());
    }

    @Test
    void queuesAreListedWithTheirCounts() throws Exception {
        anonymous.object(anonymous.post("api/tasks", "{\"type\":\"noop\"}"), 201);
        JsonArray queues = admin.getArray("api/queues");
        JsonObject q = queues.stream().map(JsonValue::asJsonObject).filter(o -> QUEUE.equals(o.getString("name")))
                .findFirst().orElseThrow(() -> new AssertionError("queue " + QUEUE + " not in " + queues));
        for (String field : new String[] {"ready", "scheduled", "running", "dead", "completed", "failed", "died",
                "completedLastMinute", "failedLastMinute"}) {
            assertTrue(q.containsKey(field) && q.get(field).getValueType() == JsonValue.ValueType.NUMBER,
                    () -> field + " missing or not a number: " + q);
        }
        for (String field : new String[] {"paused", "concurrencyLimit", "nextWaitingMs"}) {
            assertTrue(q.containsKey(field), () -> field + " missing: " + q);
        }
    }

    @Test
    void aQueuesTasksAreListedByState() throws Exception {
        String id = anonymous.object(anonymous.post("api/tasks",
                "{\"type\":\"echo\",\"payload\":1,\"delay\":\"PT1H\"}"), 201).getString("id");
        try {
            assertTrue(admin.getArray("api/queues/" + QUEUE + "/tasks?state=scheduled&limit=1000").stream()
                    .anyMatch(t -> t.asJsonObject().getString("id").equals(id)), "the delayed task is listed");
            JsonObject bad = admin.object(admin.get("api/queues/" + QUEUE + "/tasks?state=succeeded"), 400);
            assertEquals("state", bad.getString("field"), bad::toString);
            assertEquals(403, submitter.get("api/queues/" + QUEUE + "/tasks").statusCode());
        } finally {
            anonymous.delete("api/tasks/" + id);
        }
    }

    @Test
    void schedulesAreListedAndAnUnknownOneIsNotFound() throws Exception {
        assertTrue(admin.getArray("api/schedules").stream().allMatch(v -> v.asJsonObject().containsKey("nextFireAt")));
        JsonObject missing = admin.object(admin.delete("api/schedules/no-such-schedule"), 404);
        assertTrue(missing.getString("error").contains("no-such-schedule"), missing::toString);
        assertEquals(403, submitter.delete("api/schedules/no-such-schedule").statusCode());
    }

    @Test
    void aQueueNeverUsedIsNotFoundAndNotCreatedByAnOperation() throws Exception {
        String name = "never-used-" + System.nanoTime();
        JsonObject missing = admin.object(admin.get("api/queues/" + name), 404);
        assertTrue(missing.getString("error").contains("no queue '" + name + "'"), missing::toString);
        admin.object(admin.post("api/queues/" + name + "/pause", ""), 404);
        assertTrue(admin.getArray("api/queues").stream()
                .noneMatch(q -> q.asJsonObject().getString("name").equals(name)), "the typo created a queue");
    }

    @Test
    void aPausedQueueKeepsItsTasksQueuedUntilResumed() throws Exception {
        try {
            JsonObject paused = admin.object(admin.post("api/queues/" + QUEUE + "/pause", ""), 200);
            assertTrue(paused.getBoolean("paused"), () -> "pause: " + paused);
            assertEquals(QUEUE, paused.getString("name"));
            // Every claim reads the pause flag in the same script: a task submitted after it waits.
            String id = anonymous.object(anonymous.post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"p\":1}}"), 201)
                    .getString("id");
            // And keeps waiting: queued for two and a half seconds of fetcher polls.
            org.awaitility.Awaitility.await("a task of a paused queue stays queued")
                    .during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5))
                    .until(() -> anonymous.getObject("api/tasks/" + id).getString("state").equals("queued"));
            assertTrue(admin.getObject("api/queues/" + QUEUE).getJsonNumber("ready").longValue() >= 1,
                    "the waiting task is not counted as ready");

            JsonObject resumed = admin.object(admin.post("api/queues/" + QUEUE + "/resume", ""), 200);
            assertFalse(resumed.getBoolean("paused"), () -> "resume: " + resumed);
            awaitState(id, "succeeded");
        } finally {
            admin.post("api/queues/" + QUEUE + "/resume", "");
        }
    }

    @Test
    void deadTasksAreListedRetriedAndPurged() throws Exception {
        String body = "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}";
        String id = anonymous.object(anonymous.post("api/tasks", body), 201).getString("id");
        awaitState(id, "dead");

        JsonObject listed = deadTask(id);
        assertNotNull(listed, "the dead task is not in the dead list");
        assertEquals("dead", listed.getString("state"));
        assertEquals("fail", listed.getString("type"));
        assertEquals(QUEUE, listed.getString("queue"));
        assertEquals(1, listed.getInt("attempts"));
        assertFalse(listed.isNull("error"), () -> "no error: " + listed);

        // One task: back to the queue, fails again (it always does), dead again.
        JsonObject retried = admin.object(admin.post("api/tasks/" + id + "/retry", ""), 200);
        assertEquals(id, retried.getString("id"));
        assertTrue(Set.of("queued", "running", "dead").contains(retried.getString("state")), () -> "retry: " + retried);
        awaitState(id, "dead");
        await("the retried task back in the dead list").atMost(ItSupport.TIMEOUT).until(() -> deadTask(id) != null);

        // The whole dead set of the queue.
        JsonObject all = admin.object(admin.post("api/queues/" + QUEUE + "/dead/retry", ""), 200);
        assertTrue(all.getInt("retried") >= 1, () -> "dead/retry: " + all);
        awaitState(id, "dead");
        await().atMost(ItSupport.TIMEOUT).until(() -> deadTask(id) != null);

        JsonObject purged = admin.object(admin.post("api/queues/" + QUEUE + "/dead/purge", ""), 200);
        assertTrue(purged.getInt("purged") >= 1, () -> "dead/purge: " + purged);
        assertEquals(null, deadTask(id), "purged task still listed");

        // Not dead: 409; no such task: 404.
        String done = anonymous.object(anonymous.post("api/tasks", "{\"type\":\"noop\"}"), 201).getString("id");
        awaitState(done, "succeeded");
        HttpResponse<String> conflict = admin.post("api/tasks/" + done + "/retry", "");
        assertEquals(409, conflict.statusCode(), conflict::body);
        assertTrue(ItSupport.object(conflict.body()).getString("error").contains("succeeded"), conflict::body);
        assertEquals(404, admin.post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "").statusCode());

        // Paging is checked.
        assertBadRequest(admin.get("api/queues/" + QUEUE + "/dead?limit=0"), "limit");
        assertBadRequest(admin.get("api/queues/" + QUEUE + "/dead?offset=-1"), "offset");
        assertEquals(0, admin.getArray("api/queues/" + QUEUE + "/dead?offset=0&limit=1").stream()
                .filter(v -> id.equals(v.asJsonObject().getString("id"))).count());
    }

    @Test
    void queueConcurrencyIsSetAndCleared() throws Exception {
        String queue = "admin-it-limit";
        // Operations act on queues that exist: one is made by its first task.
        anonymous.object(anonymous.post("api/tasks", "{\"type\":\"noop\",\"queue\":\"" + queue + "\"}"), 201);
        try {
            JsonObject limited = admin.object(admin.put("api/queues/" + queue + "/concurrency", "{\"limit\":2}"), 200);
            assertEquals(2, limited.getInt("concurrencyLimit"), () -> "limit: " + limited);
            JsonObject cleared = admin.object(admin.put("api/queues/" + queue + "/concurrency", "{\"limit\":null}"), 200);
            assertTrue(cleared.isNull("concurrencyLimit"), () -> "cleared: " + cleared);
        } finally {
            admin.put("api/queues/" + queue + "/concurrency", "{\"limit\":null}");
        }
        assertBadRequest(admin.put("api/queues/" + queue + "/concurrency", "{\"limit\":\"two\"}"), "limit");
        assertBadRequest(admin.put("api/queues/" + queue + "/concurrency", "{\"limit\":-1}"), "limit");
        assertBadRequest(admin.put("api/queues/" + queue + "/concurrency", "{}"), "limit");
        assertBadRequest(admin.put("api/queues/" + queue + "/concurrency", "not json"), "body");
        assertBadRequest(admin.get("api/queues/no%20spaces"), "queue");
    }

    @Test
    void serversAreListedAndThisOneSteered() throws Exception {
        JsonObject local = admin.getObject("api/servers/local");
        String nodeId = local.getString("nodeId");
        int concurrency = local.getInt("concurrency");
        int max = local.getInt("maxConcurrency");
        for (String field : new String[] {"busy", "completed", "failed"}) {
            assertTrue(local.containsKey(field), () -> field + " missing: " + local);
        }
        JsonObject node = await("this server's heartbeat").atMost(ItSupport.TIMEOUT)
                .until(() -> admin.getArray("api/servers").stream().map(JsonValue::asJsonObject)
                        .filter(n -> nodeId.equals(n.getString("nodeId"))).findFirst().orElse(null), n -> n != null);
        for (String field : new String[] {"queues", "concurrency", "maxConcurrency", "busy", "paused", "completed",
                "failed", "startedAt", "lastSeen"}) {
            assertTrue(node.containsKey(field), () -> field + " missing: " + node);
        }
        try {
            JsonObject changed = admin.object(admin.put("api/servers/local/concurrency", "{\"concurrency\":3}"), 200);
            assertEquals(3, changed.getInt("concurrency"), () -> "local concurrency: " + changed);
            JsonObject byId = admin.object(admin.put("api/servers/" + nodeId + "/concurrency", "{\"concurrency\":2}"), 200);
            assertEquals(2, byId.getInt("concurrency"), () -> "concurrency by node id: " + byId);
            String tooMany = assertBadRequest(admin.put("api/servers/local/concurrency",
                    "{\"concurrency\":" + (max + 1) + "}"), "concurrency");
            assertTrue(tooMany.contains(String.valueOf(max)), () -> "the error does not give the maximum: " + tooMany);
            assertBadRequest(admin.put("api/servers/no-such-server/concurrency", "{\"concurrency\":1}"), "nodeId");

            JsonObject paused = admin.object(admin.post("api/servers/local/pause", ""), 200);
            assertTrue(paused.getBoolean("paused"), () -> "pause: " + paused);
            JsonObject resumed = admin.object(admin.post("api/servers/local/resume", ""), 200);
            assertFalse(resumed.getBoolean("paused"), () -> "resume: " + resumed);
        } finally {
            admin.put("api/servers/local/concurrency", "{\"concurrency\":" + concurrency + "}");
            admin.post("api/servers/local/resume", "");
        }
    }

    /**
     * redtask.rest.secure-tasks=true (here a server.xml variable in a config drop-in, which
     * Liberty applies without a restart) makes the task API require the submitter role.
     */
    @Test
    void theTaskApiCanBeMadeToRequireTheSubmitterRole() throws Exception {
        Path dropins = Paths.get(System.getProperty("redtask.it.server.dir"), "configDropins", "overrides");
        Path file = dropins.resolve("admin-it-secure-tasks.xml");
        Files.createDirectories(dropins);
        String task = "{\"type\":\"noop\"}";
        try {
            Files.writeString(file, "<server><variable name=\"redtask.rest.secure-tasks\" value=\"true\"/></server>");
            await("the task API to require a login").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> anonymous.post("api/tasks", task).statusCode() == 401);
            assertEquals(401, anonymous.get("api/tasks/" + QUEUE + ":00000000000000000000000000").statusCode());
            String id = submitter.object(submitter.post("api/tasks", task), 201).getString("id");
            assertEquals(200, submitter.get("api/tasks/" + id).statusCode());
            String adminsTask = admin.object(admin.post("api/tasks", task), 201).getString("id");
            // Tasks belong to who submitted them: a submitter sees and cancels only its own.
            assertEquals(404, submitter.get("api/tasks/" + adminsTask).statusCode(), "a submitter saw another's task");
            assertEquals(404, submitter.delete("api/tasks/" + adminsTask).statusCode(), "a submitter cancelled another's task");
            JsonObject own = submitter.object(submitter.get("api/tasks/" + id), 200);
            assertEquals(ItSupport.submitter().user(), own.getString("submittedBy", null), own::toString);
            assertEquals(200, admin.get("api/tasks/" + id).statusCode(), "an admin sees every task");
        } finally {
            Files.deleteIfExists(file);
            await("the task API to be open again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> anonymous.post("api/tasks", task).statusCode() == 201);
        }
    }

    private JsonObject deadTask(String id) throws Exception {
        JsonArray dead = admin.getArray("api/queues/" + QUEUE + "/dead?offset=0&limit=1000");
        return dead.stream().map(JsonValue::asJsonObject).filter(t -> id.equals(t.getString("id"))).findFirst()
                .orElse(null);
    }

    private void awaitState(String id, String state) {
        await("task " + id + " to be " + state).atMost(ItSupport.TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> anonymous.getObject("api/tasks/" + id).getString("state"), state::equals);
    }

    /** 400 with a JSON error naming the field; returns the message. */
    private static String assertBadRequest(HttpResponse<String> response, String field) {
        assertEquals(400, response.statusCode(), () -> "expected 400, was: " + response.body());
        JsonObject error = ItSupport.object(response.body());
        assertEquals(field, error.getString("field", null), () -> "field: " + response.body());
        String message = error.getString("error", "");
        assertFalse(message.isBlank());
        assertFalse(response.body().contains("at io.") || response.body().contains("Exception"), response::body);
        return message;
    }
}
