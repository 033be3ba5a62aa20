package io.redtask;

import java.time.Duration;
import java.time.Instant;

/**
 * How a task is to be run: its queue, when, with what priority, how often and how long it may
 * be tried, and an idempotency key. Immutable; build one with {@link #builder()}. Unset values
 * fall back to the handler's {@link TaskType} and then to the server's configuration.
 */
public final class SubmitOptions {

    /** The queue tasks go to when none is named. */
    public static final String DEFAULT_QUEUE = "default";
    /** Lowest priority. */
    public static final int MIN_PRIORITY = -1000;
    /** Highest priority. */
    public static final int MAX_PRIORITY = 1000;
    /** Longest idempotency key, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY = 256;

    private static final SubmitOptions DEFAULTS = new Builder().build();

    private final String queue;
    private final int priority;
    private final Duration delay;
    private final Instant runAt;
    private final Integer maxAttempts;
    private final Duration timeout;
    private final String idempotencyKey;
    private final Duration idempotencyWindow;
    private final Duration backoff;
    private final Duration backoffCap;
    private final boolean immediate;
    private final String submittedBy;
    private final String group;
    private final String trace;

    private SubmitOptions(Builder b) {
        this.queue = b.queue;
        this.priority = b.priority;
        this.delay = b.delay;
        this.runAt = b.runAt;
        this.maxAttempts = b.maxAttempts;
        this.timeout = b.timeout;
        this.idempotencyKey = b.idempotencyKey;
        this.idempotencyWindow = b.idempotencyWindow;
        this.backoff = b.backoff;
        this.backoffCap = b.backoffCap;
        this.immediate = b.immediate;
        this.submittedBy = b.submittedBy;
        this.group = b.group;
        this.trace = b.trace;
    }

    /**
     * The task's group: a queue's groups are served in turn, and the queue's group concurrency
     * (if any) caps the running tasks of each group.
     *
     * @return the group key, or {@code null} for none
     */
    public String group() {
        return group;
    }

    /**
     * The W3C {@code traceparent} the task joins when the submitting thread has no trace context
     * of its own (with OpenTelemetry in the server, the current span wins).
     *
     * @return a traceparent ({@link TraceParent}), or {@code null}
     */
    public String trace() {
        return trace;
    }

    /**
     * Who submits the task, recorded with it.
     *
     * @return a user name, or {@code null}
     */
    public String submittedBy() {
        return submittedBy;
    }

    /**
     * The options used by {@link TaskScheduler#submit(String, Object)}.
     *
     * @return the default options: queue {@value #DEFAULT_QUEUE}, priority 0, now, the handler's attempts and timeout
     */
    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder with default values.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Shortcut for {@code builder().queue(name).build()}.
     *
     * @param name the queue's name
     * @return options with that queue and defaults otherwise
     */
    public static SubmitOptions queue(String name) {
        return builder().queue(name).build();
    }

    /**
     * Shortcut for {@code builder().immediate().build()}: stored at once even inside a JTA
     * transaction, whether it commits or not.
     *
     * @return options with {@link #isImmediate()} true and defaults otherwise
     */
    public static SubmitOptions immediate() {
        return builder().immediate().build();
    }

    /**
     * Whether the task is stored at once even inside a JTA transaction. By default a submit made
     * while a transaction is active is stored when the transaction commits, and not at all when it
     * rolls back (through the CDI-injected {@link TaskScheduler}).
     *
     * @return whether a transaction is bypassed
     */
    public boolean isImmediate() {
        return immediate;
    }

    /**
     * The queue the task goes to.
     *
     * @return the queue's name
     */
    public String queueName() {
        return queue;
    }

    /**
     * The task's priority: higher runs first.
     *
     * @return the priority; 0 by default
     */
    public int priority() {
        return priority;
    }

    /**
     * Wait this long before the task may run.
     *
     * @return the delay, or {@code null}
     */
    public Duration delay() {
        return delay;
    }

    /**
     * Do not run before this instant.
     *
     * @return the instant, or {@code null}
     */
    public Instant runAt() {
        return runAt;
    }

    /**
     * Attempts before the task is dead.
     *
     * @return the attempts, or {@code null} for the handler's default
     */
    public Integer maxAttempts() {
        return maxAttempts;
    }

