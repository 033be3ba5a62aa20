package io.redtask.it;

import jakarta.json.JsonArray;
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
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/batches} and {@code GET /api/batches/{id}} as DESIGN.md writes them, against
 * the real war and the demo handlers: the counts, the callback run once with the summary in its
 * payload, a thousand tasks in one body, refusals naming the field, the operators' list and the
 * batch gauges at {@code /metrics}.
 */
@ExtendWith(ArquillianExtension.class)
class BatchesRestIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("batches-rest-it");
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client http;
    private ItSupport.Client admin;

    @BeforeEach
    void clients() {
        http = new ItSupport.Client(Deployments.webRoot(base), null);
        admin = http.as(ItSupport.admin());
    }

    @Test
    void aBatchCountsItsTasksAndRunsItsCallbackOnceWithTheSummary() throws Exception {
        double doneBefore = gauge("redtask_batches_done");
        String tasks = IntStream.range(0, 20)
                .mapToObj(i -> i < 2
                        ? "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"
                        : "{\"type\":\"echo\",\"payload\":" + i + "}")
                .collect(Collectors.joining(",", "[", "]"));
        HttpResponse<String> created = http.post(
                "api/batches",
                "{\"tasks\":" + tasks + ",\"onComplete\":{\"type\":\"echo\",\"payload\":{\"note\":\"all sent\"}}}");
        JsonObject receipt = http.object(created, 201);
        String id = receipt.getString("id");
        assertTrue(created.headers().firstValue("Location").orElse("").endsWith("/api/batches/" + id));
        assertEquals(20, receipt.getJsonArray("tasks").size());
        String callback = receipt.getString("onComplete");

        JsonObject done = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> http.getObject("api/batches/" + id),
                        b -> b.getString("state").equals("done"));
        assertEquals(20, done.getInt("total"));
        assertEquals(0, done.getInt("pending"));
        assertEquals(18, done.getInt("succeeded"));
        assertEquals(2, done.getInt("dead"));
        assertEquals(0, done.getInt("cancelled"));
        assertEquals(callback, done.getString("onComplete"));

        JsonObject ran = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> http.getObject("api/tasks/" + callback),
                        t -> t.getString("state").equals("succeeded"));
        assertEquals(1, ran.getInt("attempts"), "the callback ran once");
        JsonObject result = ran.getJsonObject("result");
        assertEquals("all sent", result.getString("note"), "its own payload is kept");
        JsonObject summary = result.getJsonObject("batch");
        assertEquals(id, summary.getString("id"));
        assertEquals(
                List.of(20, 18, 2, 0),
                List.of(
                        summary.getInt("total"),
                        summary.getInt("succeeded"),
                        summary.getInt("dead"),
                        summary.getInt("cancelled")));

        // Operators see it among the queue's batches, and the gauge counts it.
        JsonObject list = admin.getObject("api/batches?queue=default&limit=1000");
        assertTrue(
                list.getJsonArray("done").stream()
                        .anyMatch(b -> b.asJsonObject().getString("id").equals(id)),
                list::toString);
        assertEquals(401, http.get("api/batches?queue=default").statusCode(), "the list needs the admin role");
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("redtask_batches_done") >= doneBefore + 1);
    }

    @Test
    void aThousandTasksFitInOneBodyAndEnd() throws Exception {
        String tasks = IntStream.range(0, 1_000)
                .mapToObj(i -> "{\"type\":\"noop\",\"payload\":{\"n\":" + i + ",\"pad\":\"" + "x".repeat(200) + "\"}}")
                .collect(Collectors.joining(",", "[", "]"));
        JsonObject receipt = http.object(http.post("api/batches", "{\"tasks\":" + tasks + "}"), 201);
        assertEquals(1_000, receipt.getJsonArray("tasks").size());
        assertTrue(receipt.isNull("onComplete"));
        String id = receipt.getString("id");
        JsonObject running = http.getObject("api/batches/" + id);
        assertEquals(1_000, running.getInt("total"));
        assertEquals(
                1_000,
                running.getInt("pending")
                        + running.getInt("succeeded")
                        + running.getInt("dead")
                        + running.getInt("cancelled"));
        JsonObject done = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> http.getObject("api/batches/" + id),
                        b -> b.getString("state").equals("done"));
        assertEquals(1_000, done.getInt("succeeded"));
        assertTrue(done.isNull("onComplete"));
    }

    @Test
    void aCancelledTaskEndsItsBatch() throws Exception {
        JsonObject receipt = http.object(
                http.post(
                        "api/batches",
                        "{\"tasks\":[{\"type\":\"echo\",\"payload\":1,\"delay\":\"PT1H\"}],"
                                + "\"onComplete\":{\"type\":\"echo\"}}"),
                201);
        String id = receipt.getString("id");
        JsonArray ids = receipt.getJsonArray("tasks");
        assertEquals("running", http.getObject("api/batches/" + id).getString("state"));
        assertEquals(
                "scheduled",
                http.getObject("api/tasks/" + receipt.getString("onComplete")).getString("state"),
                "the callback waits for the batch");
        assertEquals(200, http.delete("api/tasks/" + ids.getString(0)).statusCode());
        JsonObject done = http.getObject("api/batches/" + id);
        assertEquals("done", done.getString("state"));
        assertEquals(1, done.getInt("cancelled"));
        JsonObject ran = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> http.getObject("api/tasks/" + receipt.getString("onComplete")),
                        t -> t.getString("state").equals("succeeded"));
        assertEquals(1, ran.getJsonObject("result").getJsonObject("batch").getInt("cancelled"));
    }

    @Test
    void badBatchesAreRefusedNamingTheFieldAndUnknownOnesAreNotFound() throws Exception {
        assertField(http.post("api/batches", "{\"tasks\":[]}"), "tasks");
        assertField(http.post("api/batches", "{\"onComplete\":{\"type\":\"echo\"}}"), "tasks");
        assertField(http.post("api/batches", "{\"tasks\":[{\"type\":\"echo\"}],\"then\":1}"), "then");
        assertField(http.post("api/batches", "{\"tasks\":[{\"type\":\"echo\"},{\"type\":\"nope\"}]}"), "tasks[1].type");
        assertField(http.post("api/batches", "{\"tasks\":[{\"type\":\"echo\",\"delay\":\"soon\"}]}"), "tasks[0].delay");
        assertField(
                http.post("api/batches", "{\"tasks\":[{\"type\":\"echo\",\"idempotencyKey\":\"k\"}]}"),
                "tasks[0].idempotencyKey");
        assertField(
                http.post(
                        "api/batches",
                        "{\"tasks\":[{\"type\":\"echo\"}],\"onComplete\":{\"type\":\"echo\",\"payload\":[1]}}"),
                "onComplete.payload");
        assertField(
                http.post("api/batches", "{\"tasks\":[{\"type\":\"echo\",\"priority\":1000}]}"), "tasks[0].priority");
        assertEquals(404, http.get("api/batches/default:NOSUCHBATCH").statusCode());
        assertEquals(404, http.get("api/batches/not-an-id").statusCode());
    }

    @Test
    void withSecureTasksABatchNeedsTheSubmitterRoleAndIsSeenOnlyByItsSubmitter() throws Exception {
        ItSupport.Client submitter = http.as(ItSupport.submitter());
        Path dropins = Paths.get(System.getProperty("redtask.it.server.dir"), "configDropins", "overrides");
        Path file = dropins.resolve("batches-it-secure-tasks.xml");
        Files.createDirectories(dropins);
        String batch = "{\"tasks\":[{\"type\":\"noop\"}]}";
        try {
            Files.writeString(file, "<server><variable name=\"redtask.rest.secure-tasks\" value=\"true\"/></server>");
            await("the batch API to require a login")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> http.post("api/batches", batch).statusCode() == 401);
            String own =
                    submitter.object(submitter.post("api/batches", batch), 201).getString("id");
            assertEquals(200, submitter.get("api/batches/" + own).statusCode());
            assertEquals(401, http.get("api/batches/" + own).statusCode());
            String admins = admin.object(admin.post("api/batches", batch), 201).getString("id");
            assertEquals(404, submitter.get("api/batches/" + admins).statusCode(), "a submitter saw another's batch");
            assertEquals(200, admin.get("api/batches/" + own).statusCode(), "an admin sees every batch");
            assertEquals(403, submitter.get("api/batches?queue=default").statusCode(), "the list is the admin's");
        } finally {
            Files.deleteIfExists(file);
            await("the batch API to be open again")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> http.post("api/batches", batch).statusCode() == 201);
        }
    }

    private void assertField(HttpResponse<String> response, String field) {
        JsonObject error = http.object(response, 400);
        assertEquals(field, error.getString("field", null), response::body);
        assertTrue(!error.getString("error").isBlank());
    }

    /** A batch gauge of queue default, 0 before it exists. */
    private double gauge(String name) throws Exception {
        HttpResponse<String> r = http.get("metrics?scope=application");
        assertEquals(200, r.statusCode(), r::body);
        for (String line : r.body().lines().toList()) {
            if (line.startsWith(name + "{") && line.contains("queue=\"default\"")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                return Double.isNaN(v) ? 0 : v;
            }
        }
        return 0;
    }
}
