package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.redis.RedisProbe;
import io.redtask.testing.RedisServer;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code redtask.durability}: with {@code replicas:N} a submit and a completion are acknowledged
 * only once N replicas have them (WAIT in the same connection); without the replicas the caller
 * is told; {@code fsync} needs a Redis that knows WAITAOF and says so when it does not.
 */
class DurabilityTest {

    private static final Logger LOG = Logger.getLogger(DurabilityTest.class.getName());

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private RedTaskEngine engine(String url, Durability durability) {
        return fixture.unstarted(
                url,
                Duration.ofSeconds(2),
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n").durability(durability),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok")));
    }

    @Test
    void replicasModeWaitsForTheReplicaAndTellsTheCallerWhenThereIsNone() {
        try (RedisServer replica = RedisServer.start(
                false,
                List.of(
                        "--replicaof",
                        "127.0.0.1",
                        Integer.toString(REDIS.server().port())))) {
            try (UnifiedJedis probe = RedisProbe.open(REDIS.url())) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> probe.info("replication").contains("state=online"));
            }
            RedTaskEngine durable = engine(REDIS.url(), Durability.parse("replicas:1", Duration.ofSeconds(1)));
            RedTaskEngine plain = engine(REDIS.url(), Durability.ASYNC);
            String id = durable.submit("t", 1);
            try (UnifiedJedis onReplica = RedisProbe.open(replica.url())) {
                assertTrue(
                        onReplica.exists(fixture.store().keys().task(id)),
                        "the replica has the task when submit returns");
            }
            durable.start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> durable.status(id).orElseThrow().state() == TaskState.SUCCEEDED);

            // What it costs: submits one after another, each with and without the wait.
            long asyncNanos = time(() -> IntStream.range(0, 300).forEach(i -> plain.submit("t", i)));
            long waitNanos = time(() -> IntStream.range(0, 300).forEach(i -> durable.submit("t", i)));
            LOG.info(() -> "durability cost: 300 submits async " + TimeUnit.NANOSECONDS.toMillis(asyncNanos)
                    + " ms, replicas:1 " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
        }
        // The replica is gone: nothing confirms within the timeout, and the caller is told.
        RedTaskEngine durable = engine(REDIS.url(), Durability.parse("replicas:1", Duration.ofMillis(300)));
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> durable.submit("t", 2));
        assertTrue(e.getMessage().contains("did not confirm it as replicas:1"), e.getMessage());
    }

    @Test
    void fsyncModeNeedsWaitaofAndSaysSoOnAnOlderRedis() {
        RedTaskEngine durable = engine(REDIS.url(), Durability.parse("fsync", Duration.ofSeconds(1)));
        String version;
        try (UnifiedJedis probe = RedisProbe.open(REDIS.url())) {
            version = probe.info("server")
                    .lines()
                    .filter(l -> l.startsWith("redis_version:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("redis_version:".length())
                    .strip();
        }
        String[] v = version.split("\\.");
        boolean knowsWaitaof =
                Integer.parseInt(v[0]) > 7 || (Integer.parseInt(v[0]) == 7 && Integer.parseInt(v[1]) >= 2);
        if (knowsWaitaof) {
            // An AOF is needed for WAITAOF to confirm anything: this Redis has none, so it times out.
            assertThrows(StoreUnavailableException.class, () -> durable.submit("t", 1));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> durable.submit("t", 1));
            assertTrue(e.getMessage().contains("needs Redis 7.2 or later"), e.getMessage());
        }
        assertEquals(
                Durability.Mode.FSYNC,
                Durability.parse(" FSYNC ", Duration.ofSeconds(1)).mode());
        assertThrows(IllegalArgumentException.class, () -> Durability.parse("replicas:0", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Durability.parse("always", Duration.ofSeconds(1)));
    }

    private static long time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }
}
