package io.redtask.engine;

import io.redtask.NodeInfo;
import io.redtask.QueueNames;
import io.redtask.QueueStats;
import io.redtask.RedTaskAdmin;
import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.StoreUnavailableException;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.Submission;
import io.redtask.TaskEvent;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * {@link Clock} it was given, so tests can move time by hand and call the periodic jobs
 * ({@link #renewLeases()}, {@link #recoverExpiredLeases()}, {@link #checkTimeouts()},
 * {@link #fireDueSchedules()}) themselves.
 *
 * <p>In a Jakarta EE server the CDI layer builds one with a {@code ManagedExecutorService} for
 * handlers and a {@code ManagedScheduledExecutorService} for its own loops; elsewhere any
 * executors do. The housekeeping executor needs a thread per queue (fetchers block) plus four.
 */
public final class RedTaskEngine implements TaskScheduler, RedTaskAdmin {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());
    private static final long FAST_TICK_MILLIS = 50;

    private enum Phase { NEW, RUNNING, STOPPING, STOPPED }

    private final TaskStore store;
    private final Clock clock;
    private final EngineSettings settings;
    private final Map<String, HandlerRegistration> handlers;
    private final List<TaskListener> listeners;
    private final JsonCodec codec;
    private final Executor workers;
    private final ScheduledExecutorService housekeeping;
    private final WorkerSlots slots;
    private final Map<String, RunContext> running = new ConcurrentHashMap<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Future<?>> loops = new ArrayList<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean workersPaused = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Instant startedAt;
    private final Map<String, Long> fetcherBeats = new ConcurrentHashMap<>();
    private volatile CountDownLatch fetchersDone;
    private final Submitter submitter = new Submitter(this);
    private final Processor processor = new Processor(this);
    private final LeaseKeeper leaseKeeper = new LeaseKeeper(this);
    private final Watchdog watchdog = new Watchdog(this);
    private final CronTicker cronTicker = new CronTicker(this);
    private final CompletionWatcher completions;
    private final Object watcherLock = new Object();
    private Future<?> watcherLoop;

    private RedTaskEngine(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.settings = Objects.requireNonNull(b.settings, "settings");
        this.codec = Objects.requireNonNull(b.codec, "codec");
        this.workers = Objects.requireNonNull(b.workers, "workers");
        this.housekeeping = Objects.requireNonNull(b.housekeeping, "housekeeping");
        this.handlers = Map.copyOf(b.handlers);
        this.listeners = List.copyOf(b.listeners);
        this.slots = new WorkerSlots(settings.concurrency());
        this.completions = new CompletionWatcher(store);
    }

    /** Starts building an engine. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- submitting and reading

    @Override
    public SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options) {
        return submitter.submit(new Submission(type, payload, Objects.requireNonNull(options, "options")));
    }

    @Override
    public List<String> submitAll(List<Submission> submissions) {
        return submitter.submitAll(submissions);
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return store.find(id);
    }

    @Override
    public boolean cancel(String id) {
        String previous = store.cancel(id, clock.millis());
        boolean cancelled = switch (previous) {
            case "scheduled", "queued", "running" -> true;
            default -> false;
        };
        if (cancelled) {
            RunContext run = running.get(id);
            if (run != null) {
                run.stop("cancelled");
            }
            TaskStatus s = store.find(id).orElse(null);
            publish(new TaskEvent(TaskEvent.Kind.CANCELLED, id, s == null ? null : s.type(),
                    s == null ? TaskIds.queueOf(id) : s.queue(), s == null ? 0 : s.attempts(), null, null, -1, -1));
            LOG.info(() -> "RedTask: task " + id + " cancelled (it was " + previous + ")");
        }
        return cancelled;
    }

    @Override
    public CompletionStage<TaskStatus> whenFinished(String id) {
        CompletableFuture<TaskStatus> f = completions.watch(id);
        synchronized (watcherLock) {
            if (watcherLoop == null) {
                // Started on first use, also on servers whose workers are off: waiting is not working.
                watcherLoop = housekeeping.scheduleWithFixedDelay(guard("completion watcher", completions::poll, false),
                        0, FAST_TICK_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- recurring schedules

    @Override
    public void schedule(Schedule s) {
        submitter.schedule(s);
    }

    @Override
    public boolean unschedule(String name) {
        return store.removeSchedule(name);
    }

    @Override
    public List<ScheduleInfo> schedules() {
        List<ScheduleInfo> out = new ArrayList<>();
        store.schedules().forEach((d, next) -> out.add(new ScheduleInfo(d.name(), d.cron(), d.zone(), d.type(), d.queue(),
                d.payload(), d.misfire(), next < 0 ? null : Instant.ofEpochMilli(next))));
        return out;
    }

    /** Fires the due slots of recurring schedules now. The cron loop calls it periodically. */
    public int fireDueSchedules() {
        return cronTicker.tick();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts the fetchers and the periodic jobs. Calling it twice does nothing. */
    public void start() {
        if (!phase.compareAndSet(Phase.NEW, Phase.RUNNING)) {
            return;
        }
        startedAt = Instant.ofEpochMilli(clock.millis());
        try {
            store.registerQueues(settings.queues());
            leaseKeeper.beat();
        } catch (StoreUnavailableException e) {
            LOG.warning("RedTask: Redis is unreachable at start (" + e.getMessage() + "); workers will wait for it");
        }
        synchronized (loops) {
            fetchersDone = new CountDownLatch(settings.queues().size());
            for (String queue : settings.queues()) {
                loops.add(housekeeping.submit(new Fetcher(this, queue)));
            }
            every(settings.heartbeatInterval(), "lease keeper", () -> {
                renewLeases();
                leaseKeeper.beat();
            });
            every(settings.reaperInterval(), "reaper", this::recoverExpiredLeases);
            every(Duration.ofMillis(FAST_TICK_MILLIS), "watchdog", this::checkTimeouts);
            every(settings.cronInterval(), "cron", this::fireDueSchedules);
        }
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " started: queues " + settings.queues()
                + ", concurrency " + settings.concurrency() + ", task types " + new java.util.TreeSet<>(handlers.keySet()));
    }

    private void every(Duration interval, String what, Runnable job) {
        long ms = interval.toMillis();
        loops.add(housekeeping.scheduleWithFixedDelay(guard(what, job, true), ms, ms, TimeUnit.MILLISECONDS));
    }

    /**
     * Stops taking tasks, waits up to the shutdown grace for running ones to finish, then hands
     * any still running back to their queue (their late results are refused by the token), so a
     * stop loses nothing and does not hang.
     */
    public void stop() {
        synchronized (watcherLock) {
            if (watcherLoop != null) {
                watcherLoop.cancel(false);
            }
        }
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
            for (RunContext run : List.copyOf(running.values())) {
                try {
                    if (run.stop("server stopping") && store.release(run.task())) {
                        released++;
                    }
                } catch (RuntimeException e) {
                    LOG.warning("RedTask: could not hand task " + run.taskId() + " back (" + e.getMessage()
                            + "); its lease will expire and another server will take it");
                }
            }
        }
        try {
            store.removeNode(settings.nodeId());
        } catch (RuntimeException e) {
            LOG.fine(() -> "RedTask: could not remove this node's heartbeat: " + e.getMessage());
        }
        phase.set(Phase.STOPPED);
        int handedBack = released;
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " stopped"
                + (handedBack > 0 ? "; " + handedBack + " unfinished tasks handed back to their queues" : ""));
    }

    /**
     * Waits up to {@code timeout} for the fetch loops to leave (they see the stop flag within a
     * poll interval), so the store can be closed under none of them.
     */
    public void awaitLoops(Duration timeout) {
        CountDownLatch done = fetchersDone;
        if (done == null) {
            return;
        }
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("RedTask: a fetcher did not stop within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by each fetcher as it leaves its loop. */
    void fetcherLeft() {
        CountDownLatch done = fetchersDone;
        if (done != null) {
            done.countDown();
        }
    }

    /** Whether the engine runs (started and not stopping). */
    public boolean isRunning() {
        return phase.get() == Phase.RUNNING;
    }

    // ---------------------------------------------------------------- operations

    @Override
    public void setConcurrency(int concurrency) {
        if (concurrency < 0 || concurrency > settings.maxConcurrency()) {
            throw new IllegalArgumentException("concurrency must be between 0 and " + settings.maxConcurrency()
                    + ", the worker executor's limit (redtask.workers.max), was " + concurrency);
        }
        slots.setLimit(concurrency);
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " concurrency set to " + concurrency);
    }

    @Override
    public int concurrency() {
        return slots.limit();
    }

    @Override
    public int maxConcurrency() {
        return settings.maxConcurrency();
    }

    /** Tasks running (or being handed to a worker) on this server now. */
    @Override
    public int busy() {
        return slots.used();
    }

    @Override
    public long completedCount() {
        return completed.get();
    }

    @Override
    public long failedCount() {
        return failed.get();
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public boolean workersPaused() {
        return workersPaused.get();
    }

    @Override
    public void pauseWorkers() {
        if (workersPaused.compareAndSet(false, true)) {
            LOG.info(() -> "RedTask: node " + settings.nodeId() + " workers paused");
        }
    }

    @Override
    public void resumeWorkers() {
        if (workersPaused.compareAndSet(true, false)) {
            LOG.info(() -> "RedTask: node " + settings.nodeId() + " workers resumed");
        }
    }

    Instant startedAt() {
        return startedAt;
    }

    @Override
    public List<QueueStats> queues() {
        long now = clock.millis();
        return store.queueNames().stream().map(q -> store.stats(q, now)).toList();
    }

    @Override
    public List<String> queueNames() {
        return store.queueNames();
    }

    @Override
    public QueueStats queue(String name) {
        return store.stats(QueueNames.requireValid(name), clock.millis());
    }

    @Override
    public void pause(String queue) {
        setQueuePaused(queue, true);
    }

    @Override
    public void resume(String queue) {
        setQueuePaused(queue, false);
    }

    @Override
    public List<TaskStatus> deadTasks(String queue, int offset, int limit) {
        return tasks(queue, io.redtask.TaskState.DEAD, offset, limit);
    }

    @Override
    public List<TaskStatus> tasks(String queue, io.redtask.TaskState state, int offset, int limit) {
        if (offset < 0 || limit < 1 || limit > 1_000) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 to 1000");
        }
        return store.tasks(QueueNames.requireValid(queue), state, offset, limit);
    }

    @Override
    public int retryDead(String queue) {
        int total = 0;
        for (int n; (n = store.retryDead(QueueNames.requireValid(queue), null, 1_000, clock.millis())) > 0; ) {
            total += n;
        }
        if (total > 0) {
            int moved = total;
            LOG.info(() -> "RedTask: queue '" + queue + "': " + moved + " dead tasks sent back to the queue");
        }
        return total;
    }

    @Override
    public boolean retryDeadTask(String id) {
        return store.retryDead(TaskIds.queueOf(id), id, 1, clock.millis()) == 1;
    }

    @Override
    public int purgeDead(String queue) {
        int total = 0;
        for (int n; (n = store.purgeDead(QueueNames.requireValid(queue), null, 1_000)) > 0; ) {
            total += n;
        }
        if (total > 0) {
            int purged = total;
            LOG.info(() -> "RedTask: queue '" + queue + "': " + purged + " dead tasks purged");
        }
        return total;
    }

    @Override
    public List<NodeInfo> nodes() {
        return store.nodes(clock.millis());
    }

    @Override
    public void setConcurrency(String nodeId, int concurrency) {
        if (settings.nodeId().equals(nodeId)) {
            setConcurrency(concurrency);
            return;
        }
        NodeInfo node = nodes().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no server '" + nodeId + "' is alive"));
        if (concurrency < 0 || concurrency > node.maxConcurrency()) {
            throw new IllegalArgumentException("concurrency of server '" + nodeId + "' must be between 0 and "
                    + node.maxConcurrency() + ", was " + concurrency);
        }
        store.requestConcurrency(nodeId, concurrency);
    }

    /** How the engine's moving parts are doing, for health checks. */
    public EngineHealth health() {
        long now = System.nanoTime();
        long idle = 0;
        for (String q : settings.queues()) {
            Long beat = fetcherBeats.get(q);
            idle = Math.max(idle, beat == null ? Long.MAX_VALUE / 2 : TimeUnit.NANOSECONDS.toMillis(now - beat));
        }
        long overdue = running.values().stream()
                .filter(r -> r.stopReason() != null && "timed out".equals(r.stopReason())).count();
        return new EngineHealth(isRunning(), workersPaused(), concurrency(), busy(), isRunning() ? idle : 0,
                (int) overdue);
    }

    void fetcherAlive(String queue) {
        fetcherBeats.put(queue, System.nanoTime());
    }

    /** Sets the most tasks of {@code queue} that run at once across all servers; {@code null} for no limit. */
    @Override
    public void setQueueConcurrency(String queue, Integer limit) {
        QueueNames.requireValid(queue);
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("queue concurrency must be 0 or more, was " + limit);
        }
        store.setQueueConcurrency(queue, limit);
    }

    /** Pauses ({@code true}) or resumes a queue on every server; running tasks finish. */
    public void setQueuePaused(String queue, boolean paused) {
        QueueNames.requireValid(queue);
        store.setPaused(queue, paused);
        LOG.info(() -> "RedTask: queue '" + queue + "' " + (paused ? "paused" : "resumed") + " on all servers");
    }

    /** Moves up to {@code max} of a queue's dead tasks (oldest first) back to it. @return how many */
    public int retryDead(String queue, int max) {
        return store.retryDead(QueueNames.requireValid(queue), null, max, clock.millis());
    }

    /** Deletes up to {@code max} of a queue's dead tasks (oldest first). @return how many */
    public int purgeDead(String queue, int max) {
        return store.purgeDead(QueueNames.requireValid(queue), null, max);
    }

    /** Extends the leases of all tasks this server runs. The lease keeper calls it periodically. */
    public void renewLeases() {
        leaseKeeper.renew();
    }

    /** Ends attempts past their timeout. The watchdog calls it periodically. */
    public void checkTimeouts() {
        watchdog.check();
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

    // ---------------------------------------------------------------- for the engine's parts

    EngineSettings settings() {
        return settings;
    }

    TaskStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    JsonCodec codec() {
        return codec;
    }

    WorkerSlots slots() {
        return slots;
    }

    Processor processor() {
        return processor;
    }

    Submitter submitter() {
        return submitter;
    }

    Map<String, HandlerRegistration> handlers() {
        return handlers;
    }

    HandlerRegistration handler(String type) {
        return handlers.get(type);
    }

    Collection<RunContext> runningTasks() {
        return List.copyOf(running.values());
    }

    RetryBackoff backoffFor(ClaimedTask task) {
        if (task.backoffBaseMillis() >= 0 && task.backoffCapMillis() >= task.backoffBaseMillis()) {
            return new RetryBackoff(Duration.ofMillis(task.backoffBaseMillis()), Duration.ofMillis(task.backoffCapMillis()),
                    settings.backoff().jitter());
        }
        return settings.backoff();
    }

    void countCompleted() {
        completed.incrementAndGet();
    }

    void countFailed() {
        failed.incrementAndGet();
    }

    void publish(TaskEvent event) {
        for (TaskListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "RedTask: a task event listener failed on " + event.kind() + " of "
                        + event.taskId() + "; the task is not affected", e);
            }
        }
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
        RunContext run = new RunContext(task, clock.millis());
        running.put(task.id(), run);
        try {
            workers.execute(() -> processor.process(run));
        } catch (RejectedExecutionException e) {
            running.remove(task.id(), run);
            slots.release(1);
            LOG.warning("RedTask: the worker executor refused task " + task.id() + " (" + e.getMessage()
                    + "); handing it back. Lower redtask.workers.concurrency or raise the executor's limit");
            store.release(task);
            pause(100);
        }
    }

    /**
     * What a worker that just finished asks for: its next task in the same round trip, unless the
     * server is stopping, paused or over its (lowered) concurrency.
     */
    TaskStore.NextClaim nextClaim() {
        if (!isRunning() || workersPaused() || slots.used() > slots.limit()) {
            return null;
        }
        return new TaskStore.NextClaim(settings.nodeId(), settings.lease().toMillis());
    }

    /**
     * The worker of {@code done} goes on with {@code next}, claimed by the completion, keeping its
     * slot; or, when the server began stopping meanwhile, hands {@code next} back.
     */
    RunContext handOver(RunContext done, ClaimedTask next) {
        running.remove(done.taskId(), done);
        if (!isRunning()) {
            try {
                store.release(next);
            } catch (RuntimeException e) {
                LOG.warning("RedTask: could not hand task " + next.id() + " back (" + e.getMessage()
                        + "); its lease will expire and another server will take it");
            }
            slots.release(1);
            return null;
        }
        RunContext run = new RunContext(next, clock.millis());
        running.put(next.id(), run);
        return run;
    }

    /** Called by the processor when a handler has returned and its thread is free. */
    void finished(RunContext run) {
        running.remove(run.taskId(), run);
        slots.release(1);
    }

    private Runnable guard(String what, Runnable job, boolean onlyWhileRunning) {
        return () -> {
            if (onlyWhileRunning && !isRunning()) {
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
        private final Map<String, HandlerRegistration> handlers = new LinkedHashMap<>();
        private final List<TaskListener> listeners = new ArrayList<>();

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

        /** Where the fetch, lease, timeout, reaper and cron loops run. */
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

        /** Adds a listener for task events. */
        public Builder listener(TaskListener listener) {
            listeners.add(Objects.requireNonNull(listener));
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
