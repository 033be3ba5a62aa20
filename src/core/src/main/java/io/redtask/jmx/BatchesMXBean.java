package io.redtask.jmx;

/**
 * The batches of one queue, as JConsole shows them: {@code io.redtask:type=Batches,name=<queue>}.
 * Figures are read from Redis and the same on every server.
 */
public interface BatchesMXBean {

    /** Batches with tasks that have not ended. */
    long getRunning();

    /** Batches whose tasks have all ended (their callbacks released), since the queue's counters began. */
    long getDoneTotal();

    /**
     * The running batches, oldest first (at most 100), one line each: id, then total, pending,
     * succeeded, dead and cancelled.
     */
    String[] getRunningBatches();

    /** The batches done and still kept, newest first (at most 100), one line each as {@link #getRunningBatches()}. */
    String[] getDoneBatches();
}
