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
 *         return scheduler.submit("send-invoice", invoice,
 *                 SubmitOptions.builder().idempotencyKey("invoice-" + invoice.id()).build());
 *     }
 * }
 * }</pre>
 *
 * <p>A task is a handler name (its <em>type</em>) and a payload that is stored as JSON (JSON-B).
 * It runs at least once on whichever server that runs the application has a free worker.
 * Implementations are thread safe. Every method throws {@link StoreUnavailableException} when
 * Redis cannot be reached.
 */
public interface TaskScheduler {

    /**
     * Submits a task to the default queue, to run now.
     *
     * @param type    the name of a handler known to this application ({@link TaskType})
     * @param payload any JSON-B serialisable value, or {@code null}
     * @return the new task's id, which {@link #status(String)} accepts on any server
     * @throws UnknownTaskTypeException when no handler is registered for {@code type}
     * @throws InvalidRequestException     when the payload cannot be written as JSON
     */
    default String submit(String type, Object payload) {
        return submit(type, payload, SubmitOptions.defaults());
    }

    /**
     * Submits a task with options: queue, priority, delay or run-at time, attempts, timeout,
     * idempotency key. With an idempotency key that was used in the same queue within its
     * window, nothing is stored and the first task's id is returned.
     *
     * @see #submit(String, Object)
     */
    default String submit(String type, Object payload, SubmitOptions options) {
        return submitForReceipt(type, payload, options).id();
    }

    /**
     * Submits a task and says what happened: the id, the state it was stored in, and whether an
     * idempotency key made it a duplicate of an earlier task (whose current state is then given).
     *
     * @see #submit(String, Object, SubmitOptions)
     */
    SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options);

    /**
     * Submits many tasks in one round trip per queue. All are checked first: if any is invalid,
     * none is stored. The tasks of one queue are stored in one atomic step.
     *
     * @return the ids, in the order of {@code tasks}
     */
    List<String> submitAll(List<Submission> tasks);

    /**
     * Reads a task's current state, attempts, result and timestamps.
     *
     * @param id an id returned by {@code submit}
     * @return the task, or empty when no such task exists (or its record has expired)
     */
    Optional<TaskStatus> status(String id);

    /**
     * Cancels a task that has not finished. A scheduled or queued task never runs; a running one
     * has its handler interrupted and its {@link TaskContext#isCancelled()} set, and its result
     * is not recorded.
     *
     * @return true when this call cancelled it; false when it had already finished or does not exist
     */
    boolean cancel(String id);

    /**
     * Completes when the task reaches a final state ({@link TaskState#isFinal()}), wherever it runs.
     * Completes exceptionally with {@link TaskNotFoundException} when there is no such task.
     * Use {@code toCompletableFuture().orTimeout(...)} to bound the wait.
     */
    CompletionStage<TaskStatus> whenFinished(String id);

    /**
     * Creates or replaces a recurring schedule. Each slot fires once across all servers. Saving
     * an unchanged schedule again (as every server does at start-up) changes nothing.
     *
     * @throws InvalidRequestException when the cron expression, zone or type is not valid
     */
    void schedule(Schedule schedule);

    /** Removes a recurring schedule. @return whether it existed */
    boolean unschedule(String name);

    /** The recurring schedules, with their next slot. */
    List<ScheduleInfo> schedules();
}
