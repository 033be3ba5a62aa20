package io.redtask.it;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators' JMX, from outside the server as JConsole does it: a JMX client connects through
 * Liberty's localConnector (the address it writes to {@code logs/state/com.ibm.ws.jmx.local.address})
 * and reads and steers the {@code io.redtask} MBeans while real tasks run.
 */
@ExtendWith(ArquillianExtension.class)
class JmxIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("jmx-it");
    }

    @ArquillianResource
    URL base;

    private JMXConnector connector;
    private MBeanServerConnection jmx;
    private ObjectName queue;
    private ObjectName workers;

    private ItSupport.Client rest;

    @BeforeEach
    void connect() throws Exception {
        rest = new ItSupport.Client(Deployments.webRoot(base), null);
        connector = JMXConnectorFactory.connect(new JMXServiceURL(ItSupport.localConnectorAddress()));
        jmx = connector.getMBeanServerConnection();
        queue = new ObjectName("io.redtask:type=Queue,name=default");
        workers = new ObjectName("io.redtask:type=Workers");
    }

    @AfterEach
    void disconnect() throws Exception {
        if (jmx != null) {
            // Leave the server as the next test expects it.
            jmx.invoke(queue, "resume", null, null);
            jmx.setAttribute(workers, new Attribute("Concurrency", 8));
        }
        if (connector != null) {
            connector.close();
        }
    }

    private String submitSleep(long ms) throws Exception {
        return rest.object(rest.post("api/tasks", "{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + "}}"), 201)
                .getString("id");
    }

    private JsonObject task(String id) throws Exception {
        return rest.getObject("api/tasks/" + id);
    }

    private long running() throws Exception {
        return (Long) jmx.getAttribute(queue, "Running");
    }

    private int busy() throws Exception {
        return (Integer) jmx.getAttribute(workers, "Busy");
    }

    @Test
    void depthPauseResumeAndScalingThroughJmx() throws Exception {
        assertTrue(((String) jmx.getAttribute(workers, "NodeId")).length() > 0);
        long completedBefore = (Long) jmx.getAttribute(workers, "Completed");
        jmx.invoke(queue, "pause", null, null);
        assertEquals(Boolean.TRUE, jmx.getAttribute(queue, "Paused"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(submitSleep(1_500));
        }
        await().atMost(TIMEOUT).until(() -> (Long) jmx.getAttribute(queue, "Ready") == 6);
        // Paused: three rounds of the fetcher (two whole claims) with eight free workers start nothing.
        ItSupport.awaitFetcherRounds(rest, 3);
        assertEquals(0, running(), "no task starts while the queue is paused");
        assertEquals(6L, jmx.getAttribute(queue, "Ready"));

        jmx.setAttribute(workers, new Attribute("Concurrency", 1));
        jmx.invoke(queue, "resume", null, null);
        await("the first task done, the second running")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "succeeded".equals(task(ids.get(0)).getString("state"))
                        && "running".equals(task(ids.get(1)).getString("state")));
        JsonObject first = task(ids.get(0));
        JsonObject second = task(ids.get(1));
        assertFalse(
                Instant.parse(second.getString("startedAt")).isBefore(Instant.parse(first.getString("finishedAt"))),
                () -> "with Concurrency 1 the second started before the first finished: " + first + " " + second);

        jmx.setAttribute(workers, new Attribute("Concurrency", 4));
        await("four tasks running at once")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> busy() == 4 && running() == 4);
        // Lowered and paused while four run: none is stopped, all four finish, each on its first
        // attempt (a stopped one would have been retried). Busy is not read here: on a slow server
        // the first of the four may have finished its 1.5 s already.
        jmx.setAttribute(workers, new Attribute("Concurrency", 1));
        jmx.invoke(queue, "pause", null, null);
        for (String id : ids.subList(1, 5)) {
            JsonObject done = await("task " + id + " finished")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> task(id), t -> !"running".equals(t.getString("state")));
            assertEquals("succeeded", done.getString("state"), done::toString);
            assertEquals(1, done.getInt("attempts"), done::toString);
        }
        ItSupport.awaitFetcherRounds(rest, 3);
        assertEquals("queued", task(ids.get(5)).getString("state"), "paused: the last task waits");
        jmx.invoke(queue, "resume", null, null);
        await("the last task").atMost(TIMEOUT).until(() -> task(ids.get(5)).getString("state"), "succeeded"::equals);
        await("all tasks finished")
                .atMost(TIMEOUT)
                .until(() -> running() == 0 && (Long) jmx.getAttribute(queue, "Ready") == 0);
        // Counted by the worker after the outcome is in Redis, where the figures above are read.
        await("every task counted")
                .atMost(TIMEOUT)
                .until(() -> (Long) jmx.getAttribute(workers, "Completed") == completedBefore + 6);
        assertTrue((Long) jmx.getAttribute(queue, "CompletedPerMinute") >= 6);
        assertFalse((Boolean) jmx.getAttribute(workers, "Paused"));
    }

    @Test
    void concurrencyAboveTheExecutorsLimitIsRefusedWithTheReason() throws Exception {
        int max = (Integer) jmx.getAttribute(workers, "MaxConcurrency");
        RuntimeMBeanException e = assertThrows(
                RuntimeMBeanException.class, () -> jmx.setAttribute(workers, new Attribute("Concurrency", max + 1)));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("worker executor's limit"),
                e.getCause().getMessage());
        String description = jmx.getMBeanInfo(workers).getDescription();
        assertEquals("RedTask workers of this server", description);
    }
}
