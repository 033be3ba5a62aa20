package io.redtask;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Hands work to the background: the entry point applications inject.
 *
 * <pre>{@code
 * @Stateless
 * public class Invoices {
 *     @Inject TaskScheduler scheduler;
 *
 *     public String send(Invoice invoice) {
 *         return scheduler.submit(SendInvoice.class, invoice,
 *                 SubmitOptions.builder().idempotencyKey("invoice-" + invoice.id()).build());
 *     }
 *
 *     public Optional<TaskResult<Receipt>> receipt(String taskId) {
 *         return scheduler.result(taskId, Receipt.class);
 *     }
 * }
 * }</pre>
 *
 * <p>A task is a handler name (its <em>type</em>) and a payload that is stored as JSON (JSON-B).
 * It runs at least once on whichever server that runs the application has a free worker. Tasks
 * are submitted by type name ({@link #submit(String, Object)}) or, checked by the compiler, by
 * handler class ({@link #submit(Class, Object)}, which reads the name from the class's
 * {@link TaskType}).
 *
 * <p>Implementations are thread safe. Every method throws {@link StoreUnavailableException} when
 * Redis cannot be reached. Through the injected scheduler, a submit made while a JTA transaction
 * is active is checked at once and stored when the transaction commits, never after a rollback
 * ({@link SubmitOptions#isImmediate()} opts out). The exceptions of this API are EJB application
 * exceptions that roll the caller's transaction back (see {@link RedTaskException}).
 */
public interface TaskScheduler {

    /**
     * Submits a task to the default queue, to run now.
     *
     * @param type    the name of a handler known to this application ({@link TaskType})
     * @param payload any JSON-B serialisable value, or {@code null}
     * @return the new task's id, which {@link #status(String)} accepts on any server
     * @throws UnknownTaskTypeException when no handler is registered for {@code type}
     * @throws InvalidRequestException  when the payload cannot be written as JSON, or the handler
     *                                  could not read it
     */
    default String submit(String type, Object payload) {
        return submit(type, payload, SubmitOptions.defaults());
    }

    /**
     * Submits a task with options: queue, priority, delay or run-at time, attempts, timeout,
     * idempotency key. With an idempotency key that was used in the same queue within its
     * window, nothing is stored and the first task's id is returned.
     *
     * @param type    the name of a handler known to this application ({@link TaskType})
     * @param payload any JSON-B serialisable value, or {@code null}
     * @param options where, when and how the task runs
     * @return the new task's id, or the first task's for a repeated idempotency key
     * @throws UnknownTaskTypeException when no handler is registered for {@code type}
     * @throws InvalidRequestException  when the payload cannot be written as JSON, or the handler
     *                                  could not read it
     */
    default String submit(String type, Object payload, SubmitOptions options) {
        return submitForReceipt(type, payload, options).id();
    }

    /**
     * Submits a task to the handler class's type, to run now. The compiler checks that the
     * payload is what the handler takes.
     *
     * <pre>{@code
     * String id = scheduler.submit(SendInvoice.class, new Invoice("INV-7", "ada@example.com", 120));
     * }</pre>
     *
     * @param <P>     the handler's payload type
     * @param handler a handler class annotated with {@link TaskType}
     * @param payload its payload, or {@code null}
     * @return the new task's id
     * @throws InvalidRequestException  when the class has no {@link TaskType}, or the payload cannot
     *                                  be written as JSON
     * @throws UnknownTaskTypeException when the class is not a handler of this application (not a
     *                                  CDI bean of its deployment)
     */
    default <P> String submit(Class<? extends TaskHandler<P, ?>> handler, P payload) {
        return submit(HandlerTypes.nameOf(handler), payload, SubmitOptions.defaults());
    }

    /**
     * Submits a task to the handler class's type with options.
     *
     * @param <P>     the handler's payload type
     * @param handler a handler class annotated with {@link TaskType}
     * @param payload its payload, or {@code null}
     * @param options where, when and how the task runs
     * @return the new task's id, or the first task's for a repeated idempotency key
     * @throws InvalidRequestException  when the class has no {@link TaskType}, or the payload cannot
     *                                  be written as JSON
     * @throws UnknownTaskTypeException when the class is not a handler of this application
     * @see #submit(String, Object, SubmitOptions)
     */
    default <P> String submit(Class<? extends TaskHandler<P, ?>> handler, P payload, SubmitOptions options) {
        return submit(HandlerTypes.nameOf(handler), payload, options);
    }

    /**
     * Submits a task and says what happened: the id, the state it was stored in, and whether an
     * idempotency key made it a duplicate of an earlier task (whose current state is then given).
     *
     * @param type    the name of a handler known to this application ({@link TaskType})
     * @param payload any JSON-B serialisable value, or {@code null}
     * @param options where, when and how the task runs
     * @return what the submit did
     * @throws UnknownTaskTypeException when no handler is registered for {@code type}
     * @throws InvalidRequestException  when the payload or an option is not valid
     * @see #submit(String, Object, SubmitOptions)
     */
    SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options);

    /**
     * Submits many tasks in one round trip per queue. All are checked first: if any is invalid,
     * none is stored. The tasks of one queue are stored in one atomic step (of one shard of a queue
     * spread over shards, {@code redtask.queue.<q>.shards}: a failure in one shard's step leaves
     * the other shards' tasks stored).
     *
     * @param tasks the tasks, each with its type, payload and options ({@link Submission#of})
     * @return the ids, in the order of {@code tasks}
     * @throws InvalidRequestException naming the field {@code tasks[i].<field>} of the first
     *                                 invalid task
     */
    List<String> submitAll(List<Submission> tasks);

    /**
     * Submits a batch: tasks that run as any others, and a callback task that is submitted exactly
     * once, when every one of them has ended (succeeded, dead or cancelled). A task that failed
     * and will be retried has not ended. The count is kept in Redis, in the same atomic step as
     * each task's end, so it holds across servers, retries, and a server killed mid-batch.
     *
     * <pre>{@code
     * @Stateless
     * public class Invoicing {
     *     @Inject TaskScheduler scheduler;
     *
     *     public String sendAll(List<Invoice> invoices) {
     *         List<Submission> sends = invoices.stream()
     *                 .map(i -> Submission.of(SendInvoice.class, i))
     *                 .toList();
     *         return scheduler.submitBatch(sends, Submission.of(InvoicesSent.class, null));
     *     }
     * }
     * }</pre>
     *
     * <p>The callback's payload is the one it was given (a JSON object, or {@code null}) with a
     * field {@code "batch"} set to the batch's {@link BatchSummary}; a callback without a payload
     * of its own takes {@link BatchDone}. All tasks and the callback must be in one queue (a batch
     * lives in its queue's Redis Cluster slot); members may not have idempotency keys; the
     * callback may not have a delay or run-at time. Retrying a dead member from the dead set
     * while its batch runs takes it back into the count; once the batch is done it stays done.
     *
     * @param tasks      the members, 1 to 10,000, each with its type, payload and options
     * @param onComplete the callback, or {@code null} for none
     * @return the batch's id, which {@link #batch(String)} accepts on any server
     * @throws InvalidRequestException naming the field ({@code tasks[i].<field>},
     *                                 {@code onComplete.<field>}) of the first problem; then
     *                                 nothing is stored
     */
    default String submitBatch(List<Submission> tasks, Submission onComplete) {
        return submitBatchForReceipt(tasks, onComplete).id();
    }

    /**
     * Submits a batch as {@link #submitBatch} does and says what was stored: the batch's id, its
     * tasks' ids in order, and the callback's id.
     *
     * @param tasks      the members, 1 to 10,000
     * @param onComplete the callback, or {@code null} for none
     * @return the ids
     * @throws InvalidRequestException as {@link #submitBatch} does
     */
    BatchReceipt submitBatchForReceipt(List<Submission> tasks, Submission onComplete);

    /**
     * Reads a batch as it is now: its counts, whether it is done, its callback's id. A done
     * batch is kept as long as succeeded tasks are ({@code redtask.keep.succeeded}).
     *
     * @param id an id returned by {@link #submitBatch}
     * @return the batch, or empty when there is none (or its record has expired)
     */
    Optional<BatchStatus> batch(String id);

    /**
     * Reads a task as it is now, from Redis, on any server. The {@link TaskStatus} has its
     * {@link TaskState state} ({@code SCHEDULED}, {@code QUEUED}, {@code RUNNING} or a final state:
     * {@code SUCCEEDED}, {@code DEAD}, {@code CANCELLED}), the attempts made and allowed, the
     * handler's result as JSON text once it succeeded ({@code null} otherwise), the last failure's
     * message, and when it was created, started its last attempt, became due and finished.
     * Finished tasks are kept for {@code redtask.keep.succeeded} (succeeded and cancelled, 24 hours
     * by default) or {@code redtask.keep.dead} (7 days); after that the task is gone.
     *
     * @param id an id returned by {@code submit}
     * @return the task, or empty when no such task exists (or its record has expired)
     * @see #result(String, Class)
     */
    Optional<TaskStatus> status(String id);

    /**
     * Reads a task as {@link #status(String)} does, with its result read from JSON into
     * {@code resultType}.
     *
     * <pre>{@code
     * scheduler.result(id, Receipt.class)
     *         .filter(TaskResult::succeeded)
     *         .map(TaskResult::value)
     *         .ifPresent(receipt -> ...);
     * }</pre>
     *
     * @param <R>        the result type
     * @param id         an id returned by {@code submit}
     * @param resultType the handler's result class ({@code R} of {@code TaskHandler<P, R>})
     * @return the task with its result (a {@code null} value until it succeeded), or empty when no
     *         such task exists (or its record has expired)
     * @throws IllegalArgumentException when the result JSON does not have the shape of {@code resultType}
     */
    default <R> Optional<TaskResult<R>> result(String id, Class<R> resultType) {
        return status(id).map(s -> TaskResult.of(s, resultType));
    }

    /**
     * Cancels a task that has not finished. A scheduled or queued task never runs; a running one
     * has its handler interrupted and its {@link TaskContext#isCancelled()} set, and its result
     * is not recorded.
     *
     * @param id an id returned by {@code submit}
     * @return true when this call cancelled it; false when it had already finished or does not exist
     */
    boolean cancel(String id);

    /**
     * Completes when the task reaches a final state ({@link TaskState#isFinal()}), wherever it runs.
     * Completes exceptionally with {@link TaskNotFoundException} when there is no such task.
     * Use {@code toCompletableFuture().orTimeout(...)} to bound the wait.
     *
     * @param id an id returned by {@code submit}
     * @return the task as it ended
     */
    CompletionStage<TaskStatus> whenFinished(String id);

    /**
     * Completes when the task reaches a final state, with its result read into {@code resultType}.
     * A dead or cancelled task completes the stage normally (its {@link TaskResult#orElseThrow()}
     * throws {@link TaskFailedException}); a task that does not exist completes it exceptionally with
     * {@link TaskNotFoundException}.
     *
     * @param <R>        the result type
     * @param id         an id returned by {@code submit}
     * @param resultType the handler's result class
     * @return the task as it ended, with its result
     * @see #whenFinished(String)
     */
    default <R> CompletionStage<TaskResult<R>> whenFinished(String id, Class<R> resultType) {
        return whenFinished(id).thenApply(s -> TaskResult.of(s, resultType));
    }

    /**
     * Creates or replaces a recurring schedule. Each slot fires once across all servers. Saving
     * an unchanged schedule again (as every server does at start-up) changes nothing.
     *
     * @param schedule the schedule
     * @throws InvalidRequestException when the cron expression, zone or type is not valid
     */
    void schedule(Schedule schedule);

    /**
     * Removes a recurring schedule. Tasks it already created are not touched.
     *
     * @param name the schedule's name
     * @return whether it existed
     */
    boolean unschedule(String name);

    /**
     * The recurring schedules, with their next slot.
     *
     * @return every stored schedule
     */
    List<ScheduleInfo> schedules();
}
