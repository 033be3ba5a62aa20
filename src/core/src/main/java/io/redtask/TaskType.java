package io.redtask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the task type a {@link TaskHandler} bean handles, with its defaults. Names are unique in
 * an application: two beans with one name fail the deployment, and so does a {@code @TaskType}
 * on a class that is not a {@link TaskHandler} or has a duration that is not ISO-8601.
 *
 * <pre>{@code
 * @ApplicationScoped
 * @TaskType(value = "send-invoice", maxAttempts = 5, timeout = "PT30S", backoff = "PT10S",
 *           backoffCap = "PT1H", noRetryFor = InvoiceRejected.class)
 * public class SendInvoice implements TaskHandler<Invoice, Receipt> { ... }
 * }</pre>
 *
 * <p>Every default here can be overridden per task with {@link SubmitOptions}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TaskType {

    /**
     * The type name: what {@link TaskScheduler#submit(String, Object)} and the REST API's
     * {@code "type"} name, and what {@link TaskScheduler#submit(Class, Object)} reads from the class.
     * Tasks in Redis carry it, so renaming a type strands the tasks already submitted under the old
     * name.
     *
     * @return a name unique in the application, not blank
     */
    String value();

    /**
     * Attempts before the task is dead, unless a submit says otherwise
     * ({@link SubmitOptions.Builder#maxAttempts(int)}). Failed attempts are retried with
     * exponential backoff and jitter.
     *
     * @return 1 or more; 3 by default
     */
    int maxAttempts() default 3;

    /**
     * Longest time one attempt may run; then the handler's thread is interrupted, its
     * {@link TaskContext#isCancelled()} turns true, and the attempt counts as failed.
     *
     * @return an ISO-8601 duration such as {@code "PT30S"}; empty (the default) for no limit
     */
    String timeout() default "";

    /**
     * Wait after the first failed attempt; it doubles after each further failure, up to
     * {@link #backoffCap()}, with the configured jitter.
     *
     * @return an ISO-8601 duration such as {@code "PT1S"}; empty (the default) for
     *         {@code redtask.retry.base}
     */
    String backoff() default "";

    /**
     * Longest wait between attempts.
     *
     * @return an ISO-8601 duration such as {@code "PT10M"}; empty (the default) for
     *         {@code redtask.retry.cap}
     */
    String backoffCap() default "";

    /**
     * Exceptions (and their subclasses) that are not worth retrying: an attempt that throws one
     * makes the task dead at once. {@link NonRetryableException} never is retried either.
     *
     * @return exception classes; none by default
     */
    Class<? extends Throwable>[] noRetryFor() default {};
}
