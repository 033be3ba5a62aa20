package io.redtask;

import java.util.Objects;

/**
 * How a task is to be run: which queue it goes to, and (in later versions) when, with what
 * priority and how often it is retried. Immutable; build one with {@link #builder()}.
 */
public final class SubmitOptions {

    /** The queue tasks go to when none is named. */
    public static final String DEFAULT_QUEUE = "default";

    private static final SubmitOptions DEFAULTS = new Builder().build();

    private final String queue;
    private final Integer maxAttempts;

    private SubmitOptions(Builder builder) {
        this.queue = builder.queue;
        this.maxAttempts = builder.maxAttempts;
    }

    /** The options used by {@link TaskScheduler#submit(String, Object)}. */
    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    /** Starts a builder with default values. */
    public static Builder builder() {
        return new Builder();
    }

    /** Shortcut for {@code builder().queue(name).build()}. */
    public static SubmitOptions queue(String name) {
        return builder().queue(name).build();
    }

    /** The queue's name. */
    public String queueName() {
        return queue;
    }

    /** The number of attempts before the task is dead, or {@code null} for the handler's default. */
    public Integer maxAttempts() {
        return maxAttempts;
    }

    @Override
    public String toString() {
        return "SubmitOptions[queue=" + queue + ", maxAttempts=" + maxAttempts + "]";
    }

    /** Builds {@link SubmitOptions}. */
    public static final class Builder {
        private String queue = DEFAULT_QUEUE;
        private Integer maxAttempts;

        private Builder() {
        }

        /**
         * The queue to put the task on: 1 to 64 characters from {@code A-Z a-z 0-9 _ -}.
         *
         * @throws InvalidTaskException when the name is not valid
         */
        public Builder queue(String name) {
            this.queue = QueueNames.requireValid(name);
            return this;
        }

        /**
         * How many times the task is tried before it is dead (at least 1).
         *
         * @throws InvalidTaskException when {@code attempts < 1}
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new InvalidTaskException("maxAttempts", "must be at least 1, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        public SubmitOptions build() {
            Objects.requireNonNull(queue, "queue");
            return new SubmitOptions(this);
        }
    }
}
