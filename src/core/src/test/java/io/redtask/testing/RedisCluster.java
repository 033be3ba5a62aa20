package io.redtask.testing;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real three-master Redis Cluster on free loopback ports, made with {@code redis-cli --cluster
 * create}, for tests of the cluster code path.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisCluster() {}

    public static RedisCluster start() {
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < 3; i++) {
                cluster.nodes.add(RedisServer.start(
                        false,
                        List.of(
                                "--cluster-enabled",
                                "yes",
                                "--cluster-config-file",
                                "nodes.conf",
                                "--cluster-node-timeout",
                                "5000")));
            }
            List<String> create = new ArrayList<>(List.of(cli(), "--cluster", "create"));
            cluster.nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            for (RedisServer n : cluster.nodes) {
                Awaitility.await("cluster state ok on " + n.port())
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> run(List.of(cli(), "-p", Integer.toString(n.port()), "cluster", "info"))
                                .contains("cluster_state:ok"));
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw new IllegalStateException("cannot start a Redis Cluster: " + e.getMessage(), e);
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...} */
    public String url() {
        StringBuilder sb = new StringBuilder("redis-cluster://");
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("127.0.0.1:")
                    .append(nodes.get(i).port());
        }
        return sb.toString();
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }

    static String cli() {
        return RedisServer.findBinary().replace("redis-server", "redis-cli");
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
