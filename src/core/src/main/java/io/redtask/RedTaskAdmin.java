package io.redtask;

import java.util.List;

/**
 * What operators do: read queues and servers, pause and resume, change concurrency, retry or
 * purge dead tasks. Queue operations act on every server (their state is in Redis); worker
 * operations act on this server only. Inject it like {@link TaskScheduler}. Every method throws
 * {@link StoreUnavailableException} when Redis cannot be reached.
 */
public interface RedTaskAdmin {

    /** Every queue that was ever used, by name. */
    List<QueueStats> queues();

    /** The names of the queues that were ever used or that a server takes tasks from, sorted. */
    List<String> queueNames();

    /** One queue. @throws InvalidRequestException when the name is not a valid queue name */
    QueueStats queue(String name);

    /** Stops every server from claiming tasks of the queue within a poll interval; running tasks finish. */
    void pause(String queue);

    /** Lets every server claim tasks of the queue again. */
    void resume(String queue);

    /** Sets the most tasks of the queue that run at once across all servers; {@code null} removes the limit. */
    void setQueueConcurrency(String queue, Integer limit);

    /** Dead tasks of the queue, most recent death first. */
    List<TaskStatus> deadTasks(String queue, int offset, int limit);

    /**
     * Tasks of the queue in one state: {@code QUEUED} in the order they will run, {@code SCHEDULED}
     * by due time, {@code RUNNING} by lease deadline, {@code DEAD} most recent death first.
     *
     * @throws IllegalArgumentException for a final state other than dead (those are kept in no list)
     */
    List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit);

    /** Moves all dead tasks of the queue back to it with fresh attempts. @return how many */
    int retryDead(String queue);

    /** Moves one dead task back to its queue. @return whether it was dead */
    boolean retryDeadTask(String id);

    /** Deletes all dead tasks of the queue. @return how many */
    int purgeDead(String queue);

    /** The servers whose heartbeat is recent. */
    List<NodeInfo> nodes();

    /**
     * Changes another server's concurrency: it applies the change at its next heartbeat (within
     * a couple of seconds). For this server it is the same as {@link #setConcurrency(int)}.
     *
     * @throws IllegalArgumentException when no such server is alive or the value is outside 0..its maximum
     */
    void setConcurrency(String nodeId, int concurrency);

    // ------------------------------------------------------------ this server's workers

    /** This server's id in Redis. */
    String nodeId();

    /** How many tasks this server runs at once. */
    int concurrency();

    /**
     * Changes how many tasks this server runs at once, within a second and without stopping a
     * running task.
     *
     * @throws IllegalArgumentException when below 0 or above {@link #maxConcurrency()}
     */
    void setConcurrency(int concurrency);

    /** The ceiling of {@link #setConcurrency}: the worker executor's own limit. */
    int maxConcurrency();

    /** Tasks running on this server now. */
    int busy();

    /** Whether this server's workers are paused. */
    boolean workersPaused();

    /** Stops this server's workers from claiming tasks; running tasks finish. */
    void pauseWorkers();

    /** Lets this server's workers claim tasks again. */
    void resumeWorkers();

    /** Tasks this server completed since it started. */
    long completedCount();

    /** Failed attempts on this server since it started. */
    long failedCount();
}
