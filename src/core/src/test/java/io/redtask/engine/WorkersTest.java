package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link Workers} reports as busy: the attempts that run, not the slots a fetcher holds while
 * its claim is on the way (JMX "Busy", the heartbeat and the health check show this figure).
 */
class WorkersTest {

    @Test
    void slotsHeldForAClaimAreNotCountedAsBusy() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Workers workers = new Workers(
                    pool,
                    Clock.systemUTC(),
                    EngineSettings.builder("n").concurrency(4).maxConcurrency(4).build());
            assertEquals(3, workers.take(3, 0), "a fetcher takes three slots for its claim");
            assertEquals(0, workers.busy(), "nothing runs while the claim is on the way");
            assertEquals(3, workers.slotsUsed());

            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            assertTrue(workers.start(task("a"), Long.MAX_VALUE, run -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                workers.finished(run);
                done.countDown();
            }));
            workers.giveBack(2);
            assertEquals(1, workers.busy(), "one claimed task runs, two slots went back");
            assertEquals(1, workers.slotsUsed());

            release.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(0, workers.busy());
            assertEquals(0, workers.slotsUsed());
        } finally {
            pool.shutdownNow();
        }
    }

    private static ClaimedTask task(String id) {
        return new ClaimedTask(id, "default", "t", "null", 1, 1, 3, 0, null, -1, -1, 0, null);
    }
}
