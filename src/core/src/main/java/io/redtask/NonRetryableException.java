package io.redtask;

/**
 * Thrown by a handler when trying again cannot help (the input is wrong, the customer is gone):
 * the task goes to the dead set at once, whatever attempts it had left.
 */
public class NonRetryableException extends RuntimeException {

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
