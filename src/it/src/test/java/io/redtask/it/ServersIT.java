package io.redtask.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three RedTask applications on the test server, each its own RedTask "server" on the same Redis
 * (its own node id and queues, from the application's META-INF/microprofile-config.properties):
 * <ul>
 *   <li>{@code main}: the real war at "/", whose REST API the test drives, serving "default";</li>
 *   <li>{@code other}: serves queues of its own, with {@code redtask.workers.executor},
 *       {@code redtask.housekeeping.thread-factory} and {@code redtask.housekeeping.executor} naming
 *       resources that do not exist (so it runs on the default executors), and a schedule declared
 *       in code;</li>
 *   <li>{@code submit-only}: {@code redtask.workers.enabled=false}; it submits one task at start.</li>
 * </ul>
 */
@ExtendWith(ArquillianExtension.class)
class ServersIT {

    private static final String OTHER_NODE = "it-other";
    private static final String OTHER_QUEUE = "it-other";
    private static final String SUBMIT_ONLY_NODE = "it-submit-only";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Deployment(name = "main", order = 1, testable = false)
    static EnterpriseArchive main() {
        WebArchive war = ShrinkWrap.createFromZipFile(WebArchive.class, Deployments.webWar())
                .addClasses(OtherServerWork.class);
        return Deployments.ear("servers-main-it", war, "/");
    }

    @Deployment(name = "other", order = 2, testable = false)
    static EnterpriseArchive other() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "other.war")
                .addClasses(OtherServerWork.class, YearlyReport.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(
                        new StringAsset("""
                        redtask.node-id=%s
                        redtask.queues=%s,%s
                        redtask.workers.concurrency=2
                        redtask.queue.%s.concurrency=1
                        redtask.workers.executor=concurrent/it-no-such-workers
                        redtask.housekeeping.thread-factory=concurrent/it-no-such-threads
                        redtask.housekeeping.executor=concurrent/it-no-such-scheduler
                        """.formatted(OTHER_NODE, OTHER_QUEUE, SubmitAtStartup.QUEUE, OTHER_QUEUE)),
                        "META-INF/microprofile-config.properties");
        return Deployments.ear("servers-other-it", war, "/other");
    }

    @Deployment(name = "submit-only", order = 3, testable = false)
    static EnterpriseArchive submitOnly() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "submit-only.war")
                .addClasses(OtherServerWork.class, SubmitAtStartup.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(
                        new StringAsset("""
                        redtask.node-id=%s
                        redtask.queues=it-submit-only
                        redtask.workers.enabled=false
                        """.formatted(SUBMIT_ONLY_NODE)), "META-INF/microprofile-config.properties");
        return Deployments.ear("servers-submit-only-it", war, "/submit-only");
    }

    @ArquillianResource
    @OperateOnDeployment("main")
    URL base;

    private ItSupport.Client admin;

    @BeforeEach
    void client() {
        admin = new ItSupport.Client(base, ItSupport.admin());
    }

    private Optional<JsonObject> server(String nodeId) throws Exception {
        return admin.getArray("api/servers").stream()
                .map(JsonValue::asJsonObject)
                .filter(n -> nodeId.equals(n.getString("nodeId")))
                .findFirst();
    }

    private JsonObject awaitServer(String nodeId, int concurrency) {
        return await("server " + nodeId + " with concurrency " + concurrency)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> server(nodeId).orElse(null), n -> n != null && n.getInt("concurrency") == concurrency);
    }

    private static String messagesLog() throws Exception {
        return Files.readString(Paths.get(System.getProperty("redtask.it.server.dir"), "logs", "messages.log"));
    }

    @Test
    void anotherServersConcurrencyIsAcceptedAndAppliedAtItsNextHeartbeat() throws Exception {
        JsonObject other = awaitServer(OTHER_NODE, 2);
        assertEquals(
                List.of(OTHER_QUEUE, SubmitAtStartup.QUEUE),
                other.getJsonArray("queues").getValuesAs(jakarta.json.JsonString.class).stream()
                        .map(jakarta.json.JsonString::getString)
                        .toList());
        int max = other.getInt("maxConcurrency");
        try {
            JsonObject accepted =
                    admin.object(admin.put("api/servers/" + OTHER_NODE + "/concurrency", "{\"concurrency\":3}"), 202);
            assertEquals(OTHER_NODE, accepted.getString("nodeId"));
            assertEquals(3, accepted.getInt("concurrency"));
            assertFalse(accepted.getBoolean("applied"), accepted::toString);
            // Its next heartbeat (every second) applies it and reports it.
            awaitServer(OTHER_NODE, 3);

            JsonObject tooMany = admin.object(
                    admin.put("api/servers/" + OTHER_NODE + "/concurrency", "{\"concurrency\":" + (max + 1) + "}"),
                    400);
            assertEquals("concurrency", tooMany.getString("field"));
            assertTrue(tooMany.getString("error").contains(String.valueOf(max)), tooMany::toString);
        } finally {
            admin.put("api/servers/" + OTHER_NODE + "/concurrency", "{\"concurrency\":2}");
        }
        awaitServer(OTHER_NODE, 2);
    }

    /** redtask.queue.&lt;name&gt;.concurrency: set for the whole cluster when a server that serves the queue starts. */
    @Test
    void aQueueLimitFromTheConfigurationIsSetAtStart() throws Exception {
        awaitServer(OTHER_NODE, 2);
        JsonObject queue = admin.getObject("api/queues/" + OTHER_QUEUE);
        assertEquals(1, queue.getInt("concurrencyLimit"), queue::toString);
        assertTrue(admin.getObject("api/queues/" + SubmitAtStartup.QUEUE).isNull("concurrencyLimit"));
    }

    @Test
    void aServerWithoutItsExecutorsWarnsAndRunsTasksOnTheDefaultOnes() throws Exception {
        awaitServer(OTHER_NODE, 2);
        String log = messagesLog();
        assertTrue(
                log.contains("no ManagedExecutorService at 'concurrent/it-no-such-workers'")
                        && log.contains("using java:comp/DefaultManagedExecutorService"),
                "no warning about the worker executor");
        assertTrue(
                log.contains("no ManagedThreadFactory at 'concurrent/it-no-such-threads'"),
                "no warning about the housekeeping thread factory");
        assertTrue(
                log.contains("no ManagedScheduledExecutorService at 'concurrent/it-no-such-scheduler'")
                        && log.contains("using java:comp/DefaultManagedScheduledExecutorService"),
                "no warning about the housekeeping executor");
        // Only the other server serves this queue: it runs the task, on the default executor.
        String id = admin.object(
                        admin.post(
                                "api/tasks",
                                "{\"type\":\"" + OtherServerWork.TYPE + "\",\"queue\":\"" + OTHER_QUEUE + "\"}"),
                        201)
                .getString("id");
        JsonObject done = await("the other server runs " + id)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admin.getObject("api/tasks/" + id), t -> "succeeded".equals(t.getString("state")));
        assertEquals(OTHER_QUEUE, done.getJsonObject("result").getString("queue"), done::toString);
    }

    @Test
    void aServerWithWorkersDisabledSubmitsAndRunsNothing() throws Exception {
        // Its tasks went to a queue the other server serves, which ran it.
        await("the submit-only server's task done")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("api/queues/" + SubmitAtStartup.QUEUE).statusCode() == 200
                        && admin.getObject("api/queues/" + SubmitAtStartup.QUEUE)
                                        .getInt("completed")
                                == 1);
        // It has started (the log says so) and sends no heartbeat: it takes no tasks.
        await("the submit-only server started")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> messagesLog().contains("workers disabled on this server (redtask.workers.enabled=false)"));
        awaitServer(OTHER_NODE, 2);
        assertTrue(
                server(SUBMIT_ONLY_NODE).isEmpty(), "a server with workers disabled is not among the working servers");
        // Nor does it announce its redtask.queues as served: a queue appears when a server takes from it.
        assertEquals(404, admin.get("api/queues/it-submit-only").statusCode());
    }

    @Test
    void aScheduleDeclaredInCodeIsListedAndCanBeDeleted() throws Exception {
        try {
            JsonObject schedule = await("the @Recurring schedule of the other application")
                    .atMost(TIMEOUT)
                    .until(
                            () -> admin.getArray("api/schedules").stream()
                                    .map(JsonValue::asJsonObject)
                                    .filter(s -> YearlyReport.SCHEDULE.equals(s.getString("name")))
                                    .findFirst()
                                    .orElse(null),
                            s -> s != null);
            assertEquals("0 0 1 1 *", schedule.getString("cron"));
            assertEquals("UTC", schedule.getString("zone"));
            assertEquals(YearlyReport.TYPE, schedule.getString("type"));
            assertEquals("pdf", schedule.getJsonObject("payload").getString("format"));
            int nextYear = java.time.Year.now(java.time.ZoneOffset.UTC).getValue() + 1;
            assertEquals(nextYear + "-01-01T00:00:00.000Z", schedule.getString("nextFireAt"));

            assertEquals(
                    403,
                    admin.as(ItSupport.submitter())
                            .delete("api/schedules/" + YearlyReport.SCHEDULE)
                            .statusCode());
            JsonObject deleted = admin.object(admin.delete("api/schedules/" + YearlyReport.SCHEDULE), 200);
            assertEquals(YearlyReport.SCHEDULE, deleted.getString("name"));
            assertTrue(deleted.getBoolean("deleted"));
            assertTrue(
                    admin.getArray("api/schedules").stream()
                            .noneMatch(s -> YearlyReport.SCHEDULE.equals(
                                    s.asJsonObject().getString("name"))),
                    "still listed");
            admin.object(admin.delete("api/schedules/" + YearlyReport.SCHEDULE), 404);
        } finally {
            admin.delete("api/schedules/" + YearlyReport.SCHEDULE);
        }
    }
}
