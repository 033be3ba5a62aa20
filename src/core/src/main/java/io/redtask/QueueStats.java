package io.redtask;

import java.time.Duration;

/**
 * One reading of a queue, the same for every server.
 *
 * @param name                its name
 * @param ready               tasks waiting for a worker
 * @param scheduled           tasks waiting for their time (delays, run-at times, retry backoff)
 * @param running             tasks held by workers
 * @param dead                tasks in the dead set
 * @param paused              whether the queue is paused on all servers
 * @param concurrencyLimit    the most tasks of it that may run at once across all servers, or {@code null}
 * @param completed           tasks completed since the queue was created
 * @param failed              failed attempts since the queue was created
 * @param died                tasks that went to the dead set since the queue was created
 * @param completedLastMinute tasks completed in the last minute
 * @param failedLastMinute    failed attempts in the last minute
 * @param nextWaiting         how long the next task to run has waited since it was submitted, or {@code null}
 * @param rate                the queue's cluster-wide rate limit, or {@code null}
 * @param groupConcurrency    the most tasks of one group that may run at once across all servers, or {@code null}
 */
public record QueueStats(
        String name,
        long ready,
        long scheduled,
        long running,
        long dead,
        boolean paused,
        Integer concurrencyLimit,
        long completed,
        long failed,
        long died,
        long completedLastMinute,
        long failedLastMinute,
        Duration nextWaiting,
        RateLimit rate,
        Integer groupConcurrency) {}
