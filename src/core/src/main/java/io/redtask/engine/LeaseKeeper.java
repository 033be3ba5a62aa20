package io.redtask.engine;

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

    void renew() {
        long until = clock.millis() + settings.lease().toMillis();
        Map<String, List<RunContext>> byQueue = workers.running().stream()
                .filter(r -> !r.isCancelled())
                .collect(Collectors.groupingBy(r -> r.task().queue()));
        for (Map.Entry<String, List<RunContext>> e : byQueue.entrySet()) {
            List<RunContext> runs = e.getValue();
            List<ClaimedTask> held = new ArrayList<>(runs.size());
            runs.forEach(r -> held.add(r.task()));
            List<Boolean> kept = tasks.extend(e.getKey(), held, until);
            for (int i = 0; i < runs.size(); i++) {
                RunContext run = runs.get(i);
                if (!kept.get(i) && run.stop(StopReason.LEASE_LOST)) {
                    LOG.info(() -> "RedTask: task " + run.taskId() + " was cancelled or its lease was taken over; "
                            + "its handler was interrupted");
                }
            }
        }
    }
}
