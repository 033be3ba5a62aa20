package io.redtask;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a recurring schedule for the {@link TaskHandler} it annotates; saved in Redis when the
 * application starts (an unchanged schedule keeps its next slot). Repeatable. Each slot creates
 * one task across all servers. Removing the annotation does not remove the stored schedule: use
 * {@link TaskScheduler#unschedule(String)}. A bad cron expression, zone or payload fails the
 * deployment.
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

    /**
     * The schedule's name, unique across the applications sharing the Redis key prefix.
     *
     * @return 1 to 200 characters
     */
    String name();

    /**
     * When it fires.
     *
     * @return a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with
     *         seconds first, or a macro ({@code @yearly @monthly @weekly @daily @hourly})
     */
    String cron();

    /**
     * The time zone of the cron expression's wall-clock times.
     *
     * @return a zone id such as {@code "Europe/Paris"}; {@code "UTC"} by default
     */
    String zone() default "UTC";

    /**
     * The payload of each task.
     *
     * @return JSON text the handler's payload type can read; {@code "null"} by default
     */
    String payload() default "null";

    /**
     * The queue of each task.
     *
     * @return a queue name; {@value SubmitOptions#DEFAULT_QUEUE} by default
     */
    String queue() default SubmitOptions.DEFAULT_QUEUE;

    /**
     * What to do about slots missed while no server ran.
     *
     * @return {@link Misfire#FIRE_ONCE} (the default) or {@link Misfire#SKIP}
     */
    Misfire misfire() default Misfire.FIRE_ONCE;

    /** Holds repeated {@link Recurring} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        /**
         * The schedules.
         *
         * @return the repeated annotations
         */
        Recurring[] value();
    }
}
