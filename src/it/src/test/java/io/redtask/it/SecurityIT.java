package io.redtask.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Secure by default" against the real war on the real server: authorization by the matched
 * resource whatever the URI looks like, cross-site and content-type refusals, size and range
 * limits (400 naming the field or 413, never 500), the queue allow-list, security headers on
 * every response, and Liberty's own error pages as JSON.
 */
@ExtendWith(ArquillianExtension.class)
class SecurityIT {

    private static final String QUEUE = "default";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("security-it");
    }

    @ArquillianResource
    URL injected;

    private URL base;

    private ItSupport.Client anonymous;
    private ItSupport.Client admin;
    private ItSupport.Client submitter;

    @BeforeEach
    void clients() {
        base = Deployments.webRoot(injected);
        anonymous = new ItSupport.Client(base, null);
        admin = anonymous.as(ItSupport.admin());
        submitter = anonymous.as(ItSupport.submitter());
    }

    // ------------------------------------------------------------------------------ authorization

    /** An admin operation: method, path with {q}, {id}, {node}, {schedule}, and a body. */
    private record Operation(String method, String path, String body) {}

    private static final List<Operation> ADMIN_OPERATIONS = List.of(
            new Operation("GET", "api/queues", null),
            new Operation("GET", "api/queues/{q}", null),
            new Operation("POST", "api/queues/{q}/pause", null),
            new Operation("POST", "api/queues/{q}/resume", null),
            new Operation("PUT", "api/queues/{q}/concurrency", "{\"limit\":1}"),
            new Operation("PUT", "api/queues/{q}/rate", "{\"limit\":1,\"per\":\"PT1S\"}"),
            new Operation("PUT", "api/queues/{q}/group-concurrency", "{\"limit\":1}"),
            new Operation("GET", "api/queues/{q}/dead", null),
            new Operation("GET", "api/queues/{q}/tasks", null),
            new Operation("POST", "api/queues/{q}/dead/retry", null),
            new Operation("POST", "api/queues/{q}/dead/purge", null),
            new Operation("POST", "api/tasks/{id}/retry", null),
            new Operation("GET", "api/servers", null),
            new Operation("GET", "api/servers/local", null),
            new Operation("POST", "api/servers/local/pause", null),
            new Operation("POST", "api/servers/local/resume", null),
            new Operation("PUT", "api/servers/local/concurrency", "{\"concurrency\":1}"),
            new Operation("GET", "api/schedules", null),
            new Operation("DELETE", "api/schedules/nightly", null));

    /**
     * Every admin operation, written the plain way and with matrix parameters, percent-encoded
     * letters, encoded slashes, doubled slashes and changed case: without a login 401, as a
     * submitter 403, or - when the URI reaches no operation at all - 400 or 404; never 2xx, and the
     * state (a dead task, the queue's and the server's pause, the concurrency) never changes.
     */
    @Test
    void everyAdminOperationIsRefusedHoweverItsUriIsWritten() throws Exception {
        String dead = anonymous
                .object(
                        anonymous.post("api/tasks", "{\"type\":\"fail\",\"payload\":{\"times\":-1},\"maxAttempts\":1}"),
                        201)
                .getString("id");
        await("task to be dead")
                .atMost(ItSupport.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> anonymous.getObject("api/tasks/" + dead).getString("state"), "dead"::equals);
        int concurrency = admin.getObject("api/servers/local").getInt("concurrency");
        String limitBefore =
                String.valueOf(admin.getObject("api/queues/" + QUEUE).get("concurrencyLimit"));
        List<String> reached = new ArrayList<>();
        for (Operation op : ADMIN_OPERATIONS) {
            String path = op.path().replace("{q}", QUEUE).replace("{id}", dead);
            for (String variant : variants(path)) {
                for (ItSupport.Login login : new ItSupport.Login[] {null, ItSupport.submitter()}) {
                    HttpResponse<String> r = raw(op.method(), variant, op.body(), login, Map.of());
                    int status = r.statusCode();
                    String what = op.method() + " /" + variant + (login == null ? " anonymously" : " as submitter");
                    assertTrue(
                            Set.of(400, 401, 403, 404).contains(status), () -> what + ": " + status + " " + r.body());
                    if (status == 401) {
                        assertTrue(
                                r.headers()
                                        .firstValue("WWW-Authenticate")
                                        .orElse("")
                                        .startsWith("Basic"),
                                what);
                    }
                    assertJsonError(r, what);
                    if (status == 401 || status == 403) {
                        reached.add(what);
                    }
                }
            }
            // The plain form and the matrix-parameter form reach the operation: 401 / 403 exactly.
            for (String variant : List.of(path, path + ";a=b")) {
                assertEquals(
                        401,
                        raw(op.method(), variant, op.body(), null, Map.of()).statusCode(),
                        variant);
                assertEquals(
                        403,
                        raw(op.method(), variant, op.body(), ItSupport.submitter(), Map.of())
                                .statusCode(),
                        variant);
            }
        }
        assertTrue(
                reached.size() > ADMIN_OPERATIONS.size() * 4,
                () -> "too few variants reached an operation: " + reached);
        assertEquals("dead", anonymous.getObject("api/tasks/" + dead).getString("state"), "a refused retry retried");
        JsonObject queue = admin.getObject("api/queues/" + QUEUE);
        assertFalse(queue.getBoolean("paused"), "a refused pause paused the queue");
        assertEquals(
                limitBefore, String.valueOf(queue.get("concurrencyLimit")), () -> "a refused limit was set: " + queue);
        assertTrue(queue.isNull("rate") && queue.isNull("groupConcurrency"), () -> "a refused limit was set: " + queue);
        JsonObject server = admin.getObject("api/servers/local");
        assertFalse(server.getBoolean("paused"));
        assertEquals(concurrency, server.getInt("concurrency"));
        assertTrue(
                admin.getArray("api/queues/" + QUEUE + "/dead?limit=1000").stream()
                        .anyMatch(t -> t.asJsonObject().getString("id").equals(dead)),
                "a refused purge purged");
    }

    /** The ways a URI may be written to slip past a check on its text. */
    private static List<String> variants(String path) {
        List<String> out = new ArrayList<>();
        String[] segments = path.split("/");
        String last = segments[segments.length - 1];
        out.add(path + ";a=b");
        out.add(path.replaceFirst("/", ";x=y/"));
        out.add(path + "/");
        out.add(path.replace("/", "//"));
        out.add("/" + path);
        out.add("./" + path);
        out.add(path.replace("api/", "api/./"));
        out.add(path.replace("api/", "api/x/../"));
        out.add(path.replace("api/", "api%2F"));
        out.add(path.replace("/" + last, "%2F" + last));
        out.add(path.replace("/" + last, "%2f" + last));
        out.add(path.replace("api/", "api%2f..%2fapi/"));
        out.add(path.substring(0, path.length() - 1) + "%" + Integer.toHexString(path.charAt(path.length() - 1)));
        out.add(path.replaceFirst("a", "%61"));
        out.add(path.replaceFirst("a", "%2561"));
        out.add(path.toUpperCase(Locale.ROOT));
        out.add(path.replace(last, last.toUpperCase(Locale.ROOT)));
        out.add(path.replace("api", "API"));
        out.add(path + "%00");
        out.add(path + "?a=b");
        return out;
    }

    // ---------------------------------------------------------------------------------- cross-site

    @Test
    void crossSiteFormPostsAndTextBodiesAreRefused() throws Exception {
        String own = origin();
        // An HTML form on another site: form encoding, the other site's Origin.
        HttpResponse<String> form = raw(
                "POST",
                "api/tasks",
                "type=noop",
                null,
                Map.of("Origin", "http://evil.example", "Content-Type", "application/x-www-form-urlencoded"));
        assertEquals(403, form.statusCode(), form::body);
        assertEquals("Origin", ItSupport.object(form.body()).getString("field"));
        // text/plain is what a no-CORS fetch from another site may send: refused whatever the origin.
        HttpResponse<String> text =
                raw("POST", "api/tasks", "{\"type\":\"noop\"}", null, Map.of("Content-Type", "text/plain"));
        assertEquals(415, text.statusCode(), text::body);
        assertTrue(text.body().contains("application/json"), text::body);
        assertEquals(
                415,
                raw("POST", "api/tasks", "{\"type\":\"noop\"}", null, Map.of("Content-Type", ""))
                        .statusCode(),
                "no type");
        assertEquals(
                415,
                raw(
                                "POST",
                                "api/tasks",
                                "{\"type\":\"noop\"}",
                                null,
                                Map.of("Content-Type", "application/json; charset=iso-8859-1"))
                        .statusCode());
        assertEquals(
                415,
                raw(
                                "PUT",
                                "api/queues/" + QUEUE + "/concurrency",
                                "{\"limit\":1}",
                                ItSupport.admin(),
                                Map.of("Content-Type", "text/plain", "Origin", own))
                        .statusCode());
        // The admin operations have no body: the origin is what protects them, logged in or not.
        HttpResponse<String> pause = raw(
                "POST",
                "api/queues/" + QUEUE + "/pause",
                null,
                ItSupport.admin(),
                Map.of("Origin", "http://evil.example"));
        assertEquals(403, pause.statusCode(), pause::body);
        HttpResponse<String> viaReferer = raw(
                "POST",
                "api/queues/" + QUEUE + "/pause",
                null,
                ItSupport.admin(),
                Map.of("Referer", "http://evil.example/page.html"));
        assertEquals(403, viaReferer.statusCode(), viaReferer::body);
        assertEquals(
                403,
                raw("POST", "api/queues/" + QUEUE + "/pause", null, ItSupport.admin(), Map.of("Origin", "null"))
                        .statusCode(),
                "a sandboxed frame's origin");
        assertEquals(
                403,
                raw(
                                "DELETE",
                                "api/tasks/" + QUEUE + ":00000000000000000000000000",
                                null,
                                null,
                                Map.of("Origin", own.replace("localhost", "127.0.0.2")))
                        .statusCode());
        assertFalse(admin.getObject("api/queues/" + QUEUE).getBoolean("paused"), "a cross-site pause paused");
        // The server's own pages (the dashboard) may, with the JSON type.
        assertEquals(
                201,
                raw(
                                "POST",
                                "api/tasks",
                                "{\"type\":\"noop\"}",
                                null,
                                Map.of("Origin", own, "Content-Type", "application/json; charset=UTF-8"))
                        .statusCode());
        assertEquals(
                201,
                raw(
                                "POST",
                                "api/tasks",
                                "{\"type\":\"noop\"}",
                                null,
                                Map.of("Referer", own + "/dashboard/", "Content-Type", "application/json"))
                        .statusCode());
        try {
            assertEquals(
                    200,
                    raw("POST", "api/queues/" + QUEUE + "/pause", null, ItSupport.admin(), Map.of("Origin", own))
                            .statusCode());
        } finally {
            admin.post("api/queues/" + QUEUE + "/resume", null);
        }
    }

    /**
     * A page whose own host name was pointed at 127.0.0.1 (DNS rebinding) is "same origin" by its
     * Origin header; the Host header gives it away.
     */
    @Test
    void aForeignHostNameOnLoopbackIsRefused() throws Exception {
        String response =
                rawSocket("GET /api/tasks/" + QUEUE + ":00000000000000000000000000 HTTP/1.1\r\nHost: evil.example:"
                        + base.getPort() + "\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 403"), response);
        assertTrue(response.contains("\"field\":\"Host\""), response);
        String ok = rawSocket("GET /api/tasks/" + QUEUE + ":00000000000000000000000000 HTTP/1.1\r\nHost: 127.0.0.1:"
                + base.getPort() + "\r\nConnection: close\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 404"), ok);
    }

    // ------------------------------------------------------------------------------------- limits

    @Test
    void outOfRangeValuesAre400NamingTheField() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"type\":\"echo\",\"delay\":\"PT9223372036854775.807S\"}", "delay");
        cases.put("{\"type\":\"echo\",\"delay\":\"P4000D\"}", "delay");
        cases.put("{\"type\":\"echo\",\"runAt\":\"+999999999-12-31T23:59:59Z\"}", "runAt");
        cases.put("{\"type\":\"echo\",\"runAt\":\"-999999999-01-01T00:00:00Z\"}", "runAt");
        cases.put("{\"type\":\"echo\",\"timeout\":\"PT9999999999999999S\"}", "timeout");
        cases.put("{\"type\":\"echo\",\"timeout\":\"PT25H\"}", "timeout");
        cases.put("{\"type\":\"echo\",\"maxAttempts\":1001}", "maxAttempts");
        cases.put("{\"type\":\"echo\",\"maxAttempts\":1e400}", "maxAttempts");
        cases.put("{\"type\":\"echo\",\"priority\":99999999999999999999}", "priority");
        cases.put("{\"type\":\"" + "t".repeat(300) + "\"}", "type");
        cases.put("{\"type\":\"echo\",\"idempotencyKey\":\"" + "k".repeat(300) + "\"}", "idempotencyKey");
        cases.put("{\"type\":\"echo\",\"queue\":\"" + "q".repeat(300) + "\"}", "queue");
        cases.put("{\"type\":\"echo\",\"payload\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", "payload");
        cases.put("{\"type\":\"echo\",\"payload\":" + "{\"a\":".repeat(65) + "1" + "}".repeat(65) + "}", "payload");
        cases.put("{\"type\":\"echo\",\"payload\":\"" + "x".repeat(600 * 1024) + "\"}", "payload");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = anonymous.post("api/tasks", c.getKey());
            String shown = c.getKey().length() > 120 ? c.getKey().substring(0, 120) + "..." : c.getKey();
            assertEquals(400, r.statusCode(), () -> shown + " -> " + r.body());
            assertEquals(c.getValue(), ItSupport.object(r.body()).getString("field"), () -> shown + " -> " + r.body());
        }
        // 64 levels is fine.
        assertEquals(
                201,
                anonymous
                        .post("api/tasks", "{\"type\":\"echo\",\"payload\":" + "[".repeat(64) + "]".repeat(64) + "}")
                        .statusCode());
        // Within range: accepted.
        assertEquals(
                201,
                anonymous
                        .post(
                                "api/tasks",
                                "{\"type\":\"noop\",\"delay\":\"P3000D\",\"timeout\":\"PT24H\",\"maxAttempts\":1000}")
                        .statusCode());
    }

    @Test
    void bodiesOverOneMegabyteAre413() throws Exception {
        String big = "{\"type\":\"echo\",\"payload\":\"" + "x".repeat(1024 * 1024) + "\"}";
        HttpResponse<String> declared = anonymous.post("api/tasks", big);
        assertEquals(413, declared.statusCode(), declared::body);
        assertTrue(declared.body().contains("redtask.limits.body-bytes"), declared::body);
        // Without a Content-Length (chunked): counted as it is read.
        HttpRequest chunked = HttpRequest.newBuilder(anonymous.uri("api/tasks"))
                .timeout(ItSupport.TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        HttpResponse<String> r = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r::body);
    }

    @Test
    void onlyKnownQueuesTakeTasks() throws Exception {
        String unknown = "unknown-" + Long.toString(System.nanoTime() & 0xffffff, 36);
        HttpResponse<String> r = anonymous.post("api/tasks", "{\"type\":\"noop\",\"queue\":\"" + unknown + "\"}");
        assertEquals(400, r.statusCode(), r::body);
        JsonObject error = ItSupport.object(r.body());
        assertEquals("queue", error.getString("field"));
        assertTrue(
                error.getString("error").contains("known queues: [")
                        && error.getString("error").contains(QUEUE),
                r::body);
        // Nothing was made for it: no queue, no gauge.
        assertEquals(404, admin.get("api/queues/" + unknown).statusCode());
        assertFalse(anonymous.get("metrics").body().contains(unknown));
        // A queue of redtask.queues.allowed (src/it's pom: allowed-*) may be used before a server serves it.
        assertEquals(
                201,
                anonymous
                        .post("api/tasks", "{\"type\":\"noop\",\"queue\":\"allowed-x\"}")
                        .statusCode());
    }

    @Test
    void highPrioritiesNeedTheAdminRole() throws Exception {
        String body = "{\"type\":\"noop\",\"priority\":500}";
        HttpResponse<String> open = anonymous.post("api/tasks", body);
        assertEquals(400, open.statusCode(), open::body);
        assertEquals("priority", ItSupport.object(open.body()).getString("field"));
        assertEquals(400, submitter.post("api/tasks", body).statusCode());
        assertEquals(201, admin.post("api/tasks", body).statusCode());
        assertEquals(
                201,
                anonymous
                        .post("api/tasks", "{\"type\":\"noop\",\"priority\":100}")
                        .statusCode());
    }

    // ------------------------------------------------------------------------------------ headers

    @Test
    void everyResponseCarriesTheSecurityHeadersAndErrorsAreJson() throws Exception {
        for (String path : new String[] {
            "api/tasks/" + QUEUE + ":00000000000000000000000000",
            "health/ready",
            "metrics",
            "",
            "nope",
            "api/tasks/..%2F..%2F",
            "api/queues"
        }) {
            HttpResponse<String> r = raw("GET", path, null, null, Map.of());
            String what = "GET /" + path + " (" + r.statusCode() + ")";
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), what);
            assertEquals(
                    "no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), what);
            if (r.statusCode() >= 400) {
                assertJsonError(r, what);
            }
        }
        HttpResponse<String> dashboard = raw("GET", "dashboard/", null, ItSupport.admin(), Map.of());
        assertEquals(200, dashboard.statusCode());
        String csp = dashboard.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(
                csp.contains("default-src 'none'")
                        && csp.contains("script-src 'self'")
                        && csp.contains("frame-ancestors 'none'")
                        && !csp.contains("unsafe"),
                csp);
        HttpResponse<String> noLogin = raw("GET", "dashboard/", null, null, Map.of());
        assertEquals(401, noLogin.statusCode());
        assertJsonError(noLogin, "GET /dashboard/");
        assertEquals(
                403,
                raw("GET", "dashboard/", null, ItSupport.submitter(), Map.of()).statusCode());
        assertTrue(raw("GET", "api/tasks/x", null, null, Map.of())
                .headers()
                .firstValue("Content-Security-Policy")
                .orElse("")
                .contains("frame-ancestors 'none'"));
    }

    // ------------------------------------------------------------------------------------ helpers

    private String origin() {
        return base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    }

    private static void assertJsonError(HttpResponse<String> r, String what) {
        if (libertyRefusedTheUri(r)) {
            return;
        }
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> what + ": not JSON: " + r.headers().map() + " " + r.body());
        JsonObject error = ItSupport.object(r.body());
        assertFalse(error.getString("error", "").isBlank(), () -> what + ": " + r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("<html"), () -> what + ": " + r.body());
    }

    /**
     * A URI holding a NUL byte ({@code %00}) is refused by Liberty's HTTP layer with 400 before any
     * application sees it, in Liberty's own words (CWWWC0005I, HTML or its own JSON); its headers
     * still carry nosniff and no-referrer, and it escapes what it quotes.
     */
    static boolean libertyRefusedTheUri(HttpResponse<String> r) {
        // Liberty's file serving refusing an odd path (403 SRVE0190E) is the war's JSON now:
        // ContainerErrorsIT.
        return r.statusCode() == 400
                && r.body().contains("CWWWC0005I")
                && "nosniff"
                        .equals(r.headers().firstValue("X-Content-Type-Options").orElse(null))
                && !r.body().contains("%00");
    }

    /** A request with the path exactly as written (no normalization), a login and extra headers. */
    private HttpResponse<String> raw(
            String method, String path, String body, ItSupport.Login login, Map<String, String> headers)
            throws IOException, InterruptedException {
        String root = base.toExternalForm().replaceFirst("/$", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + "/" + path))
                .timeout(ItSupport.TIMEOUT)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        // A JSON body says so unless the test says otherwise ("" for no Content-Type at all).
        String type = headers.getOrDefault("Content-Type", body == null ? "" : "application/json");
        if (!type.isEmpty()) {
            b.header("Content-Type", type);
        }
        headers.forEach((name, value) -> {
            if (!name.equals("Content-Type")) {
                b.header(name, value);
            }
        });
        if (login != null) {
            b.header("Authorization", login.header());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Writes {@code request} as it is to the server and returns its whole answer. */
    private String rawSocket(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
