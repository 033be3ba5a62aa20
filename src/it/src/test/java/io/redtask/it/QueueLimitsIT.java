package io.redtask.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's rate limit and group concurrency on Liberty, through the admin REST API, JMX (as
 * JConsole reaches it) and /metrics, with bad values refused naming the field.
 */
@ExtendWith(ArquillianExtension.class)
class QueueLimitsIT {

    private static final String QUEUE = "default";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("queue-limits-it");
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client anonymous;
    private ItSupport.Client admin;
    private JMXConnector connector;
    private MBeanServerConnection jmx;
    private ObjectName queue;

    @BeforeEach
    void connect() throws Exception {
        anonymous = new ItSupport.Client(Deployments.webRoot(base), null);
        admin = anonymous.as(ItSupport.admin());
        connector = JMXConnectorFactory.connect(new JMXServiceURL(ItSupport.localConnectorAddress()));
        jmx = connector.getMBeanServerConnection();
        queue = new ObjectName("io.redtask:type=Queue,name=" + QUEUE);
    }

    @AfterEach
    void reset() throws Exception {
        // Leave the queue as the next test expects it.
        admin.put("api/queues/" + QUEUE + "/rate", "{\"limit\":null}");
        admin.put("api/queues/" + QUEUE + "/group-concurrency", "{\"limit\":null}");
        if (connector != null) {
            connector.close();
        }
    }

    private String submit(String body) throws Exception {
        return anonymous.object(anonymous.post("api/tasks", body), 201).getString("id");
    }

