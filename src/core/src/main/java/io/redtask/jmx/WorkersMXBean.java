package io.redtask.jmx;

/** This server's workers, as JConsole shows them: {@code io.redtask:type=Workers}. */
public interface WorkersMXBean {

    /** How many tasks this server runs at once. */
    int getConcurrency();

    /**
     * Changes it at once, without stopping a running task; at most {@link #getMaxConcurrency()},
     * the worker executor's limit.
     */
    void setConcurrency(int concurrency);

    /** The ceiling of the concurrency: the worker ManagedExecutorService's concurrencyPolicy max. */
    int getMaxConcurrency();

    /** Tasks running on this server now. */
    int getBusy();

    /** Whether this server's workers are paused. */
    boolean isPaused();

    /** This server's id in Redis. */
    String getNodeId();

    /** Tasks this server completed since it started. */
    long getCompleted();

    /** Failed attempts on this server since it started. */
    long getFailed();

    /** Stops this server's workers from starting tasks; running tasks finish. Other servers go on. */
    void pause();

    /** Lets this server's workers start tasks again. */
    void resume();
}
