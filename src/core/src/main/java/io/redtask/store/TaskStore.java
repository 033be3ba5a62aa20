package io.redtask.store;

import io.redtask.TaskState;
import io.redtask.TaskStatus;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A task's life in storage: stored, claimed under a lease, completed, failed, released, cancelled,
 * recovered. Every method that changes a task is atomic; methods that act for a worker take the
 * owner token from its claim and change nothing when it is stale. Times are epoch milliseconds
 * from the engine's clock.
 */
public interface TaskStore {

    /**
     * Stores new tasks of one queue in one atomic step, each ready now or scheduled for its
     * {@link NewTask#dueAt()}; a task whose dedupe key is remembered is not stored.
     *
     * @return one result per task, in order
     * @throws io.redtask.IdempotencyConflictException when a key was used for a task with another
     *         fingerprint (its field is {@code idempotencyKey}, or {@code tasks[i].idempotencyKey}
     *         in a batch); then nothing of the batch is stored
     */
    List<EnqueueResult> enqueue(String queue, List<NewTask> tasks, long now);

    /**
     * Stores new tasks as {@link #enqueue(String, List, long)} does and, in the same atomic step,
     * claims up to {@code max} of the queue's ready tasks for {@code claim}'s owner, as
     * {@link #claim} would (queue order, pause, limits) but without promoting scheduled tasks: a
     * server with idle workers runs what it submits without a fetcher's wake-up and claim.
     *
     * @param claim who claims, or {@code null} (or {@code max} 0) to claim nothing
     * @return the results of {@link #enqueue(String, List, long)} and the tasks claimed
     */
    default Enqueued enqueue(String queue, List<NewTask> tasks, long now, NextClaim claim, int max) {
        return new Enqueued(enqueue(queue, tasks, now), List.of());
    }

    /**
     * Claims up to {@code max} ready tasks of {@code queue} whose type is in {@code types}, for
     * {@code owner} with a lease until {@code now + leaseMillis}, first making scheduled tasks
     * that are due ready. Claims nothing while the queue is paused, and no more than its
     * cluster-wide concurrency limit allows. A corrupt record met on the way goes to the dead set.
     */
    default ClaimBatch claim(
            String queue, int max, long now, long leaseMillis, String owner, Collection<String> types) {
        return claim(queue, max, now, leaseMillis, owner, types, null, now + leaseMillis);
    }

    /**
     * {@link #claim(String, int, long, long, String, Collection)} that can be repeated when its
     * reply is lost (Redis restarting, a connection cut or slow): each task taken is marked with
     * {@code claimId}, every try leases until {@code leaseUntil} (its first try's
     * {@code now + leaseMillis}), and a try after one that ran answers the tasks that one took (at
     * most {@code max}) and takes no others; if none ran, it claims afresh. So the tasks of a lost
     * reply run at once, not after their leases ran out.
     *
     * A try is taken for a repeat when its {@code leaseUntil} is not its own
     * {@code now + leaseMillis}; {@link #claim(String, int, long, long, String, Collection, String,
     * long, boolean)} says so outright.
     *
     * @param claimId    the claim's id, unique for {@code owner} ({@code null}: not repeatable, and
     *                   the lease ends at {@code now + leaseMillis})
     * @param leaseUntil when the leases of every try of this claim end (epoch ms)
     */
    default ClaimBatch claim(
            String queue,
            int max,
            long now,
            long leaseMillis,
            String owner,
            Collection<String> types,
            String claimId,
            long leaseUntil) {
        return claim(queue, max, now, leaseMillis, owner, types, claimId, leaseUntil, leaseUntil != now + leaseMillis);
    }

    /**
     * {@link #claim(String, int, long, long, String, Collection, String, long)} that says whether
     * this try repeats an earlier one of the same id: only a repeat looks for what an earlier try
     * took (on a Redis Cluster every try looks, as its client may send a claim again by itself).
     *
     * @param repeat whether an earlier try of {@code claimId} may have run (its reply was lost)
     */
    ClaimBatch claim(
            String queue,
            int max,
            long now,
            long leaseMillis,
            String owner,
            Collection<String> types,
            String claimId,
            long leaseUntil,
            boolean repeat);

