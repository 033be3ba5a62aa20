package io.redtask.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
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
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        return ItSupport.withHandlers(
                Deployments.demoApplication("admin-rest-it"),
                FailUntilFileHandler.class,
                FailUntilFileHandler.Payload.class);
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
        for (String path : new String[] {
            "api/queues",
            "api/queues/" + QUEUE,
            "api/servers",
            "api/servers/local",
            "api/queues/" + QUEUE + "/dead",
            "api/schedules"
        }) {
            HttpResponse<String> none = anonymous.get(path);
            assertEquals(401, none.statusCode(), () -> "GET " + path + " without credentials: " + none.body());
            assertTrue(
                    none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    () -> "no Basic challenge for " + path + ": "
                            + none.headers().map());
            HttpResponse<String> wrong = anonymous
                    .as(new ItSupport.Login(ItSupport.admin().user(), "not-the-password"))
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
        assertEquals(
                403,
                submitter
                        .put("api/servers/local/concurrency", "{\"concurrency\":1}")
                        .statusCode());
        assertFalse(admin.getObject("api/queues/" + QUEUE).getBoolean("paused"), "a refused pause paused the queue");
        assertFalse(admin.getObject("api/servers/local").getBoolean("paused"));
        // Retrying one dead task is an admin operation under /api/tasks.
        assertEquals(
                401,
                anonymous
                        .post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "")
                        .statusCode());
        assertEquals(
                403,
                submitter
                        .post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "")
                        .statusCode());
        // The task API stays open by default.
        assertEquals(201, anonymous.post("api/tasks", "{\"type\":\"noop\"}").statusCode());
    }

    @Test
    void queuesAreListedWithTheirCounts() throws Exception {
        anonymous.object(anonymous.post("api/tasks", "{\"type\":\"noop\"}"), 201);
        JsonArray queues = admin.getArray("api/queues");
        JsonObject q = queues.stream()
                .map(JsonValue::asJsonObject)
                .filter(o -> QUEUE.equals(o.getString("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("queue " + QUEUE + " not in " + queues));
        for (String field : new String[] {
            "ready",
            "scheduled",
            "running",
            "dead",
            "completed",
            "failed",
            "died",
            "completedLastMinute",
            "failedLastMinute"
        }) {
            assertTrue(
                    q.containsKey(field) && q.get(field).getValueType() == JsonValue.ValueType.NUMBER,
                    () -> field + " missing or not a number: " + q);
        }
        for (String field : new String[] {"paused", "concurrencyLimit", "nextWaitingMs"}) {
            assertTrue(q.containsKey(field), () -> field + " missing: " + q);
        }
    }

    @Test
    void aQueuesTasksAreListedByState() throws Exception {
        String id = anonymous
                .object(anonymous.post("api/tasks", "{\"type\":\"echo\",\"payload\":1,\"delay\":\"PT1H\"}"), 201)
                .getString("id");
        try {
            assertTrue(
                    admin.getArray("api/queues/" + QUEUE + "/tasks?state=scheduled&limit=1000").stream()
                            .anyMatch(t -> t.asJsonObject().getString("id").equals(id)),
                    "the delayed task is listed");
            JsonObject bad = admin.object(admin.get("api/queues/" + QUEUE + "/tasks?state=succeeded"), 400);
            assertEquals("state", bad.getString("field"), bad::toString);
            assertEquals(403, submitter.get("api/queues/" + QUEUE + "/tasks").statusCode());
        } finally {
            anonymous.delete("api/tasks/" + id);
        }
    }

    @Test
    void schedulesAreListedAndAnUnknownOneIsNotFound() throws Exception {
        assertTrue(admin.getArray("api/schedules").stream()
                .allMatch(v -> v.asJsonObject().containsKey("nextFireAt")));
        JsonObject missing = admin.object(admin.delete("api/schedules/no-such-schedule"), 404);
        assertTrue(missing.getString("error").contains("no-such-schedule"), missing::toString);
        assertEquals(403, submitter.delete("api/schedules/no-such-schedule").statusCode());
    }

    @Test
    void aQueueNeverUsedIsNotFoundAndNotCreatedByAnOperation() throws Exception {
        String name = "never-used-" + System.nanoTime();
        JsonObject missing = admin.object(admin.get("api/queues/" + name), 404);
        assertTrue(missing.getString("error").contains("no queue '" + name + "'"), missing::toString);
        // It names the queues there are, so a typo is easy to see.
        String known = missing.getString("error").replaceAll(".*queues: \\[([^]]*)].*", "$1");
        assertTrue(List.of(known.split(", ")).contains(QUEUE), () -> "the known queues are not named: " + missing);
        admin.object(admin.post("api/queues/" + name + "/pause", ""), 404);
        assertTrue(
                admin.getArray("api/queues").stream()
                        .noneMatch(q -> q.asJsonObject().getString("name").equals(name)),
                "the typo created a queue");
    }

    @Test
    void aPausedQueueKeepsItsTasksQueuedUntilResumed() throws Exception {
        try {
            JsonObject paused = admin.object(admin.post("api/queues/" + QUEUE + "/pause", ""), 200);
            assertTrue(paused.getBoolean("paused"), () -> "pause: " + paused);
            assertEquals(QUEUE, paused.getString("name"));
            // Every claim reads the pause flag in the same script: a task submitted after it waits.
            String id = anonymous
                    .object(anonymous.post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"p\":1}}"), 201)
                    .getString("id");
            // And keeps waiting: three rounds of the fetcher (two whole claims) with free workers.
            ItSupport.awaitFetcherRounds(anonymous, 3);
            assertEquals("queued", anonymous.getObject("api/tasks/" + id).getString("state"));
            assertTrue(
                    admin.getArray("api/queues/" + QUEUE + "/tasks?state=queued&limit=1000").stream()
                            .anyMatch(t -> t.asJsonObject().getString("id").equals(id)),
                    "the waiting task is listed as queued");

            JsonObject resumed = admin.object(admin.post("api/queues/" + QUEUE + "/resume", ""), 200);
            assertFalse(resumed.getBoolean("paused"), () -> "resume: " + resumed);
            awaitState(id, "succeeded");
        } finally {
            admin.post("api/queues/" + QUEUE + "/resume", "");
        }
    }

    @Test
    void aRetriedDeadTaskRunsAgainWithFreshAttemptsToANewOutcome() throws Exception {
        Path fixed = ItSupport.absentFile("fixed");
        String id = submitFailingUntil(fixed, 2);
        JsonObject dead = awaitState(id, "dead");
        assertEquals(2, dead.getInt("attempts"), dead::toString);
        JsonObject listed = deadTask(id);
        assertNotNull(listed, "the dead task is not in the dead list");
        assertEquals("dead", listed.getString("state"));
        assertEquals(FailUntilFileHandler.TYPE, listed.getString("type"));
        assertEquals(QUEUE, listed.getString("queue"));
        assertEquals(2, listed.getInt("attempts"));
        assertTrue(listed.getString("error").contains("does not exist yet"), listed::toString);

        // The operator fixes the cause, then retries the one task.
        Files.createFile(fixed);
        JsonObject retried = admin.object(admin.post("api/tasks/" + id + "/retry", ""), 200);
        assertEquals(id, retried.getString("id"));
        assertTrue(
                Set.of("queued", "running", "succeeded").contains(retried.getString("state")),
                () -> "retry: " + retried);
        JsonObject done = awaitState(id, "succeeded");
        assertEquals(1, done.getInt("attempts"), () -> "fresh attempts: " + done);
        assertEquals(
                1, done.getJsonObject("result").getInt("attempt"), () -> "the first new attempt succeeded: " + done);
        assertTrue(done.isNull("error"), () -> "a succeeded task keeps no earlier error: " + done);
        assertEquals(null, deadTask(id), "no longer in the dead list");

        // Not dead (any more): 409; no such task: 404.
        HttpResponse<String> conflict = admin.post("api/tasks/" + id + "/retry", "");
        assertEquals(409, conflict.statusCode(), conflict::body);
        assertTrue(ItSupport.object(conflict.body()).getString("error").contains("succeeded"), conflict::body);
        assertEquals(
                404,
                admin.post("api/tasks/" + QUEUE + ":00000000000000000000000000/retry", "")
                        .statusCode());
    }

    @Test
    void retryingAQueuesDeadTasksRunsEachAgainWithFreshAttempts() throws Exception {
        Path fixed = ItSupport.absentFile("fixed");
        List<String> ids =
                List.of(submitFailingUntil(fixed, 1), submitFailingUntil(fixed, 1), submitFailingUntil(fixed, 1));
        for (String id : ids) {
            awaitState(id, "dead");
        }
        Files.createFile(fixed);
        JsonObject all = admin.object(admin.post("api/queues/" + QUEUE + "/dead/retry", ""), 200);
        assertEquals(QUEUE, all.getString("queue"));
        assertTrue(all.getInt("retried") >= ids.size(), () -> "dead/retry: " + all);
        for (String id : ids) {
            JsonObject done = awaitState(id, "succeeded");
            assertEquals(1, done.getInt("attempts"), () -> "fresh attempts: " + done);
            assertEquals(1, done.getJsonObject("result").getInt("attempt"), done::toString);
        }
    }

    @Test
    void purgingDeletesTheDeadTasks() throws Exception {
        String id = anonymous
                .object(
                        anonymous.post("api/tasks", "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"),
                        201)
                .getString("id");
        awaitState(id, "dead");
        JsonObject purged = admin.object(admin.post("api/queues/" + QUEUE + "/dead/purge", ""), 200);
        assertEquals(QUEUE, purged.getString("queue"));
        assertTrue(purged.getInt("purged") >= 1, () -> "dead/purge: " + purged);
        assertEquals(null, deadTask(id), "purged task still listed");
        assertEquals(404, anonymous.get("api/tasks/" + id).statusCode(), "a purged task is gone");
        assertEquals(0, admin.getObject("api/queues/" + QUEUE).getInt("dead"));

        // Paging is checked.
        assertBadRequest(admin.get("api/queues/" + QUEUE + "/dead?limit=0"), "limit");
        assertBadRequest(admin.get("api/queues/" + QUEUE + "/dead?offset=-1"), "offset");
    }

    @Test
    void deadTasksAreListedNewestFirst() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // One after the other: each dies before the next is submitted.
            String id = anonymous
                    .object(
                            anonymous.post(
                                    "api/tasks", "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"),
                            201)
                    .getString("id");
            awaitState(id, "dead");
            ids.add(id);
        }
        List<String> listed = admin.getArray("api/queues/" + QUEUE + "/dead?limit=1000").stream()
                .map(v -> v.asJsonObject().getString("id"))
                .filter(ids::contains)
                .toList();
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), listed, "newest death first");
        // Pages follow the same order.
        List<String> firstPage = admin.getArray("api/queues/" + QUEUE + "/dead?offset=0&limit=1").stream()
                .map(v -> v.asJsonObject().getString("id"))
                .toList();
        assertEquals(List.of(ids.get(2)), firstPage);
        assertEquals(
                listed,
                admin.getArray("api/queues/" + QUEUE + "/tasks?state=dead&limit=1000").stream()
                        .map(v -> v.asJsonObject().getString("id"))
                        .filter(ids::contains)
                        .toList(),
                "tasks?state=dead agrees");
    }

    @Test
    void queuedTasksAreListedInRunOrderAndScheduledOnesByDueTime() throws Exception {
        // A queue no server of the test takes tasks from: its tasks stay where they are.
        String queue = "allowed-admin-it-order-" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
        int[] priorities = {0, 5, 0, -1, 5};
        List<String> queued = new ArrayList<>();
        for (int p : priorities) {
            queued.add(submit("{\"type\":\"noop\",\"queue\":\"" + queue + "\",\"priority\":" + p + "}"));
        }
        List<String> scheduled = new ArrayList<>();
        for (String delay : List.of("PT3H", "PT1H", "PT2H")) {
            scheduled.add(submit("{\"type\":\"noop\",\"queue\":\"" + queue + "\",\"delay\":\"" + delay + "\"}"));
        }
        try {
            assertEquals(
                    List.of(queued.get(1), queued.get(4), queued.get(0), queued.get(2), queued.get(3)),
                    ids(admin.getArray("api/queues/" + queue + "/tasks?state=queued")),
                    "higher priority first, then in submit order");
            assertEquals(
                    List.of(queued.get(1), queued.get(4)),
                    ids(admin.getArray("api/queues/" + queue + "/tasks?state=queued&offset=0&limit=2")));
            assertEquals(
                    List.of(queued.get(0), queued.get(2)),
                    ids(admin.getArray("api/queues/" + queue + "/tasks?state=queued&offset=2&limit=2")));
            assertEquals(
                    List.of(scheduled.get(1), scheduled.get(2), scheduled.get(0)),
                    ids(admin.getArray("api/queues/" + queue + "/tasks?state=scheduled")),
                    "by due time");
            assertEquals(List.of(), ids(admin.getArray("api/queues/" + queue + "/tasks?state=running")));
        } finally {
            for (String id : queued) {
                anonymous.delete("api/tasks/" + id);
            }
            for (String id : scheduled) {
                anonymous.delete("api/tasks/" + id);
            }
        }
    }

    @Test
    void aQueueConcurrencyLimitHoldsAndClearingItLetsMoreRun() throws Exception {
        try {
            JsonObject limited = admin.object(admin.put("api/queues/" + QUEUE + "/concurrency", "{\"limit\":2}"), 200);
            assertEquals(2, limited.getInt("concurrencyLimit"), () -> "limit: " + limited);
            // Six tasks, eight free workers: never more than two at once, and two at once.
            List<String> ids = submitSleeps(6, 1_000);
            List<String> running = await("two tasks running")
                    .atMost(ItSupport.TIMEOUT)
                    .until(
                            () -> ids(admin.getArray("api/queues/" + QUEUE + "/tasks?state=running")),
                            r -> r.size() == 2);
            assertTrue(ids.containsAll(running), () -> "running: " + running);
            assertEquals(2, ItSupport.maxOverlap(awaitAll(ids, "succeeded")), "at most the limit at once");

            JsonObject cleared =
                    admin.object(admin.put("api/queues/" + QUEUE + "/concurrency", "{\"limit\":null}"), 200);
            assertTrue(cleared.isNull("concurrencyLimit"), () -> "cleared: " + cleared);
            List<String> more = submitSleeps(4, 1_000);
            assertEquals(
                    4, ItSupport.maxOverlap(awaitAll(more, "succeeded")), "without the limit all four run at once");
        } finally {
            admin.put("api/queues/" + QUEUE + "/concurrency", "{\"limit\":null}");
        }
        String queue = "admin-it-limit";
        // Operations act on queues that exist: one is made by its first task.
        anonymous.object(anonymous.post("api/tasks", "{\"type\":\"noop\",\"queue\":\"" + queue + "\"}"), 201);
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
        JsonObject node = await("this server's heartbeat")
                .atMost(ItSupport.TIMEOUT)
                .until(
                        () -> admin.getArray("api/servers").stream()
                                .map(JsonValue::asJsonObject)
                                .filter(n -> nodeId.equals(n.getString("nodeId")))
                                .findFirst()
                                .orElse(null),
                        n -> n != null);
        for (String field : new String[] {
            "queues", "concurrency", "maxConcurrency", "busy", "paused", "completed", "failed", "startedAt", "lastSeen"
        }) {
            assertTrue(node.containsKey(field), () -> field + " missing: " + node);
        }
        try {
            JsonObject changed = admin.object(admin.put("api/servers/local/concurrency", "{\"concurrency\":3}"), 200);
            assertEquals(3, changed.getInt("concurrency"), () -> "local concurrency: " + changed);
            assertEquals(
                    3, ItSupport.maxOverlap(awaitAll(submitSleeps(6, 1_000), "succeeded")), "three at once, no more");

            JsonObject byId =
                    admin.object(admin.put("api/servers/" + nodeId + "/concurrency", "{\"concurrency\":2}"), 200);
            assertEquals(2, byId.getInt("concurrency"), () -> "concurrency by node id: " + byId);
            assertEquals(
                    2, ItSupport.maxOverlap(awaitAll(submitSleeps(4, 1_000), "succeeded")), "two at once, no more");

            String tooMany = assertBadRequest(
                    admin.put("api/servers/local/concurrency", "{\"concurrency\":" + (max + 1) + "}"), "concurrency");
            assertTrue(tooMany.contains(String.valueOf(max)), () -> "the error does not give the maximum: " + tooMany);
            assertEquals(
                    2, admin.getObject("api/servers/local").getInt("concurrency"), "a refused change changes nothing");
            assertBadRequest(admin.put("api/servers/no-such-server/concurrency", "{\"concurrency\":1}"), "nodeId");

            JsonObject paused = admin.object(admin.post("api/servers/local/pause", ""), 200);
            assertTrue(paused.getBoolean("paused"), () -> "pause: " + paused);
            String waiting = submit("{\"type\":\"noop\"}");
            ItSupport.awaitFetcherRounds(anonymous, 3);
            assertEquals(
                    "queued",
                    anonymous.getObject("api/tasks/" + waiting).getString("state"),
                    "this server's paused workers took nothing");
            JsonObject resumed = admin.object(admin.post("api/servers/local/resume", ""), 200);
            assertFalse(resumed.getBoolean("paused"), () -> "resume: " + resumed);
            awaitState(waiting, "succeeded");
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
            await("the task API to require a login")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> anonymous.post("api/tasks", task).statusCode() == 401);
            assertEquals(
                    401,
                    anonymous
                            .get("api/tasks/" + QUEUE + ":00000000000000000000000000")
                            .statusCode());
            String id = submitter.object(submitter.post("api/tasks", task), 201).getString("id");
            assertEquals(200, submitter.get("api/tasks/" + id).statusCode());
            String adminsTask = admin.object(admin.post("api/tasks", task), 201).getString("id");
            // Tasks belong to who submitted them: a submitter sees and cancels only its own.
            assertEquals(404, submitter.get("api/tasks/" + adminsTask).statusCode(), "a submitter saw another's task");
            assertEquals(
                    404,
                    submitter.delete("api/tasks/" + adminsTask).statusCode(),
                    "a submitter cancelled another's task");
            JsonObject own = submitter.object(submitter.get("api/tasks/" + id), 200);
            assertEquals(ItSupport.submitter().user(), own.getString("submittedBy", null), own::toString);
            assertEquals(200, admin.get("api/tasks/" + id).statusCode(), "an admin sees every task");
        } finally {
            Files.deleteIfExists(file);
            await("the task API to be open again")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> anonymous.post("api/tasks", task).statusCode() == 201);
        }
    }

    private JsonObject deadTask(String id) throws Exception {
        JsonArray dead = admin.getArray("api/queues/" + QUEUE + "/dead?offset=0&limit=1000");
        return dead.stream()
                .map(JsonValue::asJsonObject)
                .filter(t -> id.equals(t.getString("id")))
                .findFirst()
                .orElse(null);
    }

    private JsonObject awaitState(String id, String state) {
        return await("task " + id + " to be " + state)
                .atMost(ItSupport.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> anonymous.getObject("api/tasks/" + id), t -> state.equals(t.getString("state")));
    }

    private List<JsonObject> awaitAll(List<String> ids, String state) {
        List<JsonObject> out = new ArrayList<>();
        for (String id : ids) {
            out.add(awaitState(id, state));
        }
        return out;
    }

    private String submit(String body) throws Exception {
        return anonymous.object(anonymous.post("api/tasks", body), 201).getString("id");
    }

    /** {@code n} sleep tasks of {@code ms} each, in "default". */
    private List<String> submitSleeps(int n, long ms) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + "}}"));
        }
        return ids;
    }

    /** A task that fails every attempt until {@code file} exists, with {@code maxAttempts}. */
    private String submitFailingUntil(Path file, int maxAttempts) throws Exception {
        return submit("{\"type\":\"" + FailUntilFileHandler.TYPE + "\",\"payload\":{\"file\":\""
                + file.toString().replace("\\", "\\\\") + "\"},\"maxAttempts\":" + maxAttempts + "}");
    }

    private static List<String> ids(JsonArray tasks) {
        return tasks.stream().map(v -> v.asJsonObject().getString("id")).toList();
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
