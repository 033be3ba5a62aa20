package io.redtask;

/**
 * Something happened to a task, as a CDI event: {@code void on(@Observes TaskEvent e)}. Fired
 * on the server where it happened, after Redis recorded it, on the thread that recorded it;
 * an observer that throws is logged and changes nothing. Events of one task's successive attempts
 * come from different worker threads and may arrive out of order when the attempts follow each
 * other closely: order them by {@link #attempt()}.
 *
 * @param kind       what happened
 * @param taskId     the task
 * @param type       its handler's name
 * @param queue      its queue
 * @param attempt    the attempt it concerns (0 for a cancel before any attempt)
 * @param resultJson the result, for {@link Kind#SUCCEEDED}
 * @param error      the error, for failures
 * @param waitMillis how long the attempt waited from its due time to its start (-1 when not run)
 * @param runMillis  how long the attempt ran (-1 when not run)
 */
public record TaskEvent(
        Kind kind,
        String taskId,
        String type,
        String queue,
        int attempt,
        String resultJson,
        String error,
        long waitMillis,
        long runMillis) {

    /** Kinds of event. */
    public enum Kind {
        /** The handler returned; the result is recorded. */
        SUCCEEDED,
        /** An attempt failed; the task will be tried again. */
        FAILED_WILL_RETRY,
        /** The task failed for good and is in the dead set. */
        DEAD,
        /** The task was cancelled. */
        CANCELLED
    }
}
