package io.redtask;

/**
 * How this server's workers are doing, for liveness checks.
 *
 * @param running           whether the engine was started and is not stopping
 * @param workersPaused     whether this server's workers are paused
 * @param concurrency       tasks it may run at once
 * @param busy              tasks it runs now
 * @param fetcherIdleMillis the longest time since a fetcher last went round its loop (it goes
 *                          round at least every poll interval while healthy; 0 when not running)
 * @param stuckTasks        attempts that timed out but whose handlers have not returned, each
 *                          holding a worker thread
 */
public record WorkerHealth(
        boolean running, boolean workersPaused, int concurrency, int busy, long fetcherIdleMillis, int stuckTasks) {}