    /** Records success. @return false when the token is stale (nothing changed). */
    default boolean complete(ClaimedTask task, String resultJson, long now) {
        return complete(task, resultJson, now, null).recorded();
    }

    /**
     * Records success and, with {@code next} given, claims the next ready task of the same queue
     * for that owner in the same atomic step (a busy worker costs one round trip per task).
     * Repeating it (its reply was lost) changes nothing and answers the same, next task included.
     */
    Completion complete(ClaimedTask task, String resultJson, long now, NextClaim next);

    /**
     * Records a failed attempt; retries at {@code retryAt} (or now if {@code retryAt <= now}),
     * or, with {@code retryAt < 0} or no attempts left, moves the task to the dead set. Repeating
     * it (its reply was lost) changes nothing and answers what became of the task.
     *
     * @param stillRunning the handler has not returned (a timeout): the attempt keeps counting
     *                     against the queue's concurrency limit until {@link #unlinger}
     * @return what happened, {@link FailOutcome#STALE} when the token is stale
     */
    FailOutcome fail(ClaimedTask task, String error, long retryAt, long now, boolean stillRunning);

    /** The handler of a stopped attempt (timed out, cancelled) has returned: it no longer counts against limits. */
    void unlinger(ClaimedTask task);

    /** Keeps stopped attempts whose handlers still run counting against limits until {@code until}. */
    void extendLingering(String queue, List<ClaimedTask> tasks, long until);

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
     * @return the state it had: scheduled, queued or running when this call cancelled it; a final
     * state when it had already finished; empty when there is no such task
     */
    Optional<TaskState> cancel(String id, long now);

    /** Requeues (or buries) tasks of {@code queue} whose lease ended before {@code now}. */
    RecoveryResult recoverExpired(String queue, long now, int max);

    /**
     * Blocks up to {@code timeoutMillis} until a task may be ready in {@code queue}.
     *
     * @return whether a wake-up token was taken (false: the time ran out)
     */
    boolean awaitWork(String queue, long timeoutMillis);

    /**
     * Puts back a wake-up token {@link #awaitWork} took but this server cannot act on (its workers
     * are all busy), so that a server with free workers is woken instead.
     */
    void passWake(String queue);

    /** Reads a task; empty when there is none (or its record expired). */
    Optional<TaskStatus> find(String id);

    /**
     * The id of the task an idempotency key of {@code queue} (of {@code submittedBy}, or of no one
     * when {@code null}) stands for, while it is remembered.
     */
    Optional<String> findByIdempotencyKey(String queue, String submittedBy, String key);

    /** Reads many tasks in one round trip; missing ones are absent from the map. */
    Map<String, TaskStatus> findAll(List<String> ids);

    /** What {@link #enqueue(String, List, long, NextClaim, int)} did: one result per task, and the tasks it claimed. */
    record Enqueued(List<EnqueueResult> results, List<ClaimedTask> claimed) {}

    /**
     * Who claims the next task on completion, for how long, and of which types; and how many of
     * the claiming server's worker slots were taken when it asked (0: not known), which tells a
     * store that combines completions how many more may still come.
     */
    record NextClaim(String owner, long leaseMillis, Collection<String> types, int busyWorkers) {
        /** A claim whose server's busy workers are not known. */
        public NextClaim(String owner, long leaseMillis, Collection<String> types) {
            this(owner, leaseMillis, types, 0);
        }
    }

    /** What a completion did: whether it was recorded, and the next task claimed, if any. */
    record Completion(boolean recorded, ClaimedTask next) {}

    /** What {@link #recoverExpired} did. */
    record RecoveryResult(int requeued, int dead) {
        public static final RecoveryResult NONE = new RecoveryResult(0, 0);
    }

    /**
     * Tasks claimed by one call, when the next scheduled task is due (-1 for none), and, when the
     * queue's rate limit is used up, when the next start is allowed (-1 otherwise).
     */
    record ClaimBatch(List<ClaimedTask> tasks, long nextDueAt, long throttledUntil) {}
}
