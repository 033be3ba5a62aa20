package io.redtask.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the client-side tests share: the test server's logins (generated per build, see src/it's
 * pom: it-credentials), an HTTP client with optional Basic authentication, and control of the
 * test's own redis-server (never 6379: scripts/it-redis refuses it).
 */
final class ItSupport {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ItSupport() {}

    /** A login of the test server. */
    record Login(String user, String password) {
        String header() {
            return "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Properties credentials() {
        String path = System.getProperty("redtask.it.credentials");
        if (path == null) {
            throw new IllegalStateException(
                    "system property redtask.it.credentials is not set: run the tests with Maven");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get(path))) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the test logins from " + path, e);
        }
        return p;
    }

    /** The user with the admin role (system properties redtask.it.admin.user/password). */
    static Login admin() {
        return login("admin");
    }

    /** A user with the submitter role and without the admin role (redtask.it.submitter.user/password). */
    static Login submitter() {
        return login("submitter");
    }

    private static Login login(String who) {
        String user = System.getProperty("redtask.it." + who + ".user");
        String password = System.getProperty("redtask.it." + who + ".password");
        if (user == null || password == null) {
            Properties p = credentials();
            user = p.getProperty("redtask." + who + ".user");
            password = p.getProperty("redtask." + who + ".password");
        }
        return new Login(user, password);
    }

    /** HTTP against the deployment at {@code base}, as a given login or none. */
    static final class Client {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URL base;
        private final Login login;

        Client(URL base, Login login) {
            this.base = base;
            this.login = login;
        }

        Client as(Login other) {
            return new Client(base, other);
        }

        URI uri(String path) {
            String root = base.toExternalForm();
            return URI.create(root.endsWith("/") ? root : root + "/").resolve(path);
        }

        HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                    .timeout(TIMEOUT)
                    .header("Accept", path.startsWith("metrics") ? "text/plain" : "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            if (login != null) {
                b.header("Authorization", login.header());
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send("GET", path, null);
        }

        HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
            return send("POST", path, body);
        }

        HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
            return send("PUT", path, body);
        }

        HttpResponse<String> delete(String path) throws IOException, InterruptedException {
            return send("DELETE", path, null);
        }

        /** The JSON object of a response with the expected status. */
        JsonObject object(HttpResponse<String> response, int status) {
            assertEquals(
                    status,
                    response.statusCode(),
                    () -> response.request().method() + " " + response.uri() + ": " + response.body());
            return ItSupport.object(response.body());
        }

        /** GET, 200, a JSON object. */
        JsonObject getObject(String path) throws IOException, InterruptedException {
            return object(get(path), 200);
        }

        /** GET, 200, a JSON array. */
        JsonArray getArray(String path) throws IOException, InterruptedException {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), () -> "GET " + path + ": " + r.body());
            try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
                return reader.readArray();
            }
        }
    }

    static JsonObject object(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.readValue().asJsonObject();
        } catch (RuntimeException e) {
            throw new AssertionError("not a JSON object: " + body, e);
        }
    }

    // ------------------------------------------------------------------ what the server does

    /** /health/... as JSON (200 when UP, 503 when DOWN: both are answers). */
    static JsonObject health(Client http, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.get(path);
        assertTrue(
                r.statusCode() == 200 || r.statusCode() == 503,
                () -> path + ": HTTP " + r.statusCode() + " " + r.body());
        return object(r.body());
    }

    /** One check of a health answer. */
    static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").stream()
                .map(JsonValue::asJsonObject)
                .filter(c -> name.equals(c.getString("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + health));
    }

    /**
     * Returns once the server's fetch loops have started {@code rounds} new rounds, each after the
     * one before (so at least {@code rounds - 1} whole rounds, each with a claim, happened after
     * the call), as /health/live reports them ({@code fetcherIdleMillis}: milliseconds since a
     * fetch loop last went round). "The workers had their chances and took nothing", without
     * guessing a time.
     */
    static void awaitFetcherRounds(Client http, int rounds) {
        for (int i = 0; i < rounds; i++) {
            long since = System.nanoTime();
            org.awaitility.Awaitility.await("fetch round " + (i + 1) + " of " + rounds)
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        long idle = check(health(http, "health/live"), "redtask-workers")
                                .getJsonObject("data")
                                .getJsonNumber("fetcherIdleMillis")
                                .longValue();
                        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                        return idle + 2 < elapsed;
                    });
        }
    }

    /**
     * The most tasks that held a worker at the same time, from their own records: each task ran
     * from its {@code startedAt} (its claim) to its {@code finishedAt}. Exact, where sampling a
     * gauge could miss a moment.
     */
    static int maxOverlap(Collection<JsonObject> tasks) {
        List<long[]> edges = new ArrayList<>();
        for (JsonObject t : tasks) {
            assertEquals(1, t.getInt("attempts"), () -> "one attempt each: " + t);
            edges.add(new long[] {Instant.parse(t.getString("startedAt")).toEpochMilli(), +1});
            edges.add(new long[] {Instant.parse(t.getString("finishedAt")).toEpochMilli(), -1});
        }
        // At the same millisecond an end comes before a start: a worker that finishes one task
        // claims the next in the same script call.
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int most = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            most = Math.max(most, now);
        }
        return most;
    }

    /**
     * {@code application} (a {@link Deployments#demoApplication}) with a test's own task handlers
     * added to its demo war, where the demo handlers are.
     */
    static EnterpriseArchive withHandlers(EnterpriseArchive application, Class<?>... handlerClasses) {
        application.getAsType(WebArchive.class, Deployments.demoWar().getName()).addClasses(handlerClasses);
        return application;
    }

    /** The test JVM's own temporary directory (the server sees the same files); deleted when the JVM exits. */
    private static Path scratch;

    /** A path in a fresh temporary directory that does not exist yet (the server sees the same files). */
    static Path absentFile(String name) throws IOException {
        return Files.createTempDirectory(scratch(), "file-").resolve(name);
    }

    private static synchronized Path scratch() throws IOException {
        if (scratch == null) {
            Path dir = Files.createTempDirectory("redtask-it-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "redtask-it-cleanup"));
            scratch = dir;
        }
        return scratch;
    }

    /** Deletes {@code root} and all in it; what cannot be deleted (gone already) is left. */
    static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // Gone already: nothing to clean up.
        }
    }

    // ------------------------------------------------------------------ the test's redis-server

    static int redisPort() {
        return Integer.parseInt(System.getProperty("redtask.it.redis.port"));
    }

    /** Runs redis-cli against the test's Redis; returns its output (bounded: 15 s). */
    static String redisCli(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(redisPort())));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs scripts/it-redis ACTION with the test Redis's port and directory (bounded: 30 s). */
    static String itRedis(String action) throws IOException, InterruptedException {
        String scripts = System.getProperty("redtask.it.scripts");
        String dir = System.getProperty("redtask.it.redis.dir");
        return run(List.of(Paths.get(scripts, "it-redis").toString(), action, String.valueOf(redisPort()), dir));
    }

    static Path redisDir() {
        return Paths.get(System.getProperty("redtask.it.redis.dir"));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /**
     * Where the test server's localConnector says it listens (what JConsole finds by process id):
     * the address Liberty writes to {@code logs/state/com.ibm.ws.jmx.local.address}.
     */
    static String localConnectorAddress() throws IOException {
        Path servers =
                Paths.get(System.getProperty("redtask.it.libs")).getParent().resolve("liberty/wlp/usr/servers");
        try (java.util.stream.Stream<Path> dirs = Files.list(servers)) {
            Path file = dirs.map(d -> d.resolve("logs/state/com.ibm.ws.jmx.local.address"))
                    .filter(Files::isRegularFile)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no localConnector address under " + servers));
            return Files.readString(file).strip();
        }
    }
}