    private List<JsonObject> awaitSucceeded(List<String> ids) {
        List<JsonObject> out = new ArrayList<>();
        for (String id : ids) {
            out.add(await("task " + id)
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> anonymous.getObject("api/tasks/" + id),
                            t -> "succeeded".equals(t.getString("state"))));
        }
        return out;
    }

    private void assertRefused(HttpResponse<String> r, String field) {
        assertEquals(400, r.statusCode(), r::body);
        assertEquals(field, ItSupport.object(r.body()).getString("field"), r::body);
    }

    @Test
    void theRateLimitHoldsAndIsShownAndBadValuesAreRefusedNamingTheField() throws Exception {
        JsonObject limited =
                admin.object(admin.put("api/queues/" + QUEUE + "/rate", "{\"limit\":4,\"per\":\"PT1S\"}"), 200);
        assertEquals(
                Json.createObjectBuilder().add("limit", 4).add("per", "PT1S").build(),
                limited.getJsonObject("rate"),
                limited::toString);
        // The MBean reuses a reading for half a second.
        await("JMX shows the same limit")
                .atMost(TIMEOUT)
                .until(() -> "4/PT1S".equals(jmx.getAttribute(queue, "RateLimit")));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(submit("{\"type\":\"noop\"}"));
        }
        List<JsonObject> done = awaitSucceeded(ids);
        List<Long> starts = done.stream()
                .map(t -> Instant.parse(t.getString("startedAt")).toEpochMilli())
                .sorted()
                .toList();
        // 12 tasks at 4 per second: the 5th starts a second after the 1st at the earliest, the 9th
        // two (without the limit all would start within milliseconds). startedAt is the server's
        // time when it sent the claim, the window Redis's when the claim ran: a claim slowed on its
        // way by up to 200 ms shows a start that much early.
        assertTrue(starts.get(4) - starts.get(0) >= 800, () -> "starts: " + starts);
        assertTrue(starts.get(8) - starts.get(0) >= 1800, () -> "starts: " + starts);
        String metrics = anonymous.get("metrics?scope=application").body();
        assertTrue(
                metrics.lines()
                        .anyMatch(l -> l.startsWith("redtask_queue_throttled_waits{")
                                && l.contains("queue=\"default\"")
                                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0),
                () -> "/metrics counts throttled waits: "
                        + metrics.lines().filter(l -> l.contains("throttled")).toList());

        String rate = "api/queues/" + QUEUE + "/rate";
        assertRefused(admin.put(rate, "{\"limit\":0,\"per\":\"PT1S\"}"), "limit");
        assertRefused(admin.put(rate, "{\"limit\":\"ten\",\"per\":\"PT1S\"}"), "limit");
        assertRefused(admin.put(rate, "{\"limit\":5}"), "per");
        assertRefused(admin.put(rate, "{\"limit\":5,\"per\":\"soon\"}"), "per");
        assertRefused(admin.put(rate, "{\"limit\":5,\"per\":\"PT0S\"}"), "per");
        assertRefused(admin.put(rate, "{\"limit\":5,\"per\":\"P2D\"}"), "per");
        assertRefused(admin.put(rate, "{\"limti\":5,\"per\":\"PT1S\"}"), "limti");
        assertEquals(401, anonymous.put(rate, "{\"limit\":null}").statusCode(), "an admin operation");

        JsonObject cleared = admin.object(admin.put(rate, "{\"limit\":null}"), 200);
        assertTrue(cleared.isNull("rate"), cleared::toString);
        await().atMost(TIMEOUT).until(() -> "".equals(jmx.getAttribute(queue, "RateLimit")));
    }

    @Test
    void aGroupLimitHoldsPerGroupAndGroupKeysAreChecked() throws Exception {
        String path = "api/queues/" + QUEUE + "/group-concurrency";
        JsonObject limited = admin.object(admin.put(path, "{\"limit\":1}"), 200);
        assertEquals(1, limited.getInt("groupConcurrency"), limited::toString);
        assertEquals(1, admin.getObject("api/queues/" + QUEUE).getInt("groupConcurrency"));
        await().atMost(TIMEOUT).until(() -> Integer.valueOf(1).equals(jmx.getAttribute(queue, "GroupConcurrency")));

        List<String> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":400},\"group\":\"tenant-1\"}"));
        }
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            second.add(submit("{\"type\":\"sleep\",\"payload\":{\"ms\":400},\"group\":\"tenant-2\"}"));
        }
        assertEquals(1, ItSupport.maxOverlap(awaitSucceeded(first)), "one of tenant-1 at a time");
        assertEquals(1, ItSupport.maxOverlap(awaitSucceeded(second)), "one of tenant-2 at a time");
        assertEquals("tenant-1", awaitSucceeded(first).get(0).getString("group"), "a task's JSON shows its group");
        List<JsonObject> all = new ArrayList<>(awaitSucceeded(first));
        all.addAll(awaitSucceeded(second));
        assertEquals(2, ItSupport.maxOverlap(all), "the two groups ran side by side");

        assertRefused(admin.put(path, "{\"limit\":0}"), "limit");
        assertRefused(admin.put(path, "{\"limit\":1.5}"), "limit");
        assertRefused(
                anonymous.post("api/tasks", "{\"type\":\"noop\",\"group\":\"" + "g".repeat(257) + "\"}"), "group");
        assertRefused(anonymous.post("api/tasks", "{\"type\":\"noop\",\"group\":7}"), "group");
        assertRefused(anonymous.post("api/tasks", "{\"type\":\"noop\",\"group\":\" \"}"), "group");

        JsonObject cleared = admin.object(admin.put(path, "{\"limit\":null}"), 200);
        assertTrue(cleared.isNull("groupConcurrency"), cleared::toString);
        await().atMost(TIMEOUT).until(() -> Integer.valueOf(-1).equals(jmx.getAttribute(queue, "GroupConcurrency")));
    }

    @Test
    void jmxSetsTheRateLimitAndGroupConcurrencyAndRefusesBadValuesWithTheReason() throws Exception {
        jmx.setAttribute(queue, new Attribute("RateLimit", "30/PT1M"));
        assertEquals(
                Json.createObjectBuilder().add("limit", 30).add("per", "PT1M").build(),
                admin.getObject("api/queues/" + QUEUE).getJsonObject("rate"),
                "REST shows what JMX set");
        await().atMost(TIMEOUT).until(() -> "30/PT1M".equals(jmx.getAttribute(queue, "RateLimit")));

        RuntimeMBeanException bad = assertThrows(
                RuntimeMBeanException.class, () -> jmx.setAttribute(queue, new Attribute("RateLimit", "lots")));
        assertInstanceOf(IllegalArgumentException.class, bad.getCause());
        assertTrue(
                bad.getCause().getMessage().contains("100/PT1S"), bad.getCause().getMessage());
        RuntimeMBeanException zero = assertThrows(
                RuntimeMBeanException.class, () -> jmx.setAttribute(queue, new Attribute("GroupConcurrency", 0)));
        assertInstanceOf(IllegalArgumentException.class, zero.getCause());

        jmx.setAttribute(queue, new Attribute("GroupConcurrency", 3));
        assertEquals(3, admin.getObject("api/queues/" + QUEUE).getInt("groupConcurrency"));
        jmx.setAttribute(queue, new Attribute("GroupConcurrency", -1));
        jmx.setAttribute(queue, new Attribute("RateLimit", ""));
        JsonObject q = admin.getObject("api/queues/" + QUEUE);
        assertTrue(q.isNull("rate") && q.isNull("groupConcurrency"), q::toString);
    }
}
