package io.redtask;

import java.time.Instant;

/**
 * A snapshot of one batch, as {@link TaskScheduler#batch(String)} reads it. Its counts move in
 * the same atomic step as each member's end, so {@code succeeded + dead + cancelled + pending}
 * is always {@code total}.
 *
 * @param id         the batch's id
 * @param queue      the queue of its members and callback
 * @param total      how many members it has
 * @param pending    members that have not ended (scheduled, queued, running, or failed and due
 *                   to be retried)
 * @param succeeded  members that succeeded
 * @param dead       members that are dead (their attempts used up, or not retryable)
 * @param cancelled  members that were cancelled
 * @param done       whether every member has ended (the callback, if any, was made ready then)
 * @param onComplete the callback task's id, or {@code null} when the batch has none
 * @param createdAt  when it was submitted
 * @param finishedAt when its last member ended, or {@code null} while it runs
 * @param submittedBy who submitted it ({@link SubmitOptions.Builder#submittedBy} of its tasks), or {@code null}
 */
public record BatchStatus(
        String id,
        String queue,
        int total,
        int pending,
        int succeeded,
        int dead,
        int cancelled,
        boolean done,
        String onComplete,
        Instant createdAt,
        Instant finishedAt,
        String submittedBy) {

    /**
     * The state as the REST API shows it.
     *
     * @return {@code "running"} or {@code "done"}
     */
    public String state() {
        return done ? "done" : "running";
    }
}
