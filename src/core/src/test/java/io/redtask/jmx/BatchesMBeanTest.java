package io.redtask.jmx;

import io.redtask.BatchReceipt;
import io.redtask.Submission;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code io.redtask:type=Batches,name=<queue>}: running and done batches, their counts, as JConsole reads them. */
class BatchesMBeanTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void runningAndDoneBatchesAreShownWithTheirCounts() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newCachedThreadPool();
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(6);
        RedisStorage storage = RedisStorage.open(
                REDIS.url(),
                8,
                Duration.ofSeconds(2),
                new Keys("jmx-batch-" + UUID.randomUUID()),
                EngineSettings.builder("store").build());
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(storage)
                .settings(EngineSettings.builder("jmx-batch")
                        .concurrency(4)
                        .pollInterval(Duration.ofMillis(200))
                        .build())
                .workers(pool)
                .housekeeping(housekeeping)
                .handler(HandlerRegistration.of("t", (p, c) -> null))
                .handler(HandlerRegistration.of("hold", (p, c) -> {
                    if (!release.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                    return null;
                }))
                .build();
        engine.start();
        RedTaskMBeans mbeans = new RedTaskMBeans(engine.admin());
        try {
            mbeans.register(List.of("default"));
            ObjectName batches = new ObjectName("io.redtask:type=Batches,name=default");
            BatchReceipt quick = engine.submitBatchForReceipt(
                    List.of(Submission.of("t", 1), Submission.of("t", 2)), Submission.of("t", null));
            await().atMost(Duration.ofSeconds(10)).until(() -> (Long) server.getAttribute(batches, "DoneTotal") == 1);
            BatchReceipt held = engine.submitBatchForReceipt(List.of(Submission.of("hold", 1)), null);
            assertEquals(1L, server.getAttribute(batches, "Running"));
            assertArrayEquals(new String[] {held.id() + " total=1 pending=1 succeeded=0 dead=0 cancelled=0"}, (String[])
                    server.getAttribute(batches, "RunningBatches"));
            assertArrayEquals(
                    new String[] {
                        quick.id() + " total=2 pending=0 succeeded=2 dead=0 cancelled=0 onComplete="
                                + quick.onComplete()
                    },
                    (String[]) server.getAttribute(batches, "DoneBatches"));
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> (Long) server.getAttribute(batches, "Running") == 0);
            assertEquals(2L, server.getAttribute(batches, "DoneTotal"));
            assertTrue(server.getMBeanInfo(batches).getDescription().contains("batches"));
        } finally {
            release.countDown();
            mbeans.close();
            engine.stop();
            engine.awaitLoops(Duration.ofSeconds(5));
            pool.shutdownNow();
            housekeeping.shutdownNow();
            storage.close();
        }
    }
}
