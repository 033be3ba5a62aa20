package io.redtask.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis password never shows, whatever the server goes through: a redis-server of this test's
 * own that requires a password holding {@code @ : /}, written as it is into
 * {@code redtask.redis.url}; the application starts while Redis refuses that password, recovers
 * when Redis accepts it, runs a task, and loses the login again at run time. Then every log of the
 * server (messages, console, trace of {@code io.redtask} and Jedis at the finest level, FFDC),
 * every health and metrics answer, every attribute of every RedTask MBean and the error answers
 * seen on the way are searched for the password, its percent-encoded form and its random core.
 */
@ExtendWith(ArquillianExtension.class)
class RedisPasswordIT {

    private static final String APP = "redis-password-it";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Random, so that any piece of it found anywhere can only have come from the configuration. */
    private static final String CORE = randomCore();
    /** The application's password: {@code @ : /} around the core, written raw into the URL. */
    private static final String PASSWORD = "p@ss:" + CORE + "/w@rd";
    /** What Redis requires before the test gives it the application's password, and after. */
    private static final String OTHER_PASSWORD = "other-" + randomCore();

    private static Process redis;
    private static int redisPort;
    private static Path redisDir;
    private static Path dropin;

    @Deployment(name = APP, managed = false, testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication(APP);
    }

    @ArquillianResource
    Deployer deployer;

