package io.redtask.jmx;

import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.engine.RetryBackoff;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.MutableClock;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MBeans through the platform MBean server, as JConsole uses them: every attribute and
 * operation the README lists, each checked against what it claims to do (the tasks that run or
 * do not, not only the figure shown). Time is a {@link MutableClock}; each test has its own key
 * prefix.
 */
class RedTaskMBeansTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final MutableClock clock = new MutableClock(T0);
    private final String prefix = "jmx-" + UUID.randomUUID();
    private final List<Runnable> cleanup = new ArrayList<>();

    /** What the "hold" handler does: counts its starts, waits to be released, counts interrupts. */
    private final AtomicInteger started = new AtomicInteger();

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger interrupts = new AtomicInteger();
    /** The "flaky" handler fails until this is true. */
    private final AtomicBoolean healthy = new AtomicBoolean();

    private RedTaskEngine engine;
    private RedTaskMBeans mbeans;
    private ObjectName queue;
    private ObjectName workers;
    private ObjectName cluster;

    @BeforeEach
    void setUp() throws Exception {
        engine = engine("jmx-node", 0);
        mbeans = new RedTaskMBeans(engine.admin());
        mbeans.register(List.of("default"));
        queue = new ObjectName("io.redtask:type=Queue,name=default");
        workers = new ObjectName("io.redtask:type=Workers");
        cluster = new ObjectName("io.redtask:type=Cluster");
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        mbeans.close();
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    /** A started engine on this test's prefix, serving "default", heartbeat every 100 ms. */
    private RedTaskEngine engine(String node, int concurrency) {
        ExecutorService pool = Executors.newCachedThreadPool();
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage storage = RedisStorage.open(
                REDIS.url(),
                16,
                Duration.ofSeconds(2),
                new Keys(prefix),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofDays(1))
                        .build());
        RedTaskEngine e = RedTaskEngine.builder()
                .storage(storage)
                .clock(clock)
                .settings(EngineSettings.builder(node)
                        .concurrency(concurrency)
                        .maxConcurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .lease(Duration.ofSeconds(30), Duration.ofMillis(100))
                        // Retries are due at once: the clock only moves when a test moves it.
                        .backoff(new RetryBackoff(Duration.ZERO, Duration.ZERO, 0))
                        .build())
                .workers(pool)
                .housekeeping(housekeeping)
                .handler(HandlerRegistration.of("t", (p, c) -> null))
                .handler(HandlerRegistration.of("flaky", (p, c) -> {
                    if (!healthy.get()) {
                        throw new IllegalStateException("not yet");
                    }
                    return "ok";
                }))
                .handler(HandlerRegistration.of("hold", (p, c) -> {
                    started.incrementAndGet();
                    try {
                        if (!release.await(20, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("never released");
                        }
                    } catch (InterruptedException ex) {
                        interrupts.incrementAndGet();
                        throw ex;
                    }
                    return "held";
                }))
                .build();
        e.start();
        cleanup.add(() -> {
            e.stop();
            e.awaitLoops(Duration.ofSeconds(5));
            pool.shutdownNow();
            housekeeping.shutdownNow();
            storage.close();
        });
        return e;
    }

    private Object get(ObjectName name, String attribute) throws Exception {
        return server.getAttribute(name, attribute);
    }

    private void set(ObjectName name, String attribute, Object value) throws Exception {
        server.setAttribute(name, new Attribute(attribute, value));
    }

    private Object invoke(ObjectName name, String operation) throws Exception {
        return server.invoke(name, operation, null, null);
    }

    /** Queue attributes are read from Redis at most every half second: wait for the value. */
    private void awaitAttribute(ObjectName name, String attribute, Object expected) {
        await(attribute + " = " + expected)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> get(name, attribute), expected::equals);
    }

    private TaskStatus awaitState(String id, TaskState state) {
        return await(id + " " + state)
                .atMost(TIMEOUT)
                .until(() -> engine.status(id).orElseThrow(), s -> s.state() == state);
    }

    @Test
    void queueDepthsWaitingTimePauseAndThroughputThroughJmx() throws Exception {
        for (int i = 0; i < 3; i++) {
            engine.submit("t", i);
        }
        engine.submit(
                "t", "later", SubmitOptions.builder().delay(Duration.ofHours(1)).build());
        awaitAttribute(queue, "Ready", 3L);
        awaitAttribute(queue, "Scheduled", 1L);
        assertEquals(0L, get(queue, "Running"));
        assertEquals(0L, get(queue, "Dead"));
        clock.advance(Duration.ofSeconds(7));
        awaitAttribute(queue, "OldestWaitingMillis", 7_000L);

        invoke(queue, "pause");
        assertEquals(true, get(queue, "Paused"));
        assertTrue(engine.admin().queue("default").paused(), "paused in Redis, for every server");
        set(workers, "Concurrency", 2);
        assertEquals(2, get(workers, "Concurrency"));
        // Paused: three rounds of the fetcher with two free workers start nothing.
        FetchRounds.await(engine.health(), 3);
        assertEquals(3, engine.admin().queue("default").ready());
        assertEquals(0L, get(workers, "Completed"));

        invoke(queue, "resume");
        assertEquals(false, get(queue, "Paused"));
        await().atMost(TIMEOUT).until(() -> (long) get(workers, "Completed") == 3);
        awaitAttribute(queue, "Ready", 0L);
        awaitAttribute(queue, "CompletedTotal", 3L);
        awaitAttribute(queue, "CompletedPerMinute", 3L);
        awaitAttribute(queue, "OldestWaitingMillis", 0L);
        assertEquals(1L, get(queue, "Scheduled"), "the delayed task still waits for its time");
        assertEquals("jmx-node", get(workers, "NodeId"));
        assertEquals(4, get(workers, "MaxConcurrency"));
    }

    @Test
    void deadTasksAreCountedRetriedWithFreshAttemptsAndPurgedThroughJmx() throws Exception {
        set(workers, "Concurrency", 2);
        String id = engine.submit(
                "flaky", null, SubmitOptions.builder().maxAttempts(2).build());
        TaskStatus dead = awaitState(id, TaskState.DEAD);
        assertEquals(2, dead.attempts());
        awaitAttribute(queue, "Dead", 1L);
        awaitAttribute(queue, "FailedTotal", 2L);
        awaitAttribute(queue, "FailedPerMinute", 2L);
        assertEquals(2L, get(workers, "Failed"));

        healthy.set(true);
        assertEquals(1, invoke(queue, "retryDead"));
        TaskStatus retried = awaitState(id, TaskState.SUCCEEDED);
        assertEquals(1, retried.attempts(), "fresh attempts: the first try after the retry succeeded");
        assertEquals("\"ok\"", retried.result());
        awaitAttribute(queue, "Dead", 0L);
        awaitAttribute(queue, "CompletedTotal", 1L);
        assertEquals(0, invoke(queue, "retryDead"), "nothing left to retry");

        healthy.set(false);
        String doomed = engine.submit("flaky", null);
        awaitState(doomed, TaskState.DEAD);
        awaitAttribute(queue, "Dead", 1L);
        assertEquals(1, invoke(queue, "purgeDead"));
        assertEquals(0L, get(queue, "Dead"));
        assertTrue(engine.status(doomed).isEmpty(), "a purged task is gone");
        awaitAttribute(queue, "FailedTotal", 3L);
    }

    @Test
    void theQueueConcurrencyLimitIsWritableAndHolds() throws Exception {
        assertEquals(-1, get(queue, "ConcurrencyLimit"), "no limit");
        set(queue, "ConcurrencyLimit", 1);
        assertEquals(1, get(queue, "ConcurrencyLimit"));
        assertEquals(1, engine.admin().queue("default").concurrencyLimit());
        set(workers, "Concurrency", 4);
        List<String> ids = List.of(engine.submit("hold", 1), engine.submit("hold", 2), engine.submit("hold", 3));
        await().atMost(TIMEOUT).until(() -> started.get() == 1);
        // Three free workers and three rounds of claims: the limit keeps the others waiting.
        FetchRounds.await(engine.health(), 3);
        assertEquals(1, started.get());
        assertEquals(1, get(workers, "Busy"));

        set(queue, "ConcurrencyLimit", -1);
        assertEquals(-1, get(queue, "ConcurrencyLimit"));
        assertEquals(null, engine.admin().queue("default").concurrencyLimit(), "-1 removes the limit");
        await().atMost(TIMEOUT).until(() -> started.get() == 3);
        release.countDown();
        ids.forEach(id -> awaitState(id, TaskState.SUCCEEDED));
        assertEquals(0, interrupts.get());
    }

    @Test
    void pausingTheQueueOrTheWorkersLetsRunningTasksFinish() throws Exception {
        set(workers, "Concurrency", 2);
        String a = engine.submit("hold", "a");
        String b = engine.submit("hold", "b");
        await().atMost(TIMEOUT).until(() -> started.get() == 2);
        invoke(queue, "pause");
        invoke(workers, "pause");
        assertEquals(true, get(workers, "Paused"));
        assertEquals(2, get(workers, "Busy"), "pausing stops nothing that runs");
        String c = engine.submit("hold", "c");
        FetchRounds.await(engine.health(), 3);

        release.countDown();
        assertEquals("\"held\"", awaitState(a, TaskState.SUCCEEDED).result());
        assertEquals("\"held\"", awaitState(b, TaskState.SUCCEEDED).result());
        assertEquals(0, interrupts.get(), "the running tasks were not interrupted");
        assertEquals(2, started.get(), "nothing new started while paused");

        invoke(workers, "resume");
        assertEquals(false, get(workers, "Paused"));
        // This server's workers are back, but the queue is still paused for every server.
        FetchRounds.await(engine.health(), 3);
        assertEquals(TaskState.QUEUED, engine.status(c).orElseThrow().state());
        invoke(queue, "resume");
        awaitState(c, TaskState.SUCCEEDED);
    }

    @Test
    void loweringConcurrencyNeverStopsARunningTask() throws Exception {
        set(workers, "Concurrency", 2);
        String a = engine.submit("hold", "a");
        String b = engine.submit("hold", "b");
        await().atMost(TIMEOUT).until(() -> started.get() == 2);
        set(workers, "Concurrency", 0);
        assertEquals(0, get(workers, "Concurrency"));
        assertEquals(2, get(workers, "Busy"), "both still run");
        String c = engine.submit("hold", "c");
        FetchRounds.await(engine.health(), 3);
        assertEquals(2, started.get(), "no new task over the lowered limit");

        release.countDown();
        assertEquals(1, awaitState(a, TaskState.SUCCEEDED).attempts());
        assertEquals(1, awaitState(b, TaskState.SUCCEEDED).attempts());
        assertEquals(0, interrupts.get(), "lowering the concurrency interrupted nothing");
        await().atMost(TIMEOUT).until(() -> (int) get(workers, "Busy") == 0);
        // A worker that finished took no next task over the limit either.
        FetchRounds.await(engine.health(), 3);
        assertEquals(TaskState.QUEUED, engine.status(c).orElseThrow().state());
        set(workers, "Concurrency", 1);
        awaitState(c, TaskState.SUCCEEDED);
        // Counted by the worker after the outcome is in Redis, where awaitState saw it.
        awaitAttribute(workers, "Completed", 3L);
    }

    @Test
    void theClusterViewCountsEveryServerAndWhatItRuns() throws Exception {
        assertEquals(1, get(cluster, "ServerCount"));
        RedTaskEngine other = engine("jmx-other", 3);
        await().atMost(TIMEOUT).until(() -> (int) get(cluster, "ServerCount") == 2);
        assertEquals(0 + 3, get(cluster, "TotalConcurrency"), "this server's 0 and the other's 3");
        set(workers, "Concurrency", 1);
        await().atMost(TIMEOUT).until(() -> (int) get(cluster, "TotalConcurrency") == 1 + 3);

        for (int i = 0; i < 4; i++) {
            engine.submit("hold", i);
        }
        await().atMost(TIMEOUT).until(() -> started.get() == 4);
        // Each server reports what it runs with its heartbeat (every 100 ms here).
        await().atMost(TIMEOUT).until(() -> (int) get(cluster, "TotalBusy") == 4);
        assertEquals(4, engine.admin().busy() + other.admin().busy());
        CompositeData[] servers = (CompositeData[]) get(cluster, "Servers");
        assertEquals(
                List.of("jmx-node", "jmx-other"),
                java.util.Arrays.stream(servers)
                        .map(s -> (String) s.get("nodeId"))
                        .sorted()
                        .toList());

        release.countDown();
        await().atMost(TIMEOUT).until(() -> (int) get(cluster, "TotalBusy") == 0);
        other.stop();
        await().atMost(TIMEOUT).until(() -> (int) get(cluster, "ServerCount") == 1);
    }

    @Test
    void askingForMoreThanTheExecutorsLimitSaysSo() throws Exception {
        RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class, () -> set(workers, "Concurrency", 5));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("worker executor's limit"),
                e.getCause().getMessage());
        assertEquals(0, get(workers, "Concurrency"));
    }

    @Test
    void descriptionsAndTheClusterViewAreThere() throws Exception {
        String readyDescription = List.of(server.getMBeanInfo(queue).getAttributes()).stream()
                .filter(a -> a.getName().equals("Ready"))
                .findFirst()
                .orElseThrow()
                .getDescription();
        assertEquals("Tasks waiting for a worker (all servers)", readyDescription);
        CompositeData[] servers = (CompositeData[]) get(cluster, "Servers");
        assertEquals(1, servers.length);
        assertEquals("jmx-node", servers[0].get("nodeId"));
        mbeans.close();
        assertTrue(server.queryNames(new ObjectName("io.redtask:*"), null).isEmpty(), "all unregistered");
    }
}
