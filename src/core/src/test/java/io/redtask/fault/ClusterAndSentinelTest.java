package io.redtask.fault;

import io.redtask.Schedule;
import io.redtask.SubmitOptions;
import io.redtask.Submission;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.JsonCodec;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisCluster;
import io.redtask.testing.RedisSentinel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same engine on a real Redis Cluster (a queue per slot) and behind a Sentinel across a failover. */
class ClusterAndSentinelTest {

    private final List<Runnable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    private RedTaskEngine engine(String url, String node, List<String> queues) {
        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(queues.size() + 4);
        RedisStorage store = RedisStorage.open(url, 16, Duration.ofSeconds(2), new Keys("rt"),
                EngineSettings.builder("store").retention(Duration.ofHours(1), Duration.ofHours(1)).maxStalls(3).build());
        RedTaskEngine engine = RedTaskEngine.builder().storage(store).workers(workers).housekeeping(housekeeping)
                .settings(EngineSettings.builder(node).queues(queues).concurrency(4).pollInterval(Duration.ofMillis(200))
                        .cronInterval(Duration.ofMillis(200)).build())
                .handler(HandlerRegistration.of("echo", (p, c) -> p))
                .build();
        engine.start();
        cleanup.add(() -> {
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            workers.shutdownNow();
            housekeeping.shutdownNow();
            store.close();
        });
        return engine;
    }

    private static TaskStatus awaitSucceeded(RedTaskEngine engine, String id) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> engine.status(id).orElseThrow(),
                s -> s.state() == TaskState.SUCCEEDED);
    }

    @Test
    void everythingWorksOnARedisCluster() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        cleanup.add(cluster::close);
        RedTaskEngine engine = engine(cluster.url(), "c1", List.of("alpha", "beta", "gamma"));

        List<String> ids = new ArrayList<>();
        for (String q : List.of("alpha", "beta", "gamma")) {
            ids.add(engine.submit("echo", q, SubmitOptions.queue(q)));
        }
        ids.addAll(engine.submitAll(IntStream.range(0, 30).mapToObj(i -> new Submission("echo", i,
                SubmitOptions.queue(List.of("alpha", "beta", "gamma").get(i % 3)))).toList()));
        String once = engine.submit("echo", "x", SubmitOptions.builder().queue("beta").idempotencyKey("k").build());
        assertEquals(once, engine.submit("echo", "x", SubmitOptions.builder().queue("beta").idempotencyKey("k").build()));
        for (String id : ids) {
            awaitSucceeded(engine, id);
        }
        // One pipelined read across three slots.
        assertEquals(TaskState.SUCCEEDED, engine.whenFinished(ids.get(1)).toCompletableFuture().get(10, TimeUnit.SECONDS).state());
        assertEquals(List.of("alpha", "beta", "gamma"), engine.admin().queues().stream().map(q -> q.name()).toList());
        assertEquals(11, engine.admin().queue("alpha").completed());
        engine.schedule(Schedule.builder("cluster-tick", "* * * * * *", "echo").payload("tick")
                .options(SubmitOptions.queue("gamma")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.admin().queue("gamma").completed() >= 12);
        assertEquals(1, engine.admin().nodes().size());
    }

    @Test
    void tasksKeepRunningAcrossASentinelFailover() throws Exception {
        RedisSentinel sentinel = RedisSentinel.start();
        cleanup.add(sentinel::close);
        RedTaskEngine engine = engine(sentinel.url(), "s1", List.of("default"));
        String before = engine.submit("echo", "before");
        awaitSucceeded(engine, before);

        // Replication is asynchronous: let the replica catch up, as WAIT does for careful writers.
        assertEquals("1", cli(sentinel.master().port(), "WAIT", "1", "5000"), "the replica has every write");
        int oldMaster = sentinel.master().port();
        Process failover = new ProcessBuilder("redis-cli", "-p", sentinelPort(sentinel), "SENTINEL", "FAILOVER",
                RedisSentinel.MASTER).redirectErrorStream(true).start();
        assertTrue(failover.waitFor(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> currentMaster(sentinel) != oldMaster);

        // Submits may be refused for a moment while the client follows the new master.
        String after = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> engine.submit("echo", "after"), id -> id != null);
        assertEquals("\"after\"", awaitSucceeded(engine, after).result());
        assertEquals(TaskState.SUCCEEDED, engine.status(before).orElseThrow().state(), "replicated before the failover");
    }

    private static String cli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static String sentinelPort(RedisSentinel s) {
        return s.url().replaceAll(".*:(\\d+)/.*", "$1");
    }

    private static int currentMaster(RedisSentinel s) throws Exception {
        Process p = new ProcessBuilder("redis-cli", "-p", sentinelPort(s), "SENTINEL", "get-master-addr-by-name",
                RedisSentinel.MASTER).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(5, TimeUnit.SECONDS);
        String[] lines = out.split("\\R");
        return Integer.parseInt(lines[lines.length - 1].strip());
    }
}
