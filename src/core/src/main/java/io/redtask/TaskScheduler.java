package io.redtask;

import java.util.Optional;

/**
 * Hands work to the background: the entry point applications inject.
 *
 * <pre>{@code
 * @Stateless
 * public class Invoices {
 *     @Inject TaskScheduler scheduler;
 *
 *     public String send(Invoice invoice) {
 *         return scheduler.submit("send-invoice", invoice);
 *     }
 * }
 * }</pre>
 *
 * <p>A task is a handler name (its <em>type</em>) and a payload that is stored as JSON (JSON-B).
 * It runs at least once on whichever server that runs the application has a free worker.
 * Implementations are thread safe.
 */
public interface TaskScheduler {

    /**
     * Submits a task to the default queue.
     *
     * @param type    the name of a handler known to this application ({@link TaskType})
     * @param payload any JSON-B serialisable value, or {@code null}
     * @return the new task's id, which {@link #status(String)} accepts on any server
     * @throws UnknownTaskTypeException when no handler is registered for {@code type}
     * @throws InvalidTaskException     when the payload cannot be written as JSON
     * @throws StoreUnavailableException when Redis cannot be reached; nothing was stored
     */
    default String submit(String type, Object payload) {
        return submit(type, payload, SubmitOptions.defaults());
    }

    /**
     * Submits a task with options such as its queue.
     *
     * @see #submit(String, Object)
     */
    String submit(String type, Object payload, SubmitOptions options);

    /**
     * Reads a task's current state, attempts, result and timestamps.
     *
     * @param id an id returned by {@code submit}
     * @return the task, or empty when no such task exists (or its record has expired)
     * @throws StoreUnavailableException when Redis cannot be reached
     */
    Optional<TaskStatus> status(String id);
}
