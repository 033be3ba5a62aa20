package io.redtask;

import java.time.ZoneId;
import java.util.Objects;

/**
 * A recurring schedule: create a task of {@code type} with {@code payload} at every slot of a
 * cron expression in a time zone.
 *
 * <pre>{@code
 * scheduler.schedule(Schedule.builder("nightly-report", "0 2 * * *", "report")
 *         .zone(ZoneId.of("Europe/Paris")).payload(Map.of("format", "pdf")).build());
 * }</pre>
 *
 * @param name    unique name of the schedule
 * @param cron    5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or
 *                a macro such as {@code @hourly}
 * @param zone    the zone the cron expression's wall-clock times are in
 * @param type    the task type to create
 * @param payload the payload of each task (JSON-B serialisable), or {@code null}
 * @param options queue, priority, maxAttempts and timeout of each task
 * @param misfire what to do about slots missed while no server ran
 */
public record Schedule(
        String name, String cron, ZoneId zone, String type, Object payload, SubmitOptions options, Misfire misfire) {

    /**
     * Checks the parts.
     *
     * @param name    unique name of the schedule, 1 to 200 characters
     * @param cron    the cron expression
     * @param zone    the zone of its wall-clock times
     * @param type    the task type to create
     * @param payload the payload of each task, or {@code null}
     * @param options queue, priority, maxAttempts and timeout of each task
     * @param misfire what to do about missed slots
     * @throws InvalidRequestException when the name or type is missing
     */
    public Schedule {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidRequestException("name", "a schedule needs a name of 1 to 200 characters");
        }
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(misfire, "misfire");
        if (type == null || type.isBlank()) {
            throw new InvalidRequestException("type", "is required");
        }
    }

    /**
     * Starts a schedule in UTC with default options and {@link Misfire#FIRE_ONCE}.
     *
     * @param name unique name of the schedule
     * @param cron the cron expression
     * @param type the task type to create at each slot
     * @return a builder
     */
    public static Builder builder(String name, String cron, String type) {
        return new Builder(name, cron, type);
    }

    /** Builds a {@link Schedule}. */
    public static final class Builder {
        private final String name;
        private final String cron;
        private final String type;
        private ZoneId zone = ZoneId.of("UTC");
        private Object payload;
        private SubmitOptions options = SubmitOptions.defaults();
        private Misfire misfire = Misfire.FIRE_ONCE;

        private Builder(String name, String cron, String type) {
            this.name = name;
            this.cron = cron;
            this.type = type;
        }

        /**
         * The zone of the cron expression's wall-clock times.
         *
         * @param zone the zone; UTC when not set
         * @return this builder
         */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /**
         * The payload of each task.
         *
         * @param payload any JSON-B serialisable value, or {@code null}
         * @return this builder
         */
        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        /**
         * The options of each task: queue, priority, maxAttempts, timeout.
         *
         * @param options the options; the defaults when not set
         * @return this builder
         */
        public Builder options(SubmitOptions options) {
            this.options = options;
            return this;
        }

        /**
         * What to do about slots missed while no server ran.
         *
         * @param misfire the policy; {@link Misfire#FIRE_ONCE} when not set
         * @return this builder
         */
        public Builder misfire(Misfire misfire) {
            this.misfire = misfire;
            return this;
        }

        /**
         * Builds the schedule.
         *
         * @return the schedule
         * @throws InvalidRequestException when the name or type is missing
         */
        public Schedule build() {
            return new Schedule(name, cron, zone, type, payload, options, misfire);
        }
    }
}
