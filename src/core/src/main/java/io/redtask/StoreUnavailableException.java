package io.redtask;

/**
 * Redis could not be reached or did not answer in time. For a submit this means the task was
 * not stored (or, if the connection broke after the write, may have been: retry with the same
 * idempotency key).
 */
public class StoreUnavailableException extends RedTaskException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
