package io.redtask.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client side: the real web war (REST API) at context root "/" and the demo handlers' war, in an
 * EAR laid out like src/ear's, driven over HTTP as scripts and the acceptance tests do.
 */
@ExtendWith(ArquillianExtension.class)
class TasksRestIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("tasks-rest-it");
    }

    @ArquillianResource
    URL base;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private URI uri(String path) {
        String root = Deployments.webRoot(base).toExternalForm();
        return URI.create(root.endsWith("/") ? root : root + "/").resolve(path);
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonObject json(HttpResponse<String> response) {
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readValue().asJsonObject();
        } catch (RuntimeException e) {
            throw new AssertionError("not a JSON object (HTTP " + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** The body of an error response: 400, JSON, with an "error" message. */
    private static String assertBadRequest(HttpResponse<String> response) {
        assertEquals(400, response.statusCode(), () -> "expected 400, body: " + response.body());
        String error = json(response).getString("error", null);
        assertNotNull(error, () -> "no \"error\" in " + response.body());
        assertFalse(error.isBlank(), "empty error message");
        assertFalse(
                response.body().contains("at io.") || response.body().contains("Exception:"),
                () -> "error leaks a stack trace: " + response.body());
        return error;
    }

    @Test
    void anEchoTaskIsCreatedRunAndItsResultKept() throws Exception {
        HttpResponse<String> created = post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"x\":1}}");
        assertEquals(201, created.statusCode(), () -> "POST /api/tasks: " + created.body());
        JsonObject task = json(created);
        String id = task.getString("id", null);
        assertNotNull(id, () -> "no id in " + created.body());
        assertEquals("queued", task.getString("state", null), () -> "state in " + created.body());
        assertEquals(java.util.Set.of("id", "state"), task.keySet(), () -> "the README's answer: " + created.body());
        assertTrue(
                created.headers().firstValue("Location").orElse("").endsWith("/api/tasks/" + id),
                () -> "Location: " + created.headers().map());

        JsonObject done = await("task " + id + " to succeed")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("api/tasks/" + id)), t -> isFinal(t.getString("state", "")));
        assertEquals("succeeded", done.getString("state"), () -> "task: " + done);
        assertEquals(id, done.getString("id"));
        assertEquals("echo", done.getString("type", null), () -> "task: " + done);

        // The README's shape: the result is the handler's JSON, embedded as an object (not a string).
        assertEquals(JsonValue.ValueType.OBJECT, done.get("result").getValueType(), () -> "result: " + done);
        JsonObject result = done.getJsonObject("result");
        assertEquals(1, result.size(), () -> "result: " + result);
        assertEquals(1, result.getJsonNumber("x").intValueExact(), () -> "result: " + result);
        assertEquals(
                java.util.Set.of(
                        "id",
                        "type",
                        "queue",
                        "state",
                        "attempts",
                        "maxAttempts",
                        "result",
                        "error",
                        "createdAt",
                        "startedAt",
                        "finishedAt",
                        "priority",
                        "runAt",
                        "timeout",
                        "idempotencyKey"),
                done.keySet(),
                () -> "the fields of the README's task JSON: " + done);
        assertEquals("default", done.getString("queue"));
        assertEquals(1, done.getInt("attempts"));
        assertEquals(3, done.getInt("maxAttempts"));
        assertTrue(done.isNull("error") && done.isNull("timeout") && done.isNull("idempotencyKey"), done::toString);
        assertEquals(0, done.getInt("priority"));
        for (String time : new String[] {"createdAt", "startedAt", "finishedAt", "runAt"}) {
            String text = done.getString(time);
            assertTrue(
                    text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                    () -> time + " is not an instant with milliseconds: " + text);
        }
        java.time.Instant createdAt = java.time.Instant.parse(done.getString("createdAt"));
        java.time.Instant started = java.time.Instant.parse(done.getString("startedAt"));
        java.time.Instant finished = java.time.Instant.parse(done.getString("finishedAt"));
        assertTrue(!started.isBefore(createdAt) && !finished.isBefore(started), done::toString);
        assertEquals(createdAt, java.time.Instant.parse(done.getString("runAt")), "due when submitted");
    }

    @Test
    void resultsOfEveryJsonShapeAreEmbeddedAsJson() throws Exception {
        for (String payload : new String[] {"[1,\"two\",{\"three\":3}]", "\"text\"", "42", "true", "null"}) {
            String id = json(post("api/tasks", "{\"type\":\"echo\",\"payload\":" + payload + "}"))
                    .getString("id");
            JsonObject done = await("task " + id)
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> json(get("api/tasks/" + id)), t -> isFinal(t.getString("state", "")));
            assertEquals("succeeded", done.getString("state"), done::toString);
            try (JsonReader reader = Json.createReader(new StringReader(payload))) {
                assertEquals(reader.readValue(), done.get("result"), () -> "echo of " + payload + ": " + done);
            }
        }
    }

    /** A running task cancelled over REST: its handler is interrupted and nothing it returns is recorded. */
    @Test
    void aRunningTaskIsCancelled() throws Exception {
        String id = json(post("api/tasks", "{\"type\":\"sleep\",\"payload\":{\"ms\":60000}}"))
                .getString("id");
        await("task " + id + " running")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("api/tasks/" + id)).getString("state", ""), "running"::equals);
        HttpResponse<String> cancelled = delete("api/tasks/" + id);
        assertEquals(200, cancelled.statusCode(), cancelled::body);
        assertEquals("cancelled", json(cancelled).getString("state"), cancelled::body);
        JsonObject task = json(get("api/tasks/" + id));
        assertEquals("cancelled", task.getString("state"));
        assertTrue(task.isNull("result"), () -> "a cancelled task has no result: " + task);
        assertEquals(1, task.getInt("attempts"));
        // The handler was interrupted: its worker is free long before the minute it meant to sleep.
        ItSupport.Client admin = new ItSupport.Client(Deployments.webRoot(base), ItSupport.admin());
        await("the worker freed")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> admin.getObject("api/servers/local").getInt("busy") == 0
                        && admin.getObject("api/queues/default").getInt("running") == 0);
        assertEquals("cancelled", json(get("api/tasks/" + id)).getString("state"), "nothing recorded after the cancel");
        assertEquals(409, delete("api/tasks/" + id).statusCode(), "cancelled is final");
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheType() throws Exception {
        String error = assertBadRequest(post("api/tasks", "{\"type\":\"nope\",\"payload\":{}}"));
        assertTrue(error.contains("nope"), () -> "error does not name the type: " + error);
        assertTrue(
                error.contains("known types: [") && error.contains("echo"),
                () -> "error does not list the known types: " + error);
    }

    @Test
    void malformedJsonIsRefused() throws Exception {
        assertBadRequest(post("api/tasks", "{\"type\": \"echo\", \"payload\": "));
    }

    @Test
    void aTaskWithoutTypeIsRefused() throws Exception {
        String error = assertBadRequest(post("api/tasks", "{\"payload\":{\"x\":1}}"));
        assertTrue(error.contains("type"), () -> "error does not say the type is missing: " + error);
    }

    @Test
    void anUnknownIdIsNotFound() throws Exception {
        HttpResponse<String> response = get("api/tasks/does-not-exist");
        assertEquals(404, response.statusCode(), () -> "GET unknown id: " + response.body());
    }

    private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .DELETE()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void aDelayedTaskIsScheduledAndCanBeCancelled() throws Exception {
        HttpResponse<String> created = post("api/tasks", "{\"type\":\"echo\",\"payload\":{},\"delay\":\"PT1H\"}");
        assertEquals(201, created.statusCode(), created::body);
        JsonObject task = json(created);
        assertEquals("scheduled", task.getString("state"), () -> "POST with a delay: " + created.body());
        String id = task.getString("id");
        assertEquals("scheduled", json(get("api/tasks/" + id)).getString("state"));

        HttpResponse<String> cancelled = delete("api/tasks/" + id);
        assertEquals(200, cancelled.statusCode(), cancelled::body);
        assertEquals("cancelled", json(cancelled).getString("state"), cancelled::body);
        assertEquals("cancelled", json(get("api/tasks/" + id)).getString("state"));

        HttpResponse<String> again = delete("api/tasks/" + id);
        assertEquals(409, again.statusCode(), () -> "cancelling a cancelled task: " + again.body());
    }

    @Test
    void aFinishedTaskCannotBeCancelledAndAnUnknownOneIsNotFound() throws Exception {
        String id = json(post("api/tasks", "{\"type\":\"noop\"}")).getString("id");
        await("task " + id + " to succeed")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("api/tasks/" + id)).getString("state", ""), "succeeded"::equals);
        HttpResponse<String> finished = delete("api/tasks/" + id);
        assertEquals(409, finished.statusCode(), finished::body);
        assertTrue(json(finished).getString("error").contains("succeeded"), finished::body);

        HttpResponse<String> unknown = delete("api/tasks/default:00000000000000000000000000");
        assertEquals(404, unknown.statusCode(), unknown::body);
        assertNotNull(json(unknown).getString("error", null), unknown::body);
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameTask() throws Exception {
        String key = "rest-it-" + System.nanoTime();
        String body = "{\"type\":\"echo\",\"payload\":{\"k\":1},\"idempotencyKey\":\"" + key + "\"}";
        HttpResponse<String> first = post("api/tasks", body);
        HttpResponse<String> second = post("api/tasks", body);
        assertEquals(201, first.statusCode(), first::body);
        assertEquals(200, second.statusCode(), second::body);
        assertTrue(json(second).getBoolean("duplicate", false), second::body);
        assertEquals(json(first).getString("id"), json(second).getString("id"), "a second task was created");
        // The duplicate's answer shows the first task's state as it is now.
        String id = json(first).getString("id");
        await("task " + id + " to succeed")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> json(get("api/tasks/" + id)).getString("state", ""), "succeeded"::equals);
        HttpResponse<String> later = post("api/tasks", body);
        assertEquals(200, later.statusCode(), later::body);
        assertEquals(id, json(later).getString("id"));
        assertEquals("succeeded", json(later).getString("state"), later::body);

        // The key reused for another payload: 409 naming the first task, nothing stored.
        HttpResponse<String> other =
                post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"k\":2},\"idempotencyKey\":\"" + key + "\"}");
        assertEquals(409, other.statusCode(), other::body);
        assertEquals("idempotencyKey", json(other).getString("field", null), other::body);
        assertEquals(json(first).getString("id"), json(other).getString("id", null), other::body);
    }

    @Test
    void aPayloadTheHandlerCannotReadIsRefusedAtSubmit() throws Exception {
        HttpResponse<String> response = post("api/tasks", "{\"type\":\"sleep\",\"payload\":\"abc\"}");
        String error = assertBadRequest(response);
        assertEquals("payload", json(response).getString("field", null), response::body);
        assertTrue(error.contains("cannot be read as Payload"), () -> "unclear error: " + error);
    }

    @Test
    void aSleepOutOfRangeIsRefusedAtSubmitSayingWhy() throws Exception {
        for (String ms : new String[] {"999999", "-1"}) {
            HttpResponse<String> response = post("api/tasks", "{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + "}}");
            String error = assertBadRequest(response);
            assertEquals("payload", json(response).getString("field", null), response::body);
            assertTrue(
                    error.contains("ms must be between 0 and 60000 (milliseconds), was " + ms),
                    () -> "unclear error: " + error);
        }
        // The longest sleep is accepted; delayed and then cancelled so that it never holds a worker.
        HttpResponse<String> longest =
                post("api/tasks", "{\"type\":\"sleep\",\"payload\":{\"ms\":60000},\"delay\":\"PT1H\"}");
        assertEquals(201, longest.statusCode(), longest::body);
        assertEquals(200, delete("api/tasks/" + json(longest).getString("id")).statusCode());
    }

    @Test
    void aBadSchedulingFieldIsRefusedNamingTheField() throws Exception {
        HttpResponse<String> response = post("api/tasks", "{\"type\":\"echo\",\"payload\":{},\"delay\":\"soon\"}");
        String error = assertBadRequest(response);
        assertEquals("delay", json(response).getString("field", null), response::body);
        assertTrue(error.contains("delay"), () -> "error does not name the field: " + error);

        HttpResponse<String> runAt = post("api/tasks", "{\"type\":\"echo\",\"runAt\":\"tomorrow\"}");
        assertBadRequest(runAt);
        assertEquals("runAt", json(runAt).getString("field", null), runAt::body);
    }

    private static boolean isFinal(String state) {
        return state.equals("succeeded") || state.equals("dead") || state.equals("cancelled");
    }
}
