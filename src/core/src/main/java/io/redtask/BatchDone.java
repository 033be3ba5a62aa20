package io.redtask;

/**
 * The payload of a batch callback submitted without one of its own ({@code null} payload): the
 * batch's summary alone.
 *
 * <pre>{@code
 * @TaskType("invoices-sent")
 * public class InvoicesSent implements TaskHandler<BatchDone, Void> {
 *     public Void handle(BatchDone done, TaskContext context) {
 *         log.info(done.batch().succeeded() + " of " + done.batch().total() + " invoices sent");
 *         return null;
 *     }
 * }
 * }</pre>
 *
 * @param batch the batch's counts as it ended
 */
public record BatchDone(BatchSummary batch) {}
