package io.redtask.store;

import io.redtask.QueueStats;
import io.redtask.TaskState;
import io.redtask.TaskStatus;

import java.util.Collection;
import java.util.List;

/** Queues as operators see them: which exist, their figures and settings, their tasks by state, the dead sets. */
public interface QueueStore {

    /** Records queues as known (a server takes tasks from them), so operators see them before first use. */
    void register(Collection<String> queues);

    /** The queues that were ever used or served, sorted. */
    List<String> names();

    /** A consistent reading of a queue's sizes, settings and counters. */
    QueueStats stats(String queue, long now);

    /**
     * Tasks of a queue in one state: {@code QUEUED} in the order they will run, {@code SCHEDULED}
     * by due time, {@code RUNNING} by lease deadline, {@code DEAD} most recent death first.
     */
    List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit);

    /** Moves dead tasks (one by id, or up to {@code max} oldest when {@code id} is null) back to ready. */
    int retryDead(String queue, String id, int max, long now);

    /** Deletes dead tasks (one by id, or up to {@code max} oldest when {@code id} is null). */
    int purgeDead(String queue, String id, int max);

    /** Sets (or with {@code null} removes) the cluster-wide limit of running tasks of a queue. */
    void setConcurrency(String queue, Integer limit);

    /**
     * Sets (or with {@code null} removes) the cluster-wide rate limit of a queue; idle servers
     * look again at once.
     */
    void setRate(String queue, io.redtask.RateLimit rate);

    /**
     * Sets (or with {@code null} removes) the most running tasks per group of a queue; groups held
     * back by a lower limit let tasks in at once.
     */
    void setGroupConcurrency(String queue, Integer limit);

    /** Pauses or resumes claiming from a queue on every server. */
    void setPaused(String queue, boolean paused);

    /**
     * Agrees the shards of {@code queue} with the layout recorded in Redis (its shard 0's settings
     * hash, fields {@code shards} and {@code shardNames}) and answers their names, shard 0 (the
     * queue itself) first. Nothing recorded: records {@code n} shards (for {@code n > 1}). More
     * recorded than {@code n}: records {@code n} when the shards dropped hold no tasks. Fewer:
     * keeps the recorded shards and adds new ones. Every server so uses the same names.
     *
     * @throws ShardLayoutException when shards that would be dropped still hold tasks
     */
    List<String> agreeShards(String queue, int n);

    /** The shards of {@code queue} as recorded in Redis (just {@code queue} when none are). */
    List<String> recordedShards(String queue);

    /** A change of a queue's shards that would lose tasks. */
    final class ShardLayoutException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public ShardLayoutException(String message) {
            super(message);
        }
    }
}
