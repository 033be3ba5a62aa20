package io.redtask.engine;

import io.redtask.NodeInfo;
import io.redtask.store.NodeRegistry;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that has left stays gone: a beat that comes after {@link Heartbeat#leave()} (one the
 * lease keeper had already started when the server stopped) writes nothing, so the other servers
 * do not count a stopped server as alive until its record expires.
 */
class HeartbeatTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aBeatAfterLeavingWritesNothingAndAStartBeatsAgain() {
        NodeRegistry nodes = fixture.store().nodes();
        Heartbeat heartbeat = heartbeat(nodes, "late");
        heartbeat.started();
        heartbeat.beat();
        assertEquals(List.of("late"), ids(nodes));

        heartbeat.leave();
        heartbeat.beat();
        assertEquals(List.of(), ids(nodes), "a beat after leaving must not bring the server back");

        heartbeat.started();
        heartbeat.beat();
        assertEquals(List.of("late"), ids(nodes), "started again, it beats again");
    }

    @Test
    void leavingWaitsForABeatOnItsWay() throws Exception {
        NodeRegistry real = fixture.store().nodes();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch mayWrite = new CountDownLatch(1);
        // The registry as the heartbeat sees it: a beat's write waits until the test lets it go.
        NodeRegistry slow = new NodeRegistry() {
            @Override
            public void heartbeat(NodeInfo node, long ttlMillis) {
                writing.countDown();
                try {
                    mayWrite.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                real.heartbeat(node, ttlMillis);
            }

            @Override
            public List<NodeInfo> nodes(long now) {
                return real.nodes(now);
            }

            @Override
            public void requestConcurrency(String nodeId, int concurrency) {
                real.requestConcurrency(nodeId, concurrency);
            }

            @Override
            public Integer takeRequestedConcurrency(String nodeId) {
                return real.takeRequestedConcurrency(nodeId);
            }

            @Override
            public void remove(String nodeId) {
                real.remove(nodeId);
            }
        };
        Heartbeat heartbeat = heartbeat(slow, "racing");
        heartbeat.started();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> beat = threads.submit(heartbeat::beat);
            assertTrue(writing.await(10, TimeUnit.SECONDS), "the beat is on its way");
            Future<?> leave = threads.submit(heartbeat::leave);
            // The stop waits for the beat rather than remove the record before it is written.
            assertThrows(TimeoutException.class, () -> leave.get(200, TimeUnit.MILLISECONDS));
            mayWrite.countDown();
            beat.get(10, TimeUnit.SECONDS);
            leave.get(10, TimeUnit.SECONDS);
        } finally {
            mayWrite.countDown();
            threads.shutdownNow();
        }
        assertEquals(List.of(), ids(real), "the beat on its way when the server left did not bring it back");
    }

    /** The heartbeat of server {@code node}, writing to {@code nodes}; its workers run nothing. */
    private static Heartbeat heartbeat(NodeRegistry nodes, String node) {
        EngineSettings settings = EngineFixture.settings(node).build();
        Executor never = r -> {
            throw new AssertionError("no task runs here");
        };
        return new Heartbeat(nodes, new Workers(never, Clock.systemUTC(), settings), Clock.systemUTC(), settings);
    }

    private static List<String> ids(NodeRegistry nodes) {
        return nodes.nodes(System.currentTimeMillis()).stream()
                .map(NodeInfo::nodeId)
                .toList();
    }
}
