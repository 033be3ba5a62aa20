package io.redtask.engine;

import io.redtask.store.ShardNames;
import io.redtask.store.TaskStore;

import java.time.Clock;
import java.util.logging.Logger;

/** Requeues tasks whose lease expired (their server died or stalled) in this server's queues. */
final class Reaper {

    private static final Logger LOG = Logger.getLogger(Reaper.class.getName());
    /** Most tasks recovered per queue in one script call, so one call stays short. */
    private static final int BATCH = 1_000;

    private final TaskStore tasks;
    private final Clock clock;
    private final EngineSettings settings;

    private final QueueShards shards;

    Reaper(TaskStore tasks, Clock clock, EngineSettings settings, QueueShards shards) {
        this.shards = shards;
        this.tasks = tasks;
        this.clock = clock;
        this.settings = settings;
    }

    void recover() {
        long now = clock.millis();
        for (String queue : settings.queues()) {
            for (String shard : shards.of(queue)) {
                recover(shard, now);
            }
        }
    }

    private void recover(String shard, long now) {
        TaskStore.RecoveryResult r = tasks.recoverExpired(shard, now, BATCH);
        if (r.requeued() > 0 || r.dead() > 0) {
            LOG.warning("RedTask: queue " + ShardNames.describe(shard) + ": " + r.requeued()
                    + " tasks with expired leases requeued, " + r.dead() + " moved to dead after too many lost leases");
        }
    }
}
