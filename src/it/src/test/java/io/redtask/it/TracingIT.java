package io.redtask.it;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks in traces on the real server (mpTelemetry-2.0), with this application's OpenTelemetry SDK
 * on and exporting to a Zipkin endpoint of this test's own, which keeps every span it receives:
 * a {@code traceparent} on {@code POST /api/tasks} puts the task in that trace ({@code "traceId"}),
 * and the worker's span {@code redtask.run <type>} is in the same trace, a child of the request's
 * span, with the task's id, queue, attempt and outcome; a failed attempt's span has status ERROR.
 */
@ExtendWith(ArquillianExtension.class)
class TracingIT {

    /** Spans as Zipkin v2 JSON, as the server exported them. */
    private static final List<JsonObject> SPANS = new CopyOnWriteArrayList<>();

    private static final HttpServer ZIPKIN = zipkin();

    private static HttpServer zipkin() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/v2/spans", exchange -> {
                try (InputStream raw = exchange.getRequestBody()) {
                    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
                    InputStream in = "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(raw) : raw;
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    try (JsonReader r = Json.createReader(new StringReader(body))) {
                        r.readArray().forEach(v -> SPANS.add(v.asJsonObject()));
                    }
                }
                exchange.sendResponseHeaders(202, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopZipkin() {
        ZIPKIN.stop(0);
    }

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        // This application's own SDK (mpTelemetry-2.0 reads otel.* through MicroProfile Config),
        // exporting at once rather than every 5 s.
        return Deployments.demoApplication(
                "tracing-it", """
                otel.sdk.disabled=false
                otel.service.name=redtask-tracing-it
                otel.traces.exporter=zipkin
                otel.exporter.zipkin.endpoint=http://127.0.0.1:%d/api/v2/spans
                otel.metrics.exporter=none
                otel.logs.exporter=none
                otel.bsp.schedule.delay=100
                """.formatted(ZIPKIN.getAddress().getPort()));
    }

    @ArquillianResource
    URL injected;

    private ItSupport.Client rest;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void client() {
        rest = new ItSupport.Client(Deployments.webRoot(injected), null);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** POST /api/tasks with a traceparent header; returns the new task's id. */
    private String submit(String body, String traceparent) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(rest.uri("api/tasks"))
                .timeout(ItSupport.TIMEOUT)
                .header("Content-Type", "application/json")
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return rest.object(r, 201).getString("id");
    }

    private JsonObject awaitTask(String id, String state) {
        return await("task " + id + " " + state)
                .atMost(Duration.ofSeconds(30))
                .until(() -> rest.getObject("api/tasks/" + id), t -> state.equals(t.getString("state")));
    }

    private static JsonObject awaitRunSpan(String taskId, String outcome) {
        return await("the worker's span of " + taskId + " (" + outcome + ")")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> SPANS.stream()
                                .filter(s -> taskId.equals(tag(s, "redtask.task.id")))
                                .filter(s -> outcome.equals(tag(s, "redtask.outcome")))
                                .findFirst()
                                .orElse(null),
                        s -> s != null);
    }

    private static String tag(JsonObject span, String name) {
        JsonObject tags = span.getJsonObject("tags");
        return tags == null || !tags.containsKey(name) ? null : tags.getString(name);
    }

    @Test
    void aTraceparentPutsTheTaskAndTheWorkersSpanInThatTrace() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);
        String id =
                submit("{\"type\":\"echo\",\"payload\":{\"traced\":true}}", "00-" + traceId + "-" + callerSpan + "-01");

        JsonObject task = awaitTask(id, "succeeded");
        assertEquals(traceId, task.getString("traceId"), task::toString);

        JsonObject run = awaitRunSpan(id, "succeeded");
        assertEquals("redtask.run echo", run.getString("name").toLowerCase(Locale.ROOT), run::toString);
        assertEquals("CONSUMER", run.getString("kind"), run::toString);
        assertEquals(traceId, run.getString("traceId"), "the worker's span is in the caller's trace");
        assertEquals("default", tag(run, "redtask.queue"));
        assertEquals("1", tag(run, "redtask.attempt"));
        // Its parent is the span of the request that submitted it, itself a child of the caller's.
        String parent = run.getString("parentId");
        JsonObject request = await("the request's span")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> SPANS.stream()
                                .filter(s -> parent.equals(s.getString("id")))
                                .findFirst()
                                .orElse(null),
                        s -> s != null);
        assertEquals("SERVER", request.getString("kind"), request::toString);
        assertEquals(traceId, request.getString("traceId"));
        assertEquals(callerSpan, request.getString("parentId"), "the request's span continues the caller's");
        assertTrue(request.getString("name").toUpperCase(Locale.ROOT).contains("POST"), request::toString);
    }

    @Test
    void aFailedAttemptsSpanHasStatusErrorAndTheOutcome() throws Exception {
        String traceId = hex(16);
        String id = submit(
                "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}",
                "00-" + traceId + "-" + hex(8) + "-01");
        JsonObject task = awaitTask(id, "dead");
        assertEquals(traceId, task.getString("traceId"));
        JsonObject run = awaitRunSpan(id, "dead");
        assertEquals(traceId, run.getString("traceId"));
        assertEquals("ERROR", tag(run, "otel.status_code"), run::toString);
        assertTrue(tag(run, "error") != null && !tag(run, "error").isBlank(), run::toString);
    }

    @Test
    void aTaskSubmittedWithoutATraceparentIsInTheRequestsOwnTrace() throws Exception {
        String id =
                rest.object(rest.post("api/tasks", "{\"type\":\"noop\"}"), 201).getString("id");
        JsonObject task = awaitTask(id, "succeeded");
        String traceId = task.getString("traceId");
        assertTrue(traceId.matches("[0-9a-f]{32}"), task::toString);
        assertEquals(traceId, awaitRunSpan(id, "succeeded").getString("traceId"));
        assertEquals(JsonValue.ValueType.STRING, task.get("traceId").getValueType());
    }
}
