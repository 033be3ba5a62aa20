package io.redtask;

import java.util.Objects;

/**
 * A task's status with its result read from JSON into a Java type: what
 * {@link TaskScheduler#result(String, Class)} and {@link TaskScheduler#whenFinished(String, Class)}
 * give.
 *
 * <pre>{@code
 * String id = scheduler.submit(SendInvoice.class, invoice);
 * Receipt receipt = scheduler.whenFinished(id, Receipt.class)
 *         .toCompletableFuture().get(30, TimeUnit.SECONDS)
 *         .orElseThrow();                  // TaskFailedException when it went dead or was cancelled
 * }</pre>
 *
 * @param <R>    the result type: the {@code R} of the handler's {@code TaskHandler<P, R>}
 * @param status the task as {@link TaskScheduler#status(String)} reads it
 * @param value  the result read into {@code R} once the task succeeded; {@code null} before that,
 *               when it went dead or was cancelled, and when the handler returned {@code null}
 */
public record TaskResult<R>(TaskStatus status, R value) {

    /**
     * Checks the parts.
     *
     * @param status the task's status, not {@code null}
     * @param value  its result, or {@code null}
     */
    public TaskResult {
        Objects.requireNonNull(status, "status");
    }

    /**
     * Reads {@code status}'s result JSON as {@code type}.
     *
     * @param <R>    the result type
     * @param status a task's status
     * @param type   the class to read the result into (a record, a bean, {@code String}, a number...)
     * @return the status with its result read, or with a {@code null} value when it has not succeeded
     * @throws IllegalArgumentException when the result JSON does not have the shape of {@code type}
     */
    public static <R> TaskResult<R> of(TaskStatus status, Class<R> type) {
        Objects.requireNonNull(type, "type");
        R value = status.state() == TaskState.SUCCEEDED ? ResultJson.read(status.id(), status.result(), type) : null;
        return new TaskResult<>(status, value);
    }

    /**
     * Where the task is in its life.
     *
     * @return the state of {@link #status()}
     */
    public TaskState state() {
        return status.state();
    }

    /**
     * Whether the handler returned, so {@link #value()} is its result.
     *
     * @return whether the task is {@link TaskState#SUCCEEDED}
     */
    public boolean succeeded() {
        return status.state() == TaskState.SUCCEEDED;
    }

    /**
     * The result of a task that succeeded.
     *
     * @return the result (which is {@code null} when the handler returned {@code null})
     * @throws TaskFailedException   when the task is dead or cancelled
     * @throws IllegalStateException when it has not finished yet
     */
    public R orElseThrow() {
        if (succeeded()) {
            return value;
        }
        if (status.state().isFinal()) {
            throw new TaskFailedException(status);
        }
        throw new IllegalStateException("task " + status.id() + " has not finished: it is "
                + status.state().wireName());
    }
}
