package io.redtask.store;

/** What became of a task after a failed attempt. */
public enum FailOutcome {
    /** Back in the ready set, to run again now. */
    RETRY,
    /** Waiting for its retry time. */
    SCHEDULED,
    /** In the dead set: no attempts left, or not retryable. */
    DEAD,
    /** The caller no longer held the task: nothing changed. */
    STALE
}
