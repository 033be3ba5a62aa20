package io.redtask.testing;

import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /**
     * A worker JVM a test started, and the ids of the tasks it announced (read from its stdout
     * until it dies).
     *
     * @param process the JVM, to kill
     * @param started ids of the tasks it started
     */
    public record Running(Process process, Set<String> started) {}

    /** Starts a worker JVM on {@code redisUrl} with {@code prefix} as node {@code nodeId}; its stderr goes to {@code log}. */
    public static Running launch(String redisUrl, String prefix, String nodeId, File log) throws IOException {
        Process process = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkerProcess.class.getName(),
                        redisUrl,
                        prefix,
                        nodeId)
                .redirectError(log)
                .start();
        Set<String> started = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("STARTED ")) {
                        started.add(line.substring(8));
                    }
                }
            } catch (IOException e) {
                // the process was killed
            }
        });
        reader.start();
        return new Running(process, started);
    }

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
