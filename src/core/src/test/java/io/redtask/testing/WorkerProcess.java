package io.redtask.testing;

import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A worker server in a JVM of its own, for tests that kill one for real:
 * {@code WorkerProcess <redis-url> <key-prefix> <node-id>}. Its handler {@code slow} announces
 * each task on stdout ({@code STARTED <id>}) and then takes a minute. Leases and heartbeats are
 * the defaults, as on a real server.
 */
public final class WorkerProcess {

    private WorkerProcess() {}

    public static void main(String[] args) throws Exception {
        RedisStorage store = RedisStorage.open(
                args[0],
                8,
                Duration.ofSeconds(2),
                new Keys(args[1]),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofHours(1))
                        .maxStalls(3)
                        .build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(store)
                .workers(Executors.newFixedThreadPool(4))
                .housekeeping(Executors.newScheduledThreadPool(6))
                .settings(EngineSettings.builder(args[2])
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .build())
                .handler(HandlerRegistration.of("slow", (p, c) -> {
                    System.out.println("STARTED " + c.taskId());
                    System.out.flush();
                    new CountDownLatch(1).await();
                    return "never";
                }))
                .build();
        engine.start();
        new CountDownLatch(1).await();
    }
}
