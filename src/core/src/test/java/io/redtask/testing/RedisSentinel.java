package io.redtask.testing;

import org.awaitility.Awaitility;

import java.util.List;

/**
 * A real master, replica and one Sentinel watching them, on free loopback ports, for tests of
 * the Sentinel code path and of a failover.
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String MASTER = "mymaster";

    private RedisServer master;
    private RedisServer replica;
    private RedisServer sentinel;

    private RedisSentinel() {}

    public static RedisSentinel start() {
        RedisSentinel s = new RedisSentinel();
        try {
            s.master = RedisServer.start(true);
            s.replica = RedisServer.start(true, List.of("--replicaof", "127.0.0.1", Integer.toString(s.master.port())));
            s.awaitReplicaLinked();
            s.sentinel = RedisServer.sentinel("sentinel monitor " + MASTER + " 127.0.0.1 " + s.master.port() + " 1\n"
                    + "sentinel down-after-milliseconds " + MASTER + " 1000\n"
                    + "sentinel failover-timeout " + MASTER + " 5000\n");
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException("cannot start Redis with a Sentinel: " + e.getMessage(), e);
        }
    }

    private void awaitReplicaLinked() {
        Awaitility.await("replica linked")
                .atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> RedisCluster.run(List.of(
                                RedisCluster.cli(), "-p", Integer.toString(replica.port()), "info", "replication"))
                        .contains("master_link_status:up"));
    }

    public String url() {
        return "redis-sentinel://127.0.0.1:" + sentinel.port() + "/" + MASTER;
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    @Override
    public void close() {
        for (RedisServer r : new RedisServer[] {sentinel, replica, master}) {
            if (r != null) {
                r.close();
            }
        }
    }
}
