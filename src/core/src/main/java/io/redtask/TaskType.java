package io.redtask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the task type a {@link TaskHandler} bean handles. Names are unique in an application:
 * two beans with one name fail the deployment.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TaskType {

    /** The type name used in {@link TaskScheduler#submit(String, Object)}. */
    String value();

    /**
     * Attempts before the task is dead, unless a submit says otherwise. Failed attempts are
     * retried with exponential backoff ({@code redtask.retry.*}).
     */
    int maxAttempts() default 3;
}
