package io.redtask;

/**
 * Redis could not be reached or did not answer in time. For a submit this means the task was
 * not stored (or, if the connection broke after the write, may have been: retry with the same
 * idempotency key).
 */
public class StoreUnavailableException extends RedTaskException {

    /**
     * The exception for a Redis that did not answer.
     *
     * @param message what could not be done, and the address (without password)
     * @param cause   the client's exception
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
