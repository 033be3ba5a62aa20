package io.redtask;

import java.time.Instant;
import java.util.Optional;

/** What a running handler may know about its task. */
public interface TaskContext {

    /**
     * The task's id.
     *
     * @return the id {@code submit} returned
     */
    String taskId();

    /**
     * The task's type.
     *
     * @return its handler's {@link TaskType} name
     */
    String type();

    /**
     * The queue it was claimed from.
     *
     * @return the queue's name
     */
    String queue();

    /**
     * This attempt's number.
     *
     * @return 1 for the first attempt, 2 for the first retry...
     */
    int attempt();

    /**
     * A number that grows with every claim of this task. A handler that writes elsewhere can
     * store it next to what it wrote and refuse writes carrying a smaller one, so a worker that
     * lost its lease cannot overwrite the work of the one that took the task over.
     *
     * @return this claim's token
     */
    long fencingToken();

    /**
     * The idempotency key the task was submitted with, if any.
     *
     * @return the key, or empty
     */
    Optional<String> idempotencyKey();

    /**
     * When this attempt times out, if it has a timeout.
     *
     * @return the deadline, or empty when the attempt may run as long as it takes
     */
    Optional<Instant> deadline();

    /**
     * Whether this attempt should stop: the task was cancelled, timed out, or this server lost
     * its lease. The handler's thread is interrupted too; long loops that do not block should
     * poll this flag. Whatever the handler returns afterwards is not recorded.
     *
     * @return true once the attempt should stop
     */
    boolean isCancelled();

    /**
     * Whether this attempt was stopped because this server may no longer hold the task: its lease
     * could not be renewed in time (Redis unreachable, the server stalled) or was taken over.
     * Another server may be running the task now; the handler should stop without side effects.
     * (A default for contexts that tests build by hand.)
     *
     * @return true once this server has lost the task's lease
     */
    default boolean isLeaseLost() {
        return false;
    }
}
