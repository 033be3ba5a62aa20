package io.redtask.jmx;

/**
 * One queue, as JConsole shows it: {@code io.redtask:type=Queue,name=<queue>}. Figures are the
 * same on every server (they are read from Redis, at most half a second old); pause and resume
 * act on all servers.
 */
public interface QueueMXBean {

    /** Tasks waiting for a worker. */
    long getReady();

    /** Tasks waiting for their time: delays, run-at times, retry backoff. */
    long getScheduled();

    /** Tasks held by workers on any server. */
    long getRunning();

    /** Tasks in the dead set. */
    long getDead();

    /** Whether the queue is paused on all servers. */
    boolean isPaused();

    /** The most tasks of this queue that run at once across all servers; -1 for no limit. */
    int getConcurrencyLimit();

    /** Sets the cluster-wide limit; -1 removes it. */
    void setConcurrencyLimit(int limit);

    /** The cluster-wide rate limit, such as {@code 100/PT1S} (starts per window); empty for none. */
    String getRateLimit();

    /** Sets the rate limit ({@code 100/PT1S}); empty removes it. Takes effect at once. */
    void setRateLimit(String rate);

    /** The most running tasks of one group, across all servers; -1 for no limit. */
    int getGroupConcurrency();

    /** Sets the limit per group; -1 removes it. */
    void setGroupConcurrency(int limit);

    /** Tasks completed in the last minute, all servers. */
    long getCompletedPerMinute();

    /** Failed attempts in the last minute, all servers. */
    long getFailedPerMinute();

    /** Tasks completed since the queue was created. */
    long getCompletedTotal();

    /** Failed attempts since the queue was created. */
    long getFailedTotal();

    /** How long the next task to run has waited since it was submitted, in milliseconds; 0 when none waits. */
    long getOldestWaitingMillis();

    /** Stops every server from starting tasks of this queue; running tasks finish. */
    void pause();

    /** Lets every server start tasks of this queue again. */
    void resume();

    /** Sends all dead tasks back to the queue with fresh attempts; returns how many. */
    int retryDead();

    /** Deletes all dead tasks; returns how many. */
    int purgeDead();
}
