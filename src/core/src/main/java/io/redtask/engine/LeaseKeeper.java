package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Extends the leases of this server's running tasks, one round trip per queue. A task whose
 * lease cannot be extended was cancelled, or taken over after this server stalled: its handler is
 * stopped (flag and interrupt), since its result would be refused.
 */
final class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class.getName());

    private final TaskStore tasks;
    private final Workers workers;
    private final Clock clock;
    private final EngineSettings settings;

    LeaseKeeper(TaskStore tasks, Workers workers, Clock clock, EngineSettings settings) {
        this.tasks = tasks;
        this.workers = workers;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Renews every lease this server holds, one round trip per queue. A round that fails on a
     * broken connection (Redis restarted) is tried once more at once, on a fresh connection,
     * rather than a heartbeat later: leases are what the watchdog fences on.
     */
    void renew() {
        try {
            renewOnce();
        } catch (StoreUnavailableException e) {
            renewOnce();
        }
    }

    private void renewOnce() {
        // Taken before the call: the lease Redis records ends at or after this by our clock.
        long until = clock.millis() + settings.lease().toMillis();
        // Every attempt still here, also one whose handler has returned while its outcome is being
        // written (a Redis blip): its lease must hold until the outcome is in.
        Map<String, List<RunContext>> byQueue = workers.running().stream()
                .collect(Collectors.groupingBy(r -> r.task().queue()));
        for (Map.Entry<String, List<RunContext>> e : byQueue.entrySet()) {
            List<RunContext> held = new ArrayList<>();
            List<ClaimedTask> stopped = new ArrayList<>();
            for (RunContext r : e.getValue()) {
                if (r.isCancelled()) {
                    if (!r.hasReturned()) {
                        // Stopped but still running: it keeps counting against the queue's limit.
                        stopped.add(r.task());
                    }
                } else {
                    held.add(r);
                }
            }
            List<Boolean> kept =
                    tasks.extend(e.getKey(), held.stream().map(RunContext::task).toList(), until);
            for (int i = 0; i < held.size(); i++) {
                RunContext run = held.get(i);
                if (kept.get(i)) {
                    run.leaseRenewed(until);
                } else if (!run.hasReturned() && run.stop(StopReason.LEASE_LOST)) {
                    // (A task that finished during the round is no longer held: nothing to stop.)
                    LOG.info(() -> "RedTask: task " + run.taskId() + " was cancelled or its lease was taken over; "
                            + "its handler was interrupted");
                }
            }
            tasks.extendLingering(e.getKey(), stopped, until);
        }
    }
}
