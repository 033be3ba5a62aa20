package io.redtask;

import java.util.Locale;

/** Where a task is in its life. The wire name (REST, Redis) is the lower-case constant name. */
public enum TaskState {
    /** Waiting for its time (a delay, a run-at instant, or a retry's backoff). */
    SCHEDULED,
    /** Ready to be claimed by a worker. */
    QUEUED,
    /** Claimed by a worker, which holds a lease on it. */
    RUNNING,
    /** Its handler returned; the result is kept. */
    SUCCEEDED,
    /** It failed its last attempt, or failed in a way that is not retried. */
    DEAD,
    /** Cancelled before it finished. */
    CANCELLED;

    /**
     * The name used in Redis and JSON.
     *
     * @return the lower-case name, e.g. {@code "queued"}
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the task will not run again (unless an operator retries a dead one).
     *
     * @return true for {@code SUCCEEDED}, {@code DEAD} and {@code CANCELLED}
     */
    public boolean isFinal() {
        return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }

    /**
     * The state whose {@link #wireName()} is {@code name}.
     *
     * @param name a wire name, e.g. {@code "queued"}
     * @return the state
     * @throws IllegalArgumentException when no state has that name
     */
    public static TaskState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
