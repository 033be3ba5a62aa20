package io.redtask;

import jakarta.ejb.ApplicationException;

/**
 * Thrown by a handler when trying again cannot help (the input is wrong, the customer is gone):
 * the task goes to the dead set at once, whatever attempts it had left.
 *
 * <p>An EJB application exception that rolls back ({@code @ApplicationException(rollback = true)}),
 * so a handler that calls an enterprise bean which throws it still sees this exception, not an
 * {@code EJBException} that would be retried.
 */
@ApplicationException(rollback = true)
public class NonRetryableException extends RuntimeException {

    /**
     * An exception with a message.
     *
     * @param message why trying again cannot help; kept as the task's error
     */
    public NonRetryableException(String message) {
        super(message);
    }

    /**
     * An exception with a message and its cause.
     *
     * @param message why trying again cannot help; kept as the task's error
     * @param cause   the exception that revealed it
     */
    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
