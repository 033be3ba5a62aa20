package io.redtask;

import java.util.List;

/**
 * What operators do: read queues and servers, pause and resume, change concurrency, retry or
 * purge dead tasks. Queue operations act on every server (their state is in Redis); worker
 * operations act on this server only. Inject it like {@link TaskScheduler}. Every method throws
 * {@link StoreUnavailableException} when Redis cannot be reached.
 */
public interface RedTaskAdmin {

    /**
     * Every queue that was ever used.
     *
     * @return a reading of each, by name
     */
    List<QueueStats> queues();

    /**
     * The names of the queues that were ever used or that a server takes tasks from.
     *
     * @return the names, sorted
     */
    List<String> queueNames();

    /**
     * One queue.
     *
     * @param name the queue's name
     * @return a reading of it
     * @throws InvalidRequestException when the name is not a valid queue name
     * @throws NotFoundException       when no server serves it and no task was ever submitted to it
     */
    QueueStats queue(String name);

    /**
     * Stops every server from claiming tasks of the queue within a poll interval; running tasks finish.
     *
     * @param queue the queue's name
     */
    void pause(String queue);

    /**
     * Lets every server claim tasks of the queue again.
     *
     * @param queue the queue's name
     */
    void resume(String queue);

    /**
     * Sets the most tasks of the queue that run at once across all servers.
     *
     * @param queue the queue's name
     * @param limit the limit, 0 or more; {@code null} removes it
     */
    void setQueueConcurrency(String queue, Integer limit);

    /**
     * Sets the queue's cluster-wide rate limit: at most {@code rate.limit()} of its tasks start in
     * any window of {@code rate.per()}, across all servers. Takes effect at once on idle servers
     * and within a poll interval on servers waiting for the old limit.
     *
     * @param queue the queue's name
     * @param rate  the limit ({@link RateLimit#parse(String) 100/PT1S}); {@code null} removes it
     * @throws NotFoundException when the queue is not known
     */
    void setQueueRate(String queue, RateLimit rate);

    /**
     * Sets the most tasks of one group ({@link SubmitOptions.Builder#group}) of the queue that run
     * at once across all servers. Groups are served in turn whether or not there is a limit.
     *
     * @param queue the queue's name
     * @param limit 1 or more; {@code null} removes it
     * @throws InvalidRequestException naming {@code limit} when below 1
     * @throws NotFoundException       when the queue is not known
     */
    void setGroupConcurrency(String queue, Integer limit);

    /**
     * How many times this server's fetchers found a queue's rate limit used up and waited for it.
     *
     * @return counts since start, by queue (queues that never waited are absent)
     */
    java.util.Map<String, Long> throttledWaits();

    /**
     * Dead tasks of the queue, most recent death first.
     *
     * @param queue  the queue's name
     * @param offset how many to skip
     * @param limit  how many to return at most
     * @return the tasks of that page
     */
    List<TaskStatus> deadTasks(String queue, int offset, int limit);

    /**
     * Tasks of the queue in one state: {@code QUEUED} in the order they will run, {@code SCHEDULED}
     * by due time, {@code RUNNING} by lease deadline, {@code DEAD} most recent death first.
     *
     * @param queue  the queue's name
     * @param state  {@code QUEUED}, {@code SCHEDULED}, {@code RUNNING} or {@code DEAD}
     * @param offset how many to skip
     * @param limit  how many to return at most
     * @return the tasks of that page
     * @throws IllegalArgumentException for a final state other than dead (those are kept in no list)
     */
    List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit);

    /**
     * Moves all dead tasks of the queue back to it with fresh attempts.
     *
     * @param queue the queue's name
     * @return how many were moved
     */
    int retryDead(String queue);

    /**
     * Moves one dead task back to its queue with fresh attempts.
     *
     * @param id the task's id
     * @return whether it was dead
     */
    boolean retryDeadTask(String id);

    /**
     * Deletes all dead tasks of the queue.
     *
     * @param queue the queue's name
     * @return how many were deleted
     */
    int purgeDead(String queue);

    /**
     * The servers whose heartbeat is recent.
     *
     * @return each server as its last heartbeat described it
     */
    List<NodeInfo> nodes();

    /**
     * Changes another server's concurrency: it applies the change at its next heartbeat (within
     * a couple of seconds). For this server it is the same as {@link #setConcurrency(int)}.
     *
     * @param nodeId      the server's id ({@link NodeInfo#nodeId()})
     * @param concurrency tasks it is to run at once, 0 to its maximum
     * @throws IllegalArgumentException when no such server is alive or the value is outside 0..its maximum
     */
    void setConcurrency(String nodeId, int concurrency);

    // ------------------------------------------------------------ this server's workers

    /**
     * This server's id in Redis.
     *
     * @return {@code redtask.node-id}, or the one made up at start
     */
    String nodeId();

    /**
     * How many tasks this server runs at once.
     *
     * @return the current limit
     */
    int concurrency();

    /**
     * Changes how many tasks this server runs at once, within a second and without stopping a
     * running task.
     *
     * @param concurrency tasks to run at once, 0 to {@link #maxConcurrency()}
     * @throws InvalidRequestException when below 0 or above {@link #maxConcurrency()}
     */
    void setConcurrency(int concurrency);

    /**
     * The ceiling of {@link #setConcurrency}: the worker executor's own limit, its
     * {@code concurrencyPolicy max} as Liberty reports it (or {@code redtask.workers.max} where
     * it does not).
     *
     * @return the most tasks this server can run at once
     */
    int maxConcurrency();

    /**
     * Tasks running on this server now.
     *
     * @return how many worker slots are in use
     */
    int busy();

    /**
     * Whether this server's workers are paused.
     *
     * @return true between {@link #pauseWorkers()} and {@link #resumeWorkers()}
     */
    boolean workersPaused();

    /** Stops this server's workers from claiming tasks; running tasks finish. */
    void pauseWorkers();

    /** Lets this server's workers claim tasks again. */
    void resumeWorkers();

    /**
     * Tasks this server completed since it started.
     *
     * @return the count
     */
    long completedCount();

    /**
     * Failed attempts on this server since it started.
     *
     * @return the count
     */
    long failedCount();

    /**
     * The batches of a queue an operator may want to see: those still running (oldest first),
     * then those done and still kept (newest first), at most {@code max} of each.
     *
     * @param queue a known queue
     * @param max   most batches of each kind, 1 to 1,000
     * @return the batches
     */
    default List<BatchStatus> batches(String queue, int max) {
        return List.of();
    }

    /**
     * Batch figures of every known queue.
     *
     * @return per queue, the batches running and the batches done so far
     */
    default List<BatchCounts> batchCounts() {
        return List.of();
    }
}
