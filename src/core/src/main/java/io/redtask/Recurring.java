package io.redtask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a recurring schedule for the {@link TaskHandler} it annotates; saved when the
 * application starts (unchanged schedules keep their next slot). Repeatable.
 *
 * <pre>{@code
 * @ApplicationScoped
 * @TaskType("cleanup")
 * @Recurring(name = "hourly-cleanup", cron = "@hourly")
 * public class Cleanup implements TaskHandler<Object, Void> { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Recurring.List.class)
public @interface Recurring {

    /** The schedule's unique name. */
    String name();

    /** The cron expression (5 or 6 fields, or a macro such as {@code @daily}). */
    String cron();

    /** The time zone of the cron expression. */
    String zone() default "UTC";

    /** The payload of each task, as JSON. */
    String payload() default "null";

    /** The queue of each task. */
    String queue() default SubmitOptions.DEFAULT_QUEUE;

    /** What to do about slots missed while no server ran. */
    Misfire misfire() default Misfire.FIRE_ONCE;

    /** Holds repeated {@link Recurring} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        Recurring[] value();
    }
}
