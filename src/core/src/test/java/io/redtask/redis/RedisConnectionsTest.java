package io.redtask.redis;

import io.redtask.engine.EngineSettings;
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code /db} form of {@code redtask.redis.url}, against a real redis-server: RedTask's keys
 * land in that database and nowhere else. (Logins, {@code rediss://} and URLs that cannot work:
 * {@link RedisSecurityTest}; Sentinel and Cluster URLs: {@code ClusterAndSentinelTest}.)
 */
class RedisConnectionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void aDatabaseNumberInTheUrlKeepsTheKeysThere() {
        RedisServer server = RedisServer.start(false);
        cleanup.add(server::close);
        RedisStorage storage = RedisStorage.open(
                server.url() + "/3",
                4,
                TIMEOUT,
                new Keys("dbtest"),
                EngineSettings.builder("store").build());
        cleanup.add(storage::close);
        storage.queues().register(List.of("mail"));
        UnifiedJedis db3 = RedisProbe.open(server.url() + "/3");
        cleanup.add(db3::close);
        UnifiedJedis db0 = RedisProbe.open(server.url());
        cleanup.add(db0::close);
        assertTrue(db3.exists("dbtest:queues"), "written to database 3");
        assertFalse(db0.exists("dbtest:queues"), "not to database 0");
        assertEquals(List.of("mail"), storage.queues().names());
    }
}
