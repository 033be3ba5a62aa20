package io.redtask;

/**
 * An idempotency key was used before for a task with another type or payload: nothing was
 * stored. Over REST it becomes a 409 naming the first task. A repeat of the same request is not
 * a conflict: it answers the first task (a duplicate).
 */
public class IdempotencyConflictException extends InvalidRequestException {

    /** The task the key was first used for. */
    private final String firstTaskId;

    /**
     * The exception for a key reused with another type or payload.
     *
     * @param field       the field that holds the key, e.g. {@code idempotencyKey} or {@code tasks[3].idempotencyKey}
     * @param firstTaskId the task the key was first used for
     */
    public IdempotencyConflictException(String field, String firstTaskId) {
        super(
                field,
                "was used for task " + firstTaskId + " with another type or payload; use a new key, "
                        + "or send the same type and payload to get that task back");
        this.firstTaskId = firstTaskId;
    }

    /**
     * The task the key was first used for.
     *
     * @return its id
     */
    public String firstTaskId() {
        return firstTaskId;
    }
}
