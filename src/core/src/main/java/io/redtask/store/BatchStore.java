package io.redtask.store;

import io.redtask.BatchCounts;
import io.redtask.BatchStatus;

import java.util.List;
import java.util.Optional;

/**
 * Batches in storage: a record per batch whose counts the store moves in the same atomic step as
 * each member's end (succeeded, dead, cancelled), releasing the held callback task when the last
 * member ends. Times are epoch milliseconds from the engine's clock.
 */
public interface BatchStore {

    /**
     * Stores a batch, its members and its held callback in one atomic step; all share
     * {@code queue}. Members must carry no dedupe key (a duplicate would not be a member).
     *
     * @param callback the task to run once every member has ended, or {@code null}
     * @param submittedBy who submitted it, or {@code null}
     * @param keepMillis how long the batch's record is kept once done
     */
    void create(
            String queue,
            String batchId,
            List<NewTask> members,
            NewTask callback,
            String submittedBy,
            long keepMillis,
            long now);

    /** Reads a batch; empty when there is none (or its record expired). */
    Optional<BatchStatus> find(String batchId);

    /** The batches of {@code queue} still running, oldest first, at most {@code max}. */
    List<BatchStatus> running(String queue, int max);

    /** The batches of {@code queue} done and still kept, newest first, at most {@code max}. */
    List<BatchStatus> done(String queue, int max);

    /** Batch figures of a queue. */
    BatchCounts counts(String queue);
}
