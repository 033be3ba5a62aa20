package io.redtask.fault;

import io.redtask.BatchDone;
import io.redtask.BatchReceipt;
import io.redtask.BatchSummary;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Batches on a Redis Cluster: each batch's record, members and callback live in its queue's slot,
 * so batches in queues on different masters count and call back on their own, each once.
 */
class BatchOnClusterTest {

    static final class Done implements TaskHandler<BatchDone, Void> {
        final Map<String, Integer> runs = new ConcurrentHashMap<>();
        final Map<String, BatchSummary> summaries = new ConcurrentHashMap<>();

        @Override
        public Void handle(BatchDone payload, TaskContext context) {
            runs.merge(payload.batch().id(), 1, Integer::sum);
            summaries.put(payload.batch().id(), payload.batch());
            return null;
        }
    }

    @Test
    void batchesInQueuesOnDifferentMastersEachCallBackOnce() throws Exception {
        List<String> queues = List.of("alpha", "beta", "gamma");
        Done done = new Done();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(queues.size() + 4);
        try (RedisCluster cluster = RedisCluster.start()) {
            RedisStorage store = RedisStorage.open(
                    cluster.url(),
                    16,
                    Duration.ofSeconds(2),
                    new Keys("rt"),
                    EngineSettings.builder("store").build());
            RedTaskEngine engine = RedTaskEngine.builder()
                    .storage(store)
                    .workers(workers)
                    .housekeeping(housekeeping)
                    .settings(EngineSettings.builder("c1")
                            .queues(queues)
                            .concurrency(4)
                            .pollInterval(Duration.ofMillis(200))
                            .build())
                    .handler(HandlerRegistration.of("echo", (p, c) -> {
                        if (((Number) p).intValue() % 5 == 0) {
                            throw new io.redtask.NonRetryableException("scripted");
                        }
                        return p;
                    }))
                    .handler(HandlerRegistration.of("done", done))
                    .build();
            engine.start();
            try {
                List<BatchReceipt> batches = queues.stream()
                        .map(q -> engine.submitBatchForReceipt(
                                IntStream.range(0, 20)
                                        .mapToObj(i -> new Submission("echo", i, SubmitOptions.queue(q)))
                                        .toList(),
                                new Submission("done", null, SubmitOptions.queue(q))))
                        .toList();
                await().atMost(Duration.ofSeconds(30)).until(() -> done.runs.size() == 3);
                for (BatchReceipt b : batches) {
                    assertEquals(new BatchSummary(b.id(), 20, 16, 4, 0), done.summaries.get(b.id()));
                    assertEquals("done", engine.batch(b.id()).orElseThrow().state());
                }
                assertEquals(
                        Map.of(1, 3L),
                        done.runs.values().stream()
                                .collect(java.util.stream.Collectors.groupingBy(
                                        n -> n, java.util.stream.Collectors.counting())));
            } finally {
                engine.stop();
                engine.awaitLoops(Duration.ofSeconds(5));
                store.close();
            }
        } finally {
            workers.shutdownNow();
            housekeeping.shutdownNow();
        }
    }
}
