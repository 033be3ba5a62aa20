package io.redtask.engine;

import io.redtask.InvalidTaskException;
import io.redtask.RedTaskException;
import io.redtask.StoreUnavailableException;
import io.redtask.SubmitOptions;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;
import io.redtask.UnknownTaskTypeException;
import jakarta.json.bind.JsonbException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scheduler itself, in plain Java: submits tasks to a {@link TaskStore} and, once started,
 * runs this server's share of them on the worker executor it was given. Timing comes from the
 * {@link Clock} it was given, so tests can move time by hand.
 *
 * <p>In a Jakarta EE server the CDI layer builds one with a {@code ManagedExecutorService} for
 * handlers and a {@code ManagedScheduledExecutorService} for its own loops; elsewhere any
 * executors do. The housekeeping executor needs a thread per queue (fetchers block) plus two.
 */
public final class RedTaskEngine implements TaskScheduler {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());
    private static final int MAX_ERROR_LENGTH = 4_000;

    private enum Phase { NEW, RUNNING, STOPPING, STOPPED }

    private final TaskStore store;
    private final Clock clock;
    private final EngineSettings settings;
    private final Map<String, HandlerRegistration> handlers;
    private final JsonCodec codec;
    private final Executor workers;
    private final ScheduledExecutorService housekeeping;
    private final WorkerSlots slots;
    private final Map<String, ClaimedTask> running = new ConcurrentHashMap<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Future<?>> loops = new ArrayList<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private RedTaskEngine(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.settings = Objects.requireNonNull(b.settings, "settings");
        this.codec = Objects.requireNonNull(b.codec, "codec");
        this.workers = Objects.requireNonNull(b.workers, "workers");
        this.housekeeping = Objects.requireNonNull(b.housekeeping, "housekeeping");
        this.handlers = Map.copyOf(b.handlers);
        this.slots = new WorkerSlots(settings.concurrency());
    }

    /** Starts building an engine. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- submitting and reading

    @Override
    public String submit(String type, Object payload, SubmitOptions options) {
        Objects.requireNonNull(options, "options");
        HandlerRegistration handler = handlers.get(type);
        if (handler == null) {
            if (type == null || type.isBlank()) {
                throw new InvalidTaskException("type", "is required");
            }
            throw new UnknownTaskTypeException(type, handlers.keySet());
        }
        String json;
        try {
            json = codec.toJson(payload);
        } catch (JsonbException e) {
            throw new InvalidTaskException("payload", "cannot be written as JSON: " + e.getMessage(), e);
        }
        long now = clock.millis();
        String id = TaskIds.next(options.queueName(), now);
        int maxAttempts = options.maxAttempts() != null ? options.maxAttempts() : handler.maxAttempts();
        if (!store.enqueue(new NewTask(id, type, options.queueName(), json, maxAttempts, 0, now), now)) {
            // 80 random bits make this practically impossible; say so rather than lose the task.
            throw new RedTaskException("task id collision for " + id + "; submit again");
        }
        return id;
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return store.find(id);
    }

    /** The task types this engine can run. */
    public Collection<String> taskTypes() {
        return handlers.keySet();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts the fetchers, the lease keeper and the reaper. Calling it twice does nothing. */
    public void start() {
        if (!phase.compareAndSet(Phase.NEW, Phase.RUNNING)) {
            return;
        }
        synchronized (loops) {
            for (String queue : settings.queues()) {
                loops.add(housekeeping.submit(new Fetcher(this, queue)));
            }
            long hb = settings.heartbeatInterval().toMillis();
            loops.add(housekeeping.scheduleWithFixedDelay(guard("lease keeper", this::renewLeases), hb, hb,
                    TimeUnit.MILLISECONDS));
            long reap = settings.reaperInterval().toMillis();
            loops.add(housekeeping.scheduleWithFixedDelay(guard("reaper", this::recoverExpiredLeases), reap, reap,
                    TimeUnit.MILLISECONDS));
        }
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " started: queues " + settings.queues()
                + ", concurrency " + settings.concurrency() + ", task types " + new java.util.TreeSet<>(handlers.keySet()));
    }

    /**
     * Stops taking tasks, waits up to the shutdown grace for running ones to finish, then hands
     * any still running back to their queue (their late results are refused by the token), so a
     * stop loses nothing and does not hang.
     */
    public void stop() {
        if (!phase.compareAndSet(Phase.RUNNING, Phase.STOPPING)) {
            phase.compareAndSet(Phase.NEW, Phase.STOPPED);
            return;
        }
        stopSignal.countDown();
        boolean idle;
        try {
            idle = slots.awaitIdle(settings.shutdownGrace().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        synchronized (loops) {
            loops.forEach(f -> f.cancel(false));
        }
        int released = 0;
        if (!idle) {
            for (ClaimedTask task : List.copyOf(running.values())) {
                try {
                    if (store.release(task)) {
                        released++;
                    }
                } catch (RuntimeException e) {
                    LOG.warning("RedTask: could not hand task " + task.id() + " back (" + e.getMessage()
                            + "); its lease will expire and another server will take it");
                }
            }
        }
        phase.set(Phase.STOPPED);
        int handedBack = released;
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " stopped"
                + (handedBack > 0 ? "; " + handedBack + " unfinished tasks handed back to their queues" : ""));
    }

    /** Whether the engine runs (started and not stopping). */
    public boolean isRunning() {
        return phase.get() == Phase.RUNNING;
    }

    // ---------------------------------------------------------------- operations

    /** Changes how many tasks run at once on this server; takes effect at once. */
    public void setConcurrency(int concurrency) {
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency must be 0 or more, was " + concurrency);
        }
        slots.setLimit(concurrency);
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " concurrency set to " + concurrency);
    }

    public int concurrency() {
        return slots.limit();
    }

    /** Tasks running (or being handed to a worker) on this server now. */
    public int busy() {
        return slots.used();
    }

    /** Tasks this server completed since it started. */
    public long completedCount() {
        return completed.get();
    }

    /** Failed attempts on this server since it started. */
    public long failedCount() {
        return failed.get();
    }

    /** Extends the leases of all tasks this server runs. The lease keeper calls it periodically. */
    public void renewLeases() {
        long until = clock.millis() + settings.lease().toMillis();
        for (ClaimedTask task : List.copyOf(running.values())) {
            if (!store.extend(task, until) && running.remove(task.id(), task)) {
                LOG.warning("RedTask: lost the lease on task " + task.id() + " (attempt " + task.attempt()
                        + "); another server may run it again, and this run's result will be refused");
            }
        }
    }

    /** Requeues tasks whose lease expired in any of this server's queues. The reaper calls it periodically. */
    public void recoverExpiredLeases() {
        long now = clock.millis();
        for (String queue : settings.queues()) {
            TaskStore.RecoveryResult r = store.recoverExpired(queue, now, 1_000);
            if (r.requeued() > 0 || r.dead() > 0) {
                LOG.warning("RedTask: queue '" + queue + "': " + r.requeued() + " tasks with expired leases requeued, "
                        + r.dead() + " moved to dead after too many lost leases");
            }
        }
    }

    // ---------------------------------------------------------------- running tasks

    EngineSettings settings() {
        return settings;
    }

    TaskStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    WorkerSlots slots() {
        return slots;
    }

    /** Waits {@code millis} or until stop, whichever comes first. */
    void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a claimed task on a worker; the caller holds one slot for it. */
    void dispatch(ClaimedTask task) {
        running.put(task.id(), task);
        try {
            workers.execute(() -> execute(task));
        } catch (RejectedExecutionException e) {
            running.remove(task.id());
            slots.release(1);
            LOG.warning("RedTask: the worker executor refused task " + task.id() + " (" + e.getMessage()
                    + "); handing it back. Lower redtask.workers.concurrency or raise the executor's limit");
            store.release(task);
            pause(100);
        }
    }

    private void execute(ClaimedTask task) {
        try {
            HandlerRegistration handler = handlers.get(task.type());
            if (handler == null) {
                finishFailed(task, "no handler for task type '" + task.type() + "' on node " + settings.nodeId(), true);
                return;
            }
            Object payload;
            try {
                payload = codec.fromJson(task.payloadJson(), handler.payloadType());
            } catch (JsonbException e) {
                // Retrying cannot make a payload readable: straight to dead.
                finishFailed(task, "payload cannot be read as " + handler.payloadType().getTypeName() + ": "
                        + e.getMessage(), false);
                return;
            }
            Object result;
            try {
                result = handler.invoker().invoke(payload, new RunContext(task));
            } catch (Exception | LinkageError | AssertionError e) {
                finishFailed(task, describe(e), true);
                return;
            }
            String json;
            try {
                json = codec.toJson(result);
            } catch (JsonbException e) {
                finishFailed(task, "result cannot be written as JSON: " + e.getMessage(), true);
                return;
            }
            finishSucceeded(task, json);
        } catch (StoreUnavailableException e) {
            LOG.warning("RedTask: cannot record the outcome of task " + task.id() + ": " + e.getMessage()
                    + "; its lease will expire and it will run again");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "RedTask: unexpected error around task " + task.id(), e);
        } finally {
            running.remove(task.id(), task);
            slots.release(1);
        }
    }

    private void finishSucceeded(ClaimedTask task, String resultJson) {
        if (store.complete(task, resultJson, clock.millis())) {
            completed.incrementAndGet();
        } else {
            LOG.warning("RedTask: task " + task.id() + " finished after its lease was lost; its result was refused");
        }
    }

    private void finishFailed(ClaimedTask task, String error, boolean retryable) {
        failed.incrementAndGet();
        long now = clock.millis();
        long retryAt = retryable ? now + settings.backoff().delayMillis(task.attempt()) : -1;
        FailOutcome outcome = store.fail(task, error, retryAt, now);
        switch (outcome) {
            case DEAD -> LOG.warning("RedTask: task " + task.id() + " (" + task.type() + ") is dead after attempt "
                    + task.attempt() + ": " + error);
            case RETRY, SCHEDULED -> LOG.fine(() -> "RedTask: task " + task.id() + " attempt " + task.attempt()
                    + " failed (" + error + "); retry in " + (retryAt - now) + " ms");
            case STALE -> LOG.warning("RedTask: task " + task.id() + " failed after its lease was lost: " + error);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getName());
        if (e.getMessage() != null) {
            sb.append(": ").append(e.getMessage());
        }
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append("; caused by ").append(c.getClass().getName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.length() > MAX_ERROR_LENGTH ? sb.substring(0, MAX_ERROR_LENGTH) : sb.toString();
    }

    private Runnable guard(String what, Runnable job) {
        return () -> {
            if (!isRunning()) {
                return;
            }
            try {
                job.run();
            } catch (StoreUnavailableException e) {
                LOG.fine(() -> "RedTask: " + what + " skipped a round: " + e.getMessage());
            } catch (RuntimeException e) {
                // A periodic task that throws is never run again: log and carry on instead.
                LOG.log(Level.SEVERE, "RedTask: " + what + " failed", e);
            }
        };
    }

    /** Builds a {@link RedTaskEngine}. */
    public static final class Builder {
        private TaskStore store;
        private Clock clock = Clock.systemUTC();
        private EngineSettings settings;
        private JsonCodec codec;
        private Executor workers;
        private ScheduledExecutorService housekeeping;
        private final Map<String, HandlerRegistration> handlers = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        public Builder store(TaskStore store) {
            this.store = store;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder settings(EngineSettings settings) {
            this.settings = settings;
            return this;
        }

        public Builder codec(JsonCodec codec) {
            this.codec = codec;
            return this;
        }

        /** Where handlers run: a {@code ManagedExecutorService} in Jakarta EE. */
        public Builder workers(Executor workers) {
            this.workers = workers;
            return this;
        }

        /** Where the fetch, lease and reaper loops run. */
        public Builder housekeeping(ScheduledExecutorService housekeeping) {
            this.housekeeping = housekeeping;
            return this;
        }

        /**
         * Adds a handler.
         *
         * @throws IllegalArgumentException when its name is already taken
         */
        public Builder handler(HandlerRegistration registration) {
            HandlerRegistration previous = handlers.putIfAbsent(registration.name(), registration);
            if (previous != null) {
                throw new IllegalArgumentException("two handlers for task type '" + registration.name() + "'");
            }
            return this;
        }

        public RedTaskEngine build() {
            if (codec == null) {
                codec = new JsonCodec();
            }
            return new RedTaskEngine(this);
        }
    }
}