    private static String randomCore() {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        String alphabet = "abcdefghijkmnopqrstuvwxyz23456789";
        for (int i = 0; i < 20; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static Path serverDir() {
        return Paths.get(System.getProperty("redtask.it.server.dir"));
    }

    @BeforeAll
    static void redisWithAPasswordAndTheServerPointedAtIt() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        redisDir = Files.createTempDirectory("redtask-password-it-");
        Path conf = redisDir.resolve("redis.conf");
        // In a file, not on the command line (where ps would show it). Redis starts refusing the
        // application's password.
        Files.writeString(
                conf,
                "port " + redisPort + "\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir " + redisDir + "\nrequirepass \""
                        + OTHER_PASSWORD + "\"\n");
        redis = new ProcessBuilder("redis-server", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(redisDir.resolve("redis.log").toFile())
                .start();
        await("redis-server with a password on " + redisPort)
                .atMost(Duration.ofSeconds(10))
                .until(() -> cli(OTHER_PASSWORD, "PING").equals("PONG"));

        int updates = configUpdates();
        dropin = serverDir().resolve("configDropins/overrides/redis-password-it.xml");
        Files.createDirectories(dropin.getParent());
        // Beats bootstrap.properties (MicroProfile Config ordinal 500 against 400); the password
        // is written raw: '@', ':' and '/' in it. Trace of RedTask and Jedis at their finest.
        Files.writeString(
                dropin,
                "<server>\n  <variable name=\"redtask.redis.url\" value=\"redis://:" + PASSWORD + "@127.0.0.1:"
                        + redisPort + "\"/>\n"
                        + "  <logging traceSpecification=\"*=info:io.redtask.*=all:redis.clients.*=all\"/>\n"
                        + "</server>\n");
        awaitConfigUpdate(updates);
    }

    @AfterAll
    static void restoreTheServerAndStopRedis() throws Exception {
        try {
            // The next test class must find the server's own Redis URL and trace settings again.
            int before = configUpdates();
            if (dropin != null && Files.deleteIfExists(dropin)) {
                awaitConfigUpdate(before);
            }
        } finally {
            if (redis != null) {
                redis.destroy();
                if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                    redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (redisDir != null) {
                ItSupport.deleteTree(redisDir);
            }
        }
    }

    @Test
    void thePasswordShowsNowhereWhileRedisRefusesItAcceptsItAndRefusesItAgain() throws Exception {
        List<String> seen = new ArrayList<>();
        URL base = new URL("http://127.0.0.1:" + httpPort() + "/");
        ItSupport.Client rest = new ItSupport.Client(base, null);
        ItSupport.Client admin = rest.as(ItSupport.admin());

        // 1. The application starts while Redis refuses its password.
        deployer.deploy(APP);
        try {
            // Started (Redis refusing the login is an outage, not a reason not to start), its
            // readiness check DOWN.
            JsonObject down = await("RedTask's readiness check DOWN while Redis refuses the password")
                    .atMost(TIMEOUT)
                    .until(() -> ItSupport.health(rest, "health/ready"), RedisPasswordIT::redisDown);
            seen.add(down.toString());
            seen.add(rest.get("health").body());
            HttpResponse<String> refused = rest.post("api/tasks", "{\"type\":\"echo\",\"payload\":1}");
            assertEquals(503, refused.statusCode(), refused::body);
            seen.add(refused.body());
            seen.add(admin.get("api/queues").body());
            seen.add(admin.get("api/servers").body());

            // 2. Redis accepts it: the application recovers by itself and runs a task.
            assertEquals("OK", cli(OTHER_PASSWORD, "CONFIG", "SET", "requirepass", PASSWORD));
            await("readiness UP once Redis accepts the password")
                    .atMost(TIMEOUT)
                    .until(() -> ItSupport.health(rest, "health/ready"), h -> "UP".equals(h.getString("status")));
            String id = await("a submit accepted")
                    .atMost(TIMEOUT)
                    .until(
                            () -> rest.post("api/tasks", "{\"type\":\"echo\",\"payload\":{\"x\":1}}"),
                            r -> r.statusCode() == 201)
                    .body();
            String taskId = ItSupport.object(id).getString("id");
            JsonObject task = await("the task succeeded")
                    .atMost(TIMEOUT)
                    .until(() -> rest.getObject("api/tasks/" + taskId), t -> "succeeded".equals(t.getString("state")));
            seen.add(task.toString());
            seen.add(rest.get("health").body());
            seen.add(rest.get("metrics").body());
            seen.add(admin.get("api/queues").body());
            seen.add(admin.get("api/servers").body());
            seen.add(rest.post("api/tasks", "{\"type\":").body());
            seen.add(rest.post("api/tasks", "{\"type\":\"nope\"}").body());
            seen.add(rest.get("api/tasks/default:nope").body());
            seen.addAll(mbeanAttributes());

            // 3. Redis refuses it again while the server runs: new connections fail their login.
            assertEquals("OK", cli(PASSWORD, "CONFIG", "SET", "requirepass", OTHER_PASSWORD));
            cli(OTHER_PASSWORD, "CLIENT", "KILL", "TYPE", "normal");
            JsonObject downAgain = await("readiness DOWN when Redis refuses the password again")
                    .atMost(TIMEOUT)
                    .until(() -> ItSupport.health(rest, "health/ready"), RedisPasswordIT::redisDown);
            seen.add(downAgain.toString());
            HttpResponse<String> refusedAgain = rest.post("api/tasks", "{\"type\":\"echo\",\"payload\":2}");
            assertEquals(503, refusedAgain.statusCode(), refusedAgain::body);
            seen.add(refusedAgain.body());
            seen.add(rest.get("api/tasks/" + taskId).body());
            seen.addAll(mbeanAttributes());
        } finally {
            deployer.undeploy(APP);
        }

        List<String> leaks = new ArrayList<>();
        for (String answer : seen) {
            leak("an answer", answer, leaks);
        }
        List<Path> logs;
        try (Stream<Path> files = Files.walk(serverDir().resolve("logs"))) {
            logs = files.filter(Files::isRegularFile).toList();
        }
        assertTrue(
                logs.stream().anyMatch(p -> p.getFileName().toString().startsWith("trace")),
                () -> "no trace file among " + logs);
        String messages = Files.readString(serverDir().resolve("logs/messages.log"));
        assertTrue(
                messages.contains("RedTask") && messages.contains("127.0.0.1:" + redisPort),
                "the server logged nothing about this Redis: the search below would prove little");
        for (Path log : logs) {
            leak(serverDir().relativize(log).toString(), readLenient(log), leaks);
        }
        assertTrue(leaks.isEmpty(), () -> "the Redis password shows in: " + leaks);
    }

    private static boolean redisDown(JsonObject health) {
        return health.getJsonArray("checks").stream()
                .map(jakarta.json.JsonValue::asJsonObject)
                .anyMatch(c -> "redtask-redis".equals(c.getString("name")) && "DOWN".equals(c.getString("status")));
    }

    /** Adds where {@code text} shows the password in any form: raw, percent-encoded, or its core. */
    private static void leak(String where, String text, List<String> leaks) {
        for (String form : Set.of(PASSWORD, URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8), CORE)) {
            int at = text.indexOf(form);
            if (at >= 0) {
                leaks.add(where + ": ..." + text.substring(Math.max(0, at - 120), at) + "<password>...");
                return;
            }
        }
    }

    private static String readLenient(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every attribute of every io.redtask MBean, as text, through the localConnector. */
    private static List<String> mbeanAttributes() throws Exception {
        String address = Files.readString(serverDir().resolve("logs/state/com.ibm.ws.jmx.local.address"))
                .strip();
        List<String> values = new ArrayList<>();
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection jmx = c.getMBeanServerConnection();
            Set<ObjectName> names = jmx.queryNames(new ObjectName("io.redtask:*"), null);
            assertFalse(names.isEmpty(), "no RedTask MBeans");
            for (ObjectName name : names) {
                for (MBeanAttributeInfo a : jmx.getMBeanInfo(name).getAttributes()) {
                    try {
                        values.add(name + " " + a.getName() + "=" + jmx.getAttribute(name, a.getName()));
                    } catch (Exception e) {
                        // An attribute that cannot be read now (Redis refusing) answers with an error:
                        // that text must not hold the password either.
                        values.add(name + " " + a.getName() + " failed: " + e);
                    }
                }
            }
        }
        return values;
    }

    private static int httpPort() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(serverDir().resolve("bootstrap.properties"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("redtask.http.port"));
    }

    /** How many configuration updates the server has finished (CWWKG0017I, CWWKG0018I). */
    private static int configUpdates() throws IOException {
        Path log = serverDir().resolve("logs/messages.log");
        if (!Files.exists(log)) {
            return 0;
        }
        return (int) readLenient(log)
                .lines()
                .filter(l -> l.contains("CWWKG0017I") || l.contains("CWWKG0018I"))
                .count();
    }

    private static void awaitConfigUpdate(int before) {
        await("the server applied its configuration dropin").atMost(TIMEOUT).until(() -> configUpdates() > before);
    }

    /** redis-cli on this test's Redis; the password goes through the environment, not the command line. */
    private static String cli(String password, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(redisPort)));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("REDISCLI_AUTH", password);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("redis-cli timed out: " + List.of(args));
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
