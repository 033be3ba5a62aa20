package io.redtask.engine;

import io.redtask.TaskStatus;

import java.util.List;
import java.util.Optional;

/**
 * The engine's only view of storage. Every method that changes a task is atomic; methods that
 * act for a worker take the owner token from its claim and do nothing when it is stale.
 * Times are epoch milliseconds from the engine's clock.
 */
public interface TaskStore {

    /**
     * Stores a new task, ready now or scheduled for {@link NewTask#dueAt()}.
     *
     * @return whether it was stored (false when the id is taken)
     */
    boolean enqueue(NewTask task, long now);

    /**
     * Claims up to {@code max} ready tasks of {@code queue} for {@code owner} with a lease until
     * {@code now + leaseMillis}, first making scheduled tasks that are due ready.
     */
    ClaimBatch claim(String queue, int max, long now, long leaseMillis, String owner);

    /** Records success. @return false when the token is stale (nothing changed). */
    boolean complete(ClaimedTask task, String resultJson, long now);

    /**
     * Records a failed attempt; retries at {@code retryAt} (or now if {@code retryAt <= now}),
     * or, with {@code retryAt < 0} or no attempts left, moves the task to the dead set.
     *
     * @return what happened, {@link FailOutcome#STALE} when the token is stale
     */
    FailOutcome fail(ClaimedTask task, String error, long retryAt, long now);

    /** Extends a held task's lease to {@code leaseUntil}. @return false when the token is stale. */
    boolean extend(ClaimedTask task, long leaseUntil);

    /** Gives a claimed task back unrun, not counting the attempt. @return false when stale. */
    boolean release(ClaimedTask task);

    /** Requeues (or buries) tasks of {@code queue} whose lease ended before {@code now}. */
    RecoveryResult recoverExpired(String queue, long now, int max);

    /** Blocks up to {@code timeoutMillis} until a task may be ready in {@code queue}. */
    void awaitWork(String queue, long timeoutMillis);

    /** Reads a task; empty when there is none (or its record expired). */
    Optional<TaskStatus> find(String id);

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
