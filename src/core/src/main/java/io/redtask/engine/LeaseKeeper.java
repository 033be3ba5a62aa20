package io.redtask.engine;

import io.redtask.NodeInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The heartbeat: extends the leases of this server's running tasks, one round trip per queue.
 * A task whose lease cannot be extended was cancelled, or taken over after this server stalled:
 * its handler is stopped (flag and interrupt), since its result would be refused.
 */
final class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class.getName());

    private final RedTaskEngine engine;

    LeaseKeeper(RedTaskEngine engine) {
        this.engine = engine;
    }

    /** Tells the other servers this one is alive, with its figures. */
    void beat() {
        Integer asked = engine.store().takeRequestedConcurrency(engine.nodeId());
        if (asked != null) {
            try {
                engine.setConcurrency(asked);
            } catch (IllegalArgumentException e) {
                LOG.warning("RedTask: ignored a concurrency change asked from elsewhere: " + e.getMessage());
            }
        }
        long now = engine.clock().millis();
        long ttl = Math.max(10_000, 5 * engine.settings().heartbeatInterval().toMillis());
        engine.store().heartbeat(new NodeInfo(engine.nodeId(), engine.settings().queues(), engine.concurrency(),
                engine.maxConcurrency(), engine.busy(), engine.workersPaused(), engine.completedCount(), engine.failedCount(),
                engine.startedAt(), Instant.ofEpochMilli(now)), ttl);
    }

    void renew() {
        long until = engine.clock().millis() + engine.settings().lease().toMillis();
        Map<String, List<RunContext>> byQueue = engine.runningTasks().stream()
                .filter(r -> !r.isCancelled())
                .collect(Collectors.groupingBy(r -> r.task().queue()));
        for (Map.Entry<String, List<RunContext>> e : byQueue.entrySet()) {
            List<RunContext> runs = e.getValue();
            List<ClaimedTask> tasks = new ArrayList<>(runs.size());
            runs.forEach(r -> tasks.add(r.task()));
            List<Boolean> held = engine.store().extend(e.getKey(), tasks, until);
            for (int i = 0; i < runs.size(); i++) {
                RunContext run = runs.get(i);
                if (!held.get(i) && run.stop("cancelled, or the lease was lost")) {
                    LOG.info(() -> "RedTask: task " + run.taskId() + " was cancelled or its lease was taken over; "
                            + "its handler was interrupted");
                }
            }
        }
    }
}
