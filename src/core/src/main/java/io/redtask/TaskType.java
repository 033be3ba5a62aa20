package io.redtask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the task type a {@link TaskHandler} bean handles, with its defaults. Names are unique in
 * an application: two beans with one name fail the deployment.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TaskType {

    /** The type name used in {@link TaskScheduler#submit(String, Object)}. */
    String value();

    /**
     * Attempts before the task is dead, unless a submit says otherwise. Failed attempts are
     * retried with exponential backoff and jitter.
     */
    int maxAttempts() default 3;

    /** Longest time one attempt may run, as an ISO-8601 duration ({@code "PT30S"}); empty for no limit. */
    String timeout() default "";

    /** Wait after the first failed attempt ({@code "PT1S"}); empty for {@code redtask.retry.base}. */
    String backoff() default "";

    /** Longest wait between attempts ({@code "PT10M"}); empty for {@code redtask.retry.cap}. */
    String backoffCap() default "";

    /**
     * Exceptions (and their subclasses) that are not worth retrying: the task is dead at once.
     * {@link NonRetryableException} never is retried either.
     */
    Class<? extends Throwable>[] noRetryFor() default {};
}