    /**
     * Longest time one attempt may run.
     *
     * @return the timeout, or {@code null} for the handler's default
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The idempotency key.
     *
     * @return the key, or {@code null}
     */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /**
     * How long the idempotency key is remembered.
     *
     * @return the window, or {@code null} for {@code redtask.idempotency-window}
     */
    public Duration idempotencyWindow() {
        return idempotencyWindow;
    }

    /**
     * The wait after the first failed attempt (doubling after each).
     *
     * @return the wait, or {@code null} for the handler's or the configured default
     */
    public Duration backoff() {
        return backoff;
    }

    /**
     * The longest wait between attempts.
     *
     * @return the cap, or {@code null} for the handler's or the configured default
     */
    public Duration backoffCap() {
        return backoffCap;
    }

    /**
     * The earliest run time given {@code now}: runAt, now + delay, or now.
     *
     * @param now the time of the submit
     * @return when the task becomes due
     */
    public Instant dueAt(Instant now) {
        if (runAt != null) {
            return runAt;
        }
        return delay != null ? now.plus(delay) : now;
    }

    @Override
    public String toString() {
        return "SubmitOptions[queue=" + queue + ", priority=" + priority + ", delay=" + delay + ", runAt=" + runAt
                + ", maxAttempts=" + maxAttempts + ", timeout=" + timeout + ", idempotencyKey=" + idempotencyKey + "]";
    }

    /** Builds {@link SubmitOptions}. Each setter checks its value and names the field when it is wrong. */
    public static final class Builder {
        private String queue = DEFAULT_QUEUE;
        private int priority;
        private Duration delay;
        private Instant runAt;
        private Integer maxAttempts;
        private Duration timeout;
        private String idempotencyKey;
        private Duration idempotencyWindow;
        private Duration backoff;
        private Duration backoffCap;
        private boolean immediate;
        private String submittedBy;
        private String group;
        private String trace;

        private Builder() {}

        /**
         * Puts the task in a group (a tenant, a customer): a queue serves its groups in turn, so a
         * group with thousands of waiting tasks does not hold up one with a few, and the queue's
         * group concurrency ({@code redtask.queue.<q>.group-concurrency}) caps how many of one
         * group run at once across all servers.
         *
         * @param group 1 to {@value SubmitOptions#MAX_IDEMPOTENCY_KEY} characters, or {@code null} for none
         * @return this builder
         * @throws InvalidRequestException when blank or too long
         */
        public Builder group(String group) {
            if (group != null && (group.isBlank() || group.length() > MAX_IDEMPOTENCY_KEY)) {
                throw new InvalidRequestException(
                        "group", "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters and not blank");
            }
            this.group = group;
            return this;
        }

        /**
         * A W3C {@code traceparent} the task's run joins when the submitting thread has no current
         * trace context (the REST API passes the request's {@code traceparent} header so).
         *
         * @param traceparent {@code 00-<trace id>-<span id>-<flags>}, or {@code null}
         * @return this builder
         * @throws InvalidRequestException when it is not a valid version-00 traceparent
         */
        public Builder trace(String traceparent) {
            if (traceparent != null && !TraceParent.isValid(traceparent)) {
                throw new InvalidRequestException(
                        "traceparent", "must be a W3C traceparent: 00-<32 hex>-<16 hex>-<2 hex>, ids not all zero");
            }
            this.trace = traceparent;
            return this;
        }

        /**
         * Records who submits the task (a user name). Its idempotency key is then that user's own:
         * another user's task under the same key is a different task. The REST API sets it when
         * {@code redtask.rest.secure-tasks} is on, and then shows a task only to the user who
         * submitted it and to admins.
         *
         * @param principal the user's name, or {@code null}
         * @return this builder
         * @throws InvalidRequestException when longer than 256 characters
         */
        public Builder submittedBy(String principal) {
            if (principal != null && principal.length() > 256) {
                throw new InvalidRequestException("submittedBy", "must be at most 256 characters");
            }
            this.submittedBy = principal;
            return this;
        }

        /**
         * Stores the task at once even inside a JTA transaction; see {@link SubmitOptions#isImmediate()}.
         *
         * @return this builder
         */
        public Builder immediate() {
            this.immediate = true;
            return this;
        }

