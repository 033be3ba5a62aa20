package io.redtask.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JMXConnector connector;
    private MBeanServerConnection jmx;
    private ObjectName queue;
    private ObjectName workers;

    @BeforeEach
    void connect() throws Exception {
        connector = JMXConnectorFactory.connect(new JMXServiceURL(localConnectorAddress()));
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

    /** Where Liberty's localConnector says it listens (what JConsole finds by process id). */
    private static String localConnectorAddress() throws IOException {
        Path servers = Paths.get(System.getProperty("redtask.it.libs")).getParent().resolve("liberty/wlp/usr/servers");
        try (Stream<Path> dirs = Files.list(servers)) {
            Path file = dirs.map(d -> d.resolve("logs/state/com.ibm.ws.jmx.local.address")).filter(Files::isRegularFile)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no localConnector address under " + servers));
            return Files.readString(file).strip();
        }
    }

    private String submitSleep(long ms) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(Deployments.webRoot(base).toExternalForm()).resolve("api/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + "}}"))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return response.body();
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
        jmx.invoke(queue, "pause", null, null);
        assertEquals(Boolean.TRUE, jmx.getAttribute(queue, "Paused"));
        for (int i = 0; i < 6; i++) {
            submitSleep(1_500);
        }
        await().atMost(TIMEOUT).until(() -> (Long) jmx.getAttribute(queue, "Ready") == 6);
        // Paused: a second and a half of fetcher polls start nothing.
        await().pollDelay(Duration.ofMillis(1_500)).atMost(TIMEOUT).until(() -> true);
        assertEquals(0, running(), "no task starts while the queue is paused");
        assertEquals(6L, jmx.getAttribute(queue, "Ready"));

        jmx.setAttribute(workers, new Attribute("Concurrency", 1));
        jmx.invoke(queue, "resume", null, null);
        AtomicLong most = new AtomicLong();
        // Watch the first task and part of the second: never more than one at a time.
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
            most.accumulateAndGet(Math.max(running(), busy()), Math::max);
            return (Long) jmx.getAttribute(queue, "Ready") <= 4;
        });
        assertEquals(1, most.get(), "with Concurrency 1, one sleep task runs at a time");

        jmx.setAttribute(workers, new Attribute("Concurrency", 4));
        await("four tasks running at once").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> busy() == 4 && running() == 4);
        await("all tasks finished").atMost(TIMEOUT).until(() -> running() == 0 && (Long) jmx.getAttribute(queue, "Ready") == 0);
        assertTrue((Long) jmx.getAttribute(workers, "Completed") >= 6);
        assertTrue((Long) jmx.getAttribute(queue, "CompletedPerMinute") >= 6);
        assertFalse((Boolean) jmx.getAttribute(workers, "Paused"));
    }

    @Test
    void concurrencyAboveTheExecutorsLimitIsRefusedWithTheReason() throws Exception {
        int max = (Integer) jmx.getAttribute(workers, "MaxConcurrency");
        RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class,
                () -> jmx.setAttribute(workers, new Attribute("Concurrency", max + 1)));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("worker executor's limit"), e.getCause().getMessage());
        String description = jmx.getMBeanInfo(workers).getDescription();
        assertEquals("RedTask workers of this server", description);
    }
}
