package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.engine.TaskStore.ClaimBatch;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Claims tasks of one queue for this server, as many as it has free worker slots, and hands
 * them to the engine. When the queue is empty it blocks on the queue's wake list, but never for
 * longer than the poll interval, so that it sees the stop flag (Liberty does not interrupt a
 * thread blocked in Redis) and a scheduled task that has come due.
 */
final class Fetcher implements Runnable {

    private static final Logger LOG = Logger.getLogger(Fetcher.class.getName());

    private final RedTaskEngine engine;
    private final String queue;

    Fetcher(RedTaskEngine engine, String queue) {
        this.engine = engine;
        this.queue = queue;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            engine.fetcherLeft();
        }
    }

    private void loop() {
        EngineSettings s = engine.settings();
        long outageBackoff = 100;
        boolean outageLogged = false;
        while (engine.isRunning()) {
            engine.fetcherAlive(queue);
            int slots = 0;
            long backoff = 0;
            try {
                if (engine.workersPaused()) {
                    engine.pause(s.pollInterval().toMillis());
                    continue;
                }
                slots = engine.slots().acquireUpTo(s.claimBatch(), s.pollInterval().toMillis());
                if (slots == 0 || !engine.isRunning()) {
                    continue;
                }
                long now = engine.clock().millis();
                ClaimBatch batch = engine.store().claim(queue, slots, now, s.lease().toMillis(), s.nodeId());
                int claimed = batch.tasks().size();
                engine.slots().release(slots - claimed);
                slots = 0;
                for (ClaimedTask task : batch.tasks()) {
                    engine.dispatch(task);
                }
                if (outageLogged) {
                    LOG.info(() -> "RedTask: Redis answers again; fetching from queue '" + queue + "' resumed");
                    outageLogged = false;
                }
                outageBackoff = 100;
                if (claimed == 0) {
                    long wait = s.pollInterval().toMillis();
                    if (batch.nextDueAt() >= 0) {
                        wait = Math.max(1, Math.min(wait, batch.nextDueAt() - now));
                    }
                    engine.store().awaitWork(queue, wait);
                }
            } catch (StoreUnavailableException e) {
                if (!engine.isRunning()) {
                    return; // stopping: the store may be closing under us
                }
                if (!outageLogged) {
                    LOG.warning("RedTask: cannot fetch from queue '" + queue + "': " + e.getMessage()
                            + "; retrying until Redis answers");
                    outageLogged = true;
                }
                backoff = outageBackoff;
                outageBackoff = Math.min(outageBackoff * 2, 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "RedTask: fetching from queue '" + queue + "' failed; retrying", e);
                backoff = 1_000;
            } finally {
                engine.slots().release(slots);
            }
            // Back off with the slots given back, so the server does not look busy while it waits.
            if (backoff > 0) {
                engine.pause(backoff);
            }
        }
    }
}