        /**
         * The queue to put the task on: 1 to 64 characters from {@code A-Z a-z 0-9 _ -}.
         *
         * @param name the queue's name; {@value SubmitOptions#DEFAULT_QUEUE} when not set
         * @return this builder
         * @throws InvalidRequestException when the name is not valid
         */
        public Builder queue(String name) {
            this.queue = QueueNames.requireValid(name);
            return this;
        }

        /**
         * Higher runs first, from -1000 to 1000; tasks of one priority run in submit order.
         *
         * @param priority the priority; 0 when not set
         * @return this builder
         * @throws InvalidRequestException when outside -1000..1000
         */
        public Builder priority(int priority) {
            if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
                throw new InvalidRequestException(
                        "priority", "must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", was " + priority);
            }
            this.priority = priority;
            return this;
        }

        /**
         * Run no sooner than {@code delay} from now. Not together with {@link #runAt}.
         *
         * @param delay the delay, or {@code null} for none
         * @return this builder
         * @throws InvalidRequestException when negative or combined with a run-at time
         */
        public Builder delay(Duration delay) {
            if (delay != null && delay.isNegative()) {
                throw new InvalidRequestException("delay", "must not be negative, was " + delay);
            }
            if (delay != null && runAt != null) {
                throw new InvalidRequestException("delay", "cannot be combined with runAt");
            }
            this.delay = delay;
            return this;
        }

        /**
         * Run no sooner than {@code instant} (an instant in the past means now). Not with {@link #delay}.
         *
         * @param instant the instant, or {@code null} for none
         * @return this builder
         * @throws InvalidRequestException when combined with a delay
         */
        public Builder runAt(Instant instant) {
            if (instant != null && delay != null) {
                throw new InvalidRequestException("runAt", "cannot be combined with delay");
            }
            this.runAt = instant;
            return this;
        }

        /**
         * How many times the task is tried before it is dead, 1 to 1000.
         *
         * @param attempts the attempts; the handler's {@link TaskType#maxAttempts()} when not set
         * @return this builder
         * @throws InvalidRequestException when outside 1..1000
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 1000) {
                throw new InvalidRequestException("maxAttempts", "must be between 1 and 1000, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Longest time one attempt may run; the handler is then interrupted and the attempt fails.
         *
         * @param timeout a positive duration; the handler's {@link TaskType#timeout()} when not set
         * @return this builder
         * @throws InvalidRequestException when not positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new InvalidRequestException("timeout", "must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * A key that makes the submit exactly once: another submit with the same key to the same
         * queue within the window returns the first task's id and stores nothing.
         *
         * @param key 1 to {@value SubmitOptions#MAX_IDEMPOTENCY_KEY} characters, or {@code null} for none
         * @return this builder
         * @throws InvalidRequestException when blank or too long
         */
        public Builder idempotencyKey(String key) {
            if (key != null && (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY)) {
                throw new InvalidRequestException(
                        "idempotencyKey", "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters and not blank");
            }
            this.idempotencyKey = key;
            return this;
        }

        /**
         * How long the idempotency key is remembered.
         *
         * @param window a positive duration; {@code redtask.idempotency-window} (24 hours) when not set
         * @return this builder
         * @throws InvalidRequestException when not positive
         */
        public Builder idempotencyWindow(Duration window) {
            if (window != null && (window.isZero() || window.isNegative())) {
                throw new InvalidRequestException("idempotencyWindow", "must be positive, was " + window);
            }
            this.idempotencyWindow = window;
            return this;
        }

        /**
         * The wait after the first failed attempt and the longest wait; doubling in between.
         *
         * @param first the wait after the first failed attempt
         * @param cap the longest wait
         * @return this builder
         * @throws InvalidRequestException unless 0 &lt;= first &lt;= cap
         */
        public Builder backoff(Duration first, Duration cap) {
            if (first == null || cap == null || first.isNegative() || cap.compareTo(first) < 0) {
                throw new InvalidRequestException("backoff", "needs 0 <= first <= cap, was " + first + " / " + cap);
            }
            this.backoff = first;
            this.backoffCap = cap;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         */
        public SubmitOptions build() {
            return new SubmitOptions(this);
        }
    }
}
