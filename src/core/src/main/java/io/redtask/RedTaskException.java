package io.redtask;

import jakarta.ejb.ApplicationException;

/**
 * The base of the exceptions RedTask throws to callers.
 *
 * <p>From an enterprise bean these are <em>application exceptions</em> that roll the transaction
 * back ({@code @ApplicationException(rollback = true)}, inherited by every subclass): they reach
 * the bean's caller as they are, not wrapped in an {@code EJBException}, the container logs no
 * error and writes no FFDC for them, the bean instance is kept, and the transaction of the
 * business method they leave is rolled back. Rolled back, because a method whose submit failed
 * should not commit the rest of its work as if the task were on its way; catch the exception in
 * the bean to decide otherwise. Outside an EJB container the annotation has no effect.
 */
@ApplicationException(rollback = true)
public class RedTaskException extends RuntimeException {

    /**
     * An exception with a message.
     *
     * @param message what went wrong, in words the caller can act on
     */
    public RedTaskException(String message) {
        super(message);
    }

    /**
     * An exception with a message and its cause.
     *
     * @param message what went wrong, in words the caller can act on
     * @param cause   the exception that revealed it
     */
    public RedTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
