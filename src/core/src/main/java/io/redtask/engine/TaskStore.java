package io.redtask.engine;

import io.redtask.TaskStatus;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's only view of storage. Every method that changes a task is atomic; methods that
 * act for a worker take the owner token from its claim and do nothing when it is stale.
 * Times are epoch milliseconds from the engine's clock.
 */
public interface TaskStore {

    /**
     * Stores new tasks of one queue in one atomic step, each ready now or scheduled for its
     * {@link NewTask#dueAt()}; a task whose idempotency key is in use is not stored.
     *
     * @return one result per task, in order
     */
    List<EnqueueResult> enqueue(String queue, List<NewTask> tasks, long now);

    /**
     * Claims up to {@code max} ready tasks of {@code queue} for {@code owner} with a lease until
     * {@code now + leaseMillis}, first making scheduled tasks that are due ready. Claims nothing
     * while the queue is paused, and no more than its cluster-wide concurrency limit allows.
     */
    ClaimBatch claim(String queue, int max, long now, long leaseMillis, String owner);

    /** Records success. @return false when the token is stale (nothing changed). */
    default boolean complete(ClaimedTask task, String resultJson, long now) {
        return complete(task, resultJson, now, null).recorded();
    }

    /**
     * Records success and, with {@code next} given, claims the next ready task of the same queue
     * for that owner in the same atomic step (a busy worker costs one round trip per task).
     */
    Completion complete(ClaimedTask task, String resultJson, long now, NextClaim next);

    /** Who claims the next task on completion, and for how long. */
    record NextClaim(String owner, long leaseMillis) {
    }

    /** What a completion did: whether it was recorded, and the next task claimed, if any. */
    record Completion(boolean recorded, ClaimedTask next) {
    }

    /**
     * Records a failed attempt; retries at {@code retryAt} (or now if {@code retryAt <= now}),
     * or, with {@code retryAt < 0} or no attempts left, moves the task to the dead set.
     *
     * @return what happened, {@link FailOutcome#STALE} when the token is stale
     */
    FailOutcome fail(ClaimedTask task, String error, long retryAt, long now);

    /**
     * Extends the leases of tasks of one queue to {@code leaseUntil}.
     *
     * @return per task, whether it is still held (false: stale token or cancelled)
     */
    List<Boolean> extend(String queue, List<ClaimedTask> tasks, long leaseUntil);

    /** Gives a claimed task back unrun, not counting the attempt. @return false when stale. */
    boolean release(ClaimedTask task);

    /**
     * Cancels a task that has not finished.
     *
     * @return the state it had: "scheduled", "queued" or "running" when this call cancelled it;
     * a final state's name when it had already finished; "missing" when there is no such task
     */
    String cancel(String id, long now);

    /** Requeues (or buries) tasks of {@code queue} whose lease ended before {@code now}. */
    RecoveryResult recoverExpired(String queue, long now, int max);

    /** Blocks up to {@code timeoutMillis} until a task may be ready in {@code queue}. */
    void awaitWork(String queue, long timeoutMillis);

    /** Reads a task; empty when there is none (or its record expired). */
    Optional<TaskStatus> find(String id);

    /** Reads many tasks in one round trip; missing ones are absent from the map. */
    Map<String, TaskStatus> findAll(List<String> ids);

    /** Moves dead tasks (one by id, or up to {@code max} oldest when {@code id} is null) back to ready. */
    int retryDead(String queue, String id, int max, long now);

    /** Deletes dead tasks (one by id, or up to {@code max} oldest when {@code id} is null). */
    int purgeDead(String queue, String id, int max);

    /** Sets (or with {@code null} removes) the cluster-wide limit of running tasks of a queue. */
    void setQueueConcurrency(String queue, Integer limit);

    /** Pauses or resumes claiming from a queue on every server. */
    void setPaused(String queue, boolean paused);

    /** Saves a recurring schedule. @return false when it was stored unchanged already */
    boolean saveSchedule(ScheduleDefinition definition, long nextSlot);

    /** Removes a recurring schedule. @return whether it existed */
    boolean removeSchedule(String name);

    /** All recurring schedules with their next slots. */
    Map<ScheduleDefinition, Long> schedules();

    /** Schedules of {@code queue} whose next slot is at or before {@code now}, with that slot. */
    Map<ScheduleDefinition, Long> dueSchedules(String queue, long now, int max);

    /**
     * Fires (or with {@code task == null} skips) slot {@code slot} of a schedule and moves it to
     * {@code nextSlot}, unless another server did first.
     *
     * @return whether this call moved the schedule on
     */
    boolean fireSchedule(String queue, String name, long slot, long nextSlot, NewTask task, long now);

    /** Records queues as known (a server takes tasks from them), so operators see them before first use. */
    void registerQueues(java.util.Collection<String> queues);

    /** The queues that were ever used, sorted. */
    List<String> queueNames();

    /** A consistent reading of a queue's sizes, settings and counters. */
    io.redtask.QueueStats stats(String queue, long now);

    /**
     * Tasks of a queue in one state: {@code QUEUED} in the order they will run, {@code SCHEDULED}
     * by due time, {@code RUNNING} by lease deadline, {@code DEAD} most recent death first.
     */
    List<TaskStatus> tasks(String queue, io.redtask.TaskState state, int offset, int limit);

    /** Records this server's heartbeat, which expires after {@code ttlMillis} unless renewed. */
    void heartbeat(io.redtask.NodeInfo node, long ttlMillis);

    /** Servers whose heartbeat has not expired. */
    List<io.redtask.NodeInfo> nodes(long now);

    /** Asks server {@code nodeId} to change its concurrency at its next heartbeat. */
    void requestConcurrency(String nodeId, int concurrency);

    /** Takes the concurrency asked of this server, if any (it is asked once). */
    Integer takeRequestedConcurrency(String nodeId);

    /** Forgets a server (it stopped). */
    void removeNode(String nodeId);

    /** Checks that the store answers. @throws io.redtask.StoreUnavailableException otherwise */
    void ping();

    /** Releases connections. */
    void close();

    /** What {@link #recoverExpired} did. */
    record RecoveryResult(int requeued, int dead) {
        public static final RecoveryResult NONE = new RecoveryResult(0, 0);
    }

    /** Tasks claimed by one call, and when the next scheduled task is due (-1 for none). */
    record ClaimBatch(List<ClaimedTask> tasks, long nextDueAt) {
    }
}
