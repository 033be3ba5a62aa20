package io.redtask.jmx;

import io.redtask.QueueStats;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.JsonCodec;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MBeans through the platform MBean server, as JConsole uses them. */
class RedTaskMBeansTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private ExecutorService workers;
    private ScheduledExecutorService housekeeping;
    private RedTaskEngine engine;
    private RedTaskMBeans mbeans;

    @BeforeEach
    void setUp() {
        workers = Executors.newFixedThreadPool(4);
        housekeeping = Executors.newScheduledThreadPool(6);
        engine = RedTaskEngine.builder()
                .storage(RedisStorage.open(REDIS.url(), 8, Duration.ofSeconds(2), new Keys("jmx"),
                EngineSettings.builder("store").retention(Duration.ofHours(1), Duration.ofDays(1)).maxStalls(3).build()))
                .settings(EngineSettings.builder("jmx-node").concurrency(0).maxConcurrency(4)
                        .pollInterval(Duration.ofMillis(200)).build())
                .workers(workers).housekeeping(housekeeping)
                .handler(HandlerRegistration.of("t", (p, c) -> null))
                .build();
        engine.start();
        mbeans = new RedTaskMBeans(engine.admin());
        mbeans.register(List.of("default"));
    }

    @AfterEach
    void tearDown() {
        mbeans.close();
        engine.stop();
        workers.shutdownNow();
        housekeeping.shutdownNow();
    }

    @Test
    void queueFiguresAndOperationsWorkThroughJmx() throws Exception {
        ObjectName queue = new ObjectName("io.redtask:type=Queue,name=default");
        ObjectName workersName = new ObjectName("io.redtask:type=Workers");
        for (int i = 0; i < 3; i++) {
            engine.submit("t", i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> (long) server.getAttribute(queue, "Ready") == 3);
        assertEquals(false, server.getAttribute(queue, "Paused"));
        server.invoke(queue, "pause", null, null);
        assertEquals(true, server.getAttribute(queue, "Paused"));
        server.setAttribute(workersName, new Attribute("Concurrency", 2));
        assertEquals(2, server.getAttribute(workersName, "Concurrency"));
        // Paused: nothing starts although there are workers now.
        await().pollDelay(Duration.ofMillis(600)).until(() -> true);
        assertEquals(3L, server.getAttribute(queue, "Ready"));
        server.invoke(queue, "resume", null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> (long) server.getAttribute(queue, "Ready") == 0
                && (long) server.getAttribute(workersName, "Completed") == 3);
        assertEquals("jmx-node", server.getAttribute(workersName, "NodeId"));
        assertEquals(4, server.getAttribute(workersName, "MaxConcurrency"));
        QueueStats stats = engine.admin().queue("default");
        assertEquals(3, stats.completed());
    }

    @Test
    void askingForMoreThanTheExecutorsLimitSaysSo() throws Exception {
        ObjectName workersName = new ObjectName("io.redtask:type=Workers");
        RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class,
                () -> server.setAttribute(workersName, new Attribute("Concurrency", 5)));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("worker executor's limit"), e.getCause().getMessage());
        assertEquals(0, server.getAttribute(workersName, "Concurrency"));
    }

    @Test
    void descriptionsAndTheClusterViewAreThere() throws Exception {
        ObjectName queue = new ObjectName("io.redtask:type=Queue,name=default");
        String readyDescription = List.of(server.getMBeanInfo(queue).getAttributes()).stream()
                .filter(a -> a.getName().equals("Ready")).findFirst().orElseThrow().getDescription();
        assertEquals("Tasks waiting for a worker (all servers)", readyDescription);
        CompositeData[] servers = (CompositeData[]) server.getAttribute(new ObjectName("io.redtask:type=Cluster"), "Servers");
        assertEquals(1, servers.length);
        assertEquals("jmx-node", servers[0].get("nodeId"));
        mbeans.close();
        assertTrue(server.queryNames(new ObjectName("io.redtask:*"), null).isEmpty(), "all unregistered");
    }
}
