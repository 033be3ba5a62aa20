package io.redtask;

/**
 * What a request names does not exist: a task, a queue that no server serves and no task was
 * ever submitted to, a schedule. Over REST it becomes a 404.
 */
public class NotFoundException extends RedTaskException {

    /**
     * The exception for something that does not exist.
     *
     * @param message what was not found, and where the caller can look for what exists
     */
    public NotFoundException(String message) {
        super(message);
    }
}
