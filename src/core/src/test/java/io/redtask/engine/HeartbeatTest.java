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
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        EngineSettings settings = EngineFixture.settings("late").build();
        Executor never = r -> {
            throw new AssertionError("no task runs here");
        };
        Heartbeat heartbeat =
                new Heartbeat(nodes, new Workers(never, Clock.systemUTC(), settings), Clock.systemUTC(), settings);
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

    private static List<String> ids(NodeRegistry nodes) {
        return nodes.nodes(System.currentTimeMillis()).stream()
                .map(NodeInfo::nodeId)
                .toList();
    }
}
