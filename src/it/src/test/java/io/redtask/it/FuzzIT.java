package io.redtask.it;

import jakarta.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated requests against the real REST layer: thousands of methods, paths, headers and JSON
 * (and not quite JSON) bodies made by jqwik's generators from one seed. Whatever comes, the
 * answer is a 2xx, or a 4xx with a JSON {@code {"error"}} - never a 5xx, never a stack trace, at
 * most the container's redirect of a directory to this same server -
 * and afterwards the server still runs a valid task. Bounded in count
 * ({@code -Dredtask.it.fuzz.count}, 3000) and time (90 s); the seed is printed, and
 * {@code -Dredtask.it.fuzz.seed} repeats a run.
 */
@ExtendWith(ArquillianExtension.class)
class FuzzIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration BUDGET = Duration.ofSeconds(90);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("fuzz-it");
    }

    @ArquillianResource
    URL injected;

    private URL base;

    @org.junit.jupiter.api.BeforeEach
    void webRoot() {
        base = Deployments.webRoot(injected);
    }

    /** One generated request. */
    record Request(String method, String path, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            String b = body == null
                    ? ""
                    : body.length() > 300 ? body.substring(0, 300) + "...(" + body.length() + ")" : body;
            return method + " /" + path + " " + headers + " " + b;
        }
    }

    @Test
    void generatedRequestsGetA2xxOrAJson4xxAndTheServerKeepsWorking() throws Exception {
        long seed = Long.getLong("redtask.it.fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("redtask.it.fuzz.count", 3000);
        System.out.println("FuzzIT seed " + seed + " (-Dredtask.it.fuzz.seed=" + seed + " repeats this run)");
        Random random = new Random(seed);
        // jqwik's generators outside a @Property (this test needs Arquillian's Jupiter extension).
        JqwikSession.start();
        try {
            fuzz(random, count, seed);
        } finally {
            JqwikSession.finish();
        }

        // The server still does its job.
        ItSupport.Client client = new ItSupport.Client(base, null);
        String id = client.object(
                        client.post(
                                "api/tasks",
                                "{\"type\":\"echo\",\"payload\":{\"after\":\"fuzz\"}," + "\"priority\":100}"),
                        201)
                .getString("id");
        JsonObject done = await("the task after the fuzzing")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> client.getObject("api/tasks/" + id),
                        t -> t.getString("state").equals("succeeded"));
        assertEquals("fuzz", done.getJsonObject("result").getString("after"));
    }

    private void fuzz(Random random, int count, long seed) throws Exception {
        RandomGenerator<Request> requests = requests().generator(100);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        Map<Integer, Integer> statuses = new LinkedHashMap<>();
        int sent = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            Request r = requests.next(random).value();
            HttpRequest http;
            try {
                http = build(r);
            } catch (IllegalArgumentException e) {
                // A URI or header the client itself will not send: not a request the server sees.
                continue;
            }
            HttpResponse<String> response = HTTP.send(http, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            sent++;
            statuses.merge(response.statusCode(), 1, Integer::sum);
            check(r, response, seed);
        }
        System.out.println("FuzzIT sent " + sent + " requests; statuses " + statuses);
        assertTrue(sent >= Math.min(count, 500), "too few requests were sent: " + sent);
    }

    private void check(Request r, HttpResponse<String> response, long seed) {
        int status = response.statusCode();
        String what = "seed " + seed + ": " + r + " -> " + status + " " + response.body();
        if (status >= 300 && status < 400) {
            // The container's own redirect of a directory (/;x=1 -> /): only ever to this server.
            String location = response.headers().firstValue("Location").orElse("");
            assertTrue(
                    location.startsWith("/") && !location.startsWith("//")
                            || location.startsWith(
                                    base.getProtocol() + "://" + base.getHost() + ":" + base.getPort() + "/"),
                    what + " Location: " + location);
            return;
        }
        assertTrue(status >= 200 && status < 300 || status >= 400 && status < 500, what);
        if (status >= 400 && !r.method().equals("HEAD") && !SecurityIT.libertyRefusedTheUri(response)) {
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
            JsonObject error = ItSupport.object(response.body());
            assertTrue(error.containsKey("error") && !error.getString("error").isBlank(), what);
            assertTrue(
                    !response.body().contains("Exception") && !response.body().contains("\tat "), what);
        }
    }

    private HttpRequest build(Request r) {
        String root = base.toExternalForm().replaceFirst("/$", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + "/" + r.path()))
                .timeout(ItSupport.TIMEOUT)
                .method(
                        r.method(),
                        r.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(r.body(), StandardCharsets.UTF_8));
        r.headers().forEach(b::header);
        return b.build();
    }

    // ------------------------------------------------------------------------------- generators

    static Arbitrary<Request> requests() {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just("POST")),
                net.jqwik.api.Tuple.of(4, Arbitraries.just("GET")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("PUT", "DELETE")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("PATCH", "HEAD", "OPTIONS")));
        return Combinators.combine(method, paths(), headers(), bodies()).as(Request::new);
    }

    private static final List<String> TEMPLATES = List.of(
            "api/tasks",
            "api/tasks/{id}",
            "api/tasks/{id}/retry",
            "api/queues",
            "api/queues/{q}",
            "api/queues/{q}/pause",
            "api/queues/{q}/concurrency",
            "api/queues/{q}/rate",
            "api/queues/{q}/group-concurrency",
            "api/queues/{q}/dead",
            "api/queues/{q}/tasks?state={s}&offset={n}&limit={n}",
            "api/servers",
            "api/servers/{node}/concurrency",
            "api/schedules/{s}",
            "api/batches",
            "api/batches/{id}",
            "api/batches?queue={q}&limit={n}",
            "dashboard/",
            "",
            "{s}");

    static Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of(
                        "default",
                        "default:01M8C17XVXDJ4TJMACKNDTFTB7",
                        "local",
                        "..",
                        ".",
                        "%2F",
                        "%2e%2e",
                        ";a=b",
                        "%00",
                        "%ff",
                        "%C3%A9",
                        "x%20y",
                        "allowed-x",
                        "nope",
                        "-1",
                        "99999999999999999999"),
                Arbitraries.strings()
                        .withChars("abcXYZ019-_.~:@!$&'()*+,;=%")
                        .ofMinLength(0)
                        .ofMaxLength(40),
                Arbitraries.strings().withChars('a').ofMinLength(1000).ofMaxLength(3000));
        Arbitrary<String> template = Arbitraries.of(TEMPLATES);
        return Combinators.combine(template, segment, segment, Arbitraries.of("", "/", "//", ";x=1", "?a=b", "#f"))
                .as((t, a, s2, tail) -> t.replace("{id}", a)
                                .replace("{q}", s2)
                                .replace("{node}", a)
                                .replace("{s}", s2)
                                .replace("{n}", a)
                        + tail);
    }

    static Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> type = Arbitraries.of(
                "application/json",
                "application/json; charset=utf-8",
                "application/json; charset=latin1",
                "application/json; charset=\"bogus\"",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/xml",
                "*/*",
                "application/json;;;",
                "garbage",
                "");
        Arbitrary<String> origin = Arbitraries.of(
                "", "http://evil.example", "null", "http://localhost", "file://", "http://127.0.0.1:1", "not a url");
        Arbitrary<String> accept =
                Arbitraries.of("", "application/json", "text/html", "*/*", "application/xml", "x/y;q=0");
        Arbitrary<String> authorization = Arbitraries.of(
                "",
                "Basic",
                "Basic !!!notbase64",
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString("it-admin:wrong".getBytes(StandardCharsets.UTF_8)),
                "Bearer x",
                "Basic " + java.util.Base64.getEncoder().encodeToString("::".getBytes(StandardCharsets.UTF_8)));
        Arbitrary<String> extra = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(200);
        return Combinators.combine(type, origin, accept, authorization, extra).as((t, o, a, auth, x) -> {
            Map<String, String> h = new LinkedHashMap<>();
            put(h, "Content-Type", t);
            put(h, "Origin", o);
            put(h, "Accept", a);
            put(h, "Authorization", auth);
            put(h, "X-Fuzz", x);
            put(h, "Referer", o.isEmpty() ? "" : o + "/page");
            return h;
        });
    }

    private static void put(Map<String, String> headers, String name, String value) {
        if (!value.isEmpty()) {
            headers.put(name, value);
        }
    }

    static Arbitrary<String> bodies() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just((String) null)),
                net.jqwik.api.Tuple.of(6, taskBodies()),
                net.jqwik.api.Tuple.of(2, json(4).map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(300)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.integers().between(1, 5000).map(n -> "[".repeat(n))),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(60, 3000)
                                .map(n -> "{\"type\":\"echo\",\"payload\":" + "[".repeat(n) + "]".repeat(n) + "}")));
    }

    /** Task bodies: the real fields with values of every kind, and misspelt or extra fields. */
    static Arbitrary<String> taskBodies() {
        Arbitrary<String> type = Arbitraries.of(
                "\"echo\"",
                "\"noop\"",
                "\"fail\"",
                "\"nope\"",
                "\"\"",
                "1",
                "null",
                "\"" + "t".repeat(300) + "\"",
                "[\"echo\"]");
        Arbitrary<String> anyValue = Arbitraries.oneOf(
                json(3),
                Arbitraries.of(
                        "\"PT1S\"",
                        "\"PT9223372036854775.807S\"",
                        "\"P4000D\"",
                        "\"-PT1S\"",
                        "\"PT0S\"",
                        "\"+999999999-12-31T23:59:59Z\"",
                        "\"2030-01-01T00:00:00Z\"",
                        "\"1970-01-01T00:00:00Z\"",
                        "\"PT9999999999999999S\"",
                        "1e400",
                        "-0",
                        "1.5",
                        "2147483648",
                        "99999999999999999999999",
                        "\"default\"",
                        "\"allowed-fuzz\"",
                        "\"" + "q".repeat(70) + "\"",
                        "true"));
        Arbitrary<String> field = Arbitraries.of(
                "payload",
                "queue",
                "priority",
                "delay",
                "runAt",
                "maxAttempts",
                "timeout",
                "idempotencyKey",
                "dealy",
                "type",
                "\u0000",
                "__proto__");
        Arbitrary<List<String>> fields = Combinators.combine(field, anyValue)
                .as((f, v) -> "\"" + f + "\":" + v)
                .list()
                .ofMaxSize(5);
        return Combinators.combine(type, fields).as((t, fs) -> {
            List<String> all = new ArrayList<>();
            all.add("\"type\":" + t);
            all.addAll(fs);
            return "{" + String.join(",", all) + "}";
        });
    }

    /** Any JSON value, nesting at most {@code depth} levels. */
    static Arbitrary<String> json(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
                Arbitraries.strings().ofMaxLength(50).map(FuzzIT::quote),
                Arbitraries.of("true", "false", "null", "1e308", "-1e-308", "123456789012345678901234567890"));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> json(depth - 1));
        return Arbitraries.oneOf(
                scalar,
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                Combinators.combine(Arbitraries.strings().ofMaxLength(10).map(FuzzIT::quote), inner)
                        .as((k, v) -> k + ":" + v)
                        .list()
                        .ofMaxSize(4)
                        .map(l -> "{" + String.join(",", l) + "}"));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }
}
