package io.redtask;

/**
 * The code a task runs. Implement it in a CDI bean and name the type with {@link TaskType}:
 *
 * <pre>{@code
 * @ApplicationScoped
 * @TaskType("send-invoice")
 * public class SendInvoice implements TaskHandler<Invoice, Receipt> {
 *     public Receipt handle(Invoice invoice, TaskContext context) { ... }
 * }
 * }</pre>
 *
 * <p>The payload is read from JSON into {@code P} with JSON-B; the result is written as JSON.
 * Delivery is at least once: a handler may run again after a server died in the middle of it,
 * so make it idempotent (see {@link TaskContext#fencingToken()}).
 *
 * @param <P> the payload type
 * @param <R> the result type ({@link Void} for none)
 */
@FunctionalInterface
public interface TaskHandler<P, R> {

    /**
     * Runs the task. Returning completes it; throwing fails this attempt.
     *
     * @param payload the payload the task was submitted with, or {@code null}
     * @param context the task's id, attempt number and fencing token
     * @return the result to keep, or {@code null}
     * @throws Exception to fail the attempt; the message is kept as the task's error
     */
    R handle(P payload, TaskContext context) throws Exception;
}
