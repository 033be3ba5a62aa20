package io.redtask;

/**
 * A task that was waited for did not succeed: it is dead (its last attempt failed, or it failed in
 * a way that is not retried) or it was cancelled. Thrown by {@link TaskResult#orElseThrow()}.
 */
public class TaskFailedException extends RedTaskException {

    private final transient TaskStatus status;

    /**
     * The exception for a task that ended without success.
     *
     * @param status the task, in a final state other than {@link TaskState#SUCCEEDED}
     */
    public TaskFailedException(TaskStatus status) {
        super("task " + status.id() + " (" + status.type() + ") is "
                + status.state().wireName() + (status.error() != null ? ": " + status.error() : ""));
        this.status = status;
    }

    /**
     * The task as it ended.
     *
     * @return its status: state, attempts, last error, timestamps
     */
    public TaskStatus status() {
        return status;
    }
}
