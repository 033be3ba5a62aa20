package io.redtask;

/**
 * Batch figures of one queue.
 *
 * @param queue     the queue
 * @param running   batches with members that have not ended
 * @param doneTotal batches that have ended since the queue's counters began
 */
public record BatchCounts(String queue, long running, long doneTotal) {}
