package io.redtask.engine;

import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.RedTaskAdmin;
import io.redtask.RedTaskHealth;
import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.StoreUnavailableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.TaskEvent;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.ShardNames;
import io.redtask.store.Storage;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * The scheduler in plain Java: the public face ({@link TaskScheduler}, {@link #admin()},
 * {@link #health()}) over its parts, and their lifecycle. Submits go through {@link Submitter};
 * once started, a {@link Fetcher} per queue claims tasks onto the {@link Workers}, a
 * {@link Processor} runs them, and the periodic jobs ({@link #renewLeases()},
 * {@link #recoverExpiredLeases()}, {@link #checkTimeouts()}, {@link #fireDueSchedules()}) keep
 * leases, recovery, timeouts and cron going. Timing comes from the {@link Clock} it was given,
 * so tests can move time by hand and call the periodic jobs themselves.
 *
 * <p>In a Jakarta EE server the CDI layer builds one with a {@code ManagedExecutorService} for
 * handlers and a {@code ManagedScheduledExecutorService} for its own loops; elsewhere any
 * executors do. The housekeeping executor needs a thread per fetcher ({@link EngineSettings#fetchers()}: one
 * per queue, or per shard of a sharded queue; they block) plus four.
 */
public final class RedTaskEngine implements TaskScheduler {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());

    private final Storage storage;
    private final TaskStore tasks;
    private final Clock clock;
    private final EngineSettings settings;
    private final HandlerCatalog handlers;
    private final EventSink events;
    private final Lifecycle lifecycle = new Lifecycle();
    private final FetcherMonitor fetchers = new FetcherMonitor();
    private final Workers workers;
    private final AttemptStarter starter;
    private final Submitter submitter;
    private final Batches batches;
    private final Schedules schedules;
    private final Processor processor;
    private final LeaseKeeper leaseKeeper;
    private final Heartbeat heartbeat;
    private final Watchdog watchdog;
    private final Reaper reaper;
    private final CronTicker cronTicker;
    private final CompletionWatcher completions;
    private final AdminOperations admin;
    private final HealthView health;
    private final Loops loops;
    private final QueueShards shards;

    RedTaskEngine(EngineBuilder b) {
        storage = Objects.requireNonNull(b.storage, "storage");
        tasks = storage.tasks();
        clock = Objects.requireNonNull(b.clock, "clock");
        settings = Objects.requireNonNull(b.settings, "settings");
        loops = new Loops(Objects.requireNonNull(b.housekeeping, "housekeeping"), lifecycle);
        JsonCodec codec = b.codec != null ? b.codec : new JsonCodec();
        handlers = new HandlerCatalog(b.handlers);
        events = new EventSink(b.listeners);
        workers = new Workers(Objects.requireNonNull(b.workers, "workers"), clock, settings);
        MemoryGuard memory = new MemoryGuard(storage, clock, settings.memoryHighWater());
        shards = new QueueShards(storage.queues(), settings);
        // Claims and outcomes go over connections of their own (Storage.workers), so a flood of
        // submits and reads cannot hold up running tasks.
        TaskStore work = storage.workers().tasks();
        processor = new Processor(work, workers, handlers, codec, clock, settings, events, lifecycle, b.tracing);
        starter = new AttemptStarter(work, workers, processor, lifecycle, settings);
        SubmitClaims submitClaims = new SubmitClaims(workers, starter, handlers, lifecycle, settings);
        submitter = new Submitter(
                tasks,
                storage.nodes(),
                handlers,
                codec,
                clock,
                settings,
                lifecycle,
                memory,
                b.tracing,
                shards,
                submitClaims);
        batches = new Batches(submitter, storage.batches(), handlers, codec, clock, settings, memory, shards);
        schedules = new Schedules(storage.schedules(), handlers, codec, clock, settings.limits());
        // Renewals, recovery and heartbeats go over connections of their own (Storage.housekeeping).
        Storage upkeep = storage.housekeeping();
        leaseKeeper = new LeaseKeeper(upkeep.tasks(), workers, clock, settings);
        heartbeat = new Heartbeat(upkeep.nodes(), workers, clock, settings);
        watchdog = new Watchdog(workers, processor, clock, settings);
        reaper = new Reaper(upkeep.tasks(), clock, settings, shards);
        cronTicker = new CronTicker(storage.schedules(), tasks, handlers, clock, settings, shards);
        completions = new CompletionWatcher(tasks);
        admin = new AdminOperations(
                new ShardedQueues(storage.queues(), shards),
                storage.nodes(),
                workers,
                clock,
                settings,
                fetchers,
                new ShardedBatches(storage.batches(), shards));
        health = new HealthView(storage, workers, watchdog, fetchers, lifecycle, settings);
    }

    /** Starts building an engine. */
    public static EngineBuilder builder() {
        return new EngineBuilder();
    }

    // ---------------------------------------------------------------- TaskScheduler

    @Override
    public SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options) {
        return submitter.submit(new Submission(type, payload, Objects.requireNonNull(options, "options")));
    }

    @Override
    public List<String> submitAll(List<Submission> submissions) {
        return submitter.submitAll(submissions);
    }

    @Override
    public BatchReceipt submitBatchForReceipt(List<Submission> tasks, Submission onComplete) {
        return batches.store(batches.prepare(tasks, onComplete));
    }

    /**
     * Checks a batch as {@link #submitBatchForReceipt} does and gives it its ids, but stores
     * nothing: {@link #storeBatch} does, later (when a transaction commits).
     *
     * @throws io.redtask.InvalidRequestException as a submit would
     */
    public PreparedBatch prepareBatch(List<Submission> tasks, Submission onComplete) {
        return batches.prepare(tasks, onComplete);
    }

    /** Stores a prepared batch, as {@link #submitBatchForReceipt} would have. */
    public BatchReceipt storeBatch(PreparedBatch prepared) {
        return batches.store(prepared);
    }

    @Override
    public Optional<BatchStatus> batch(String id) {
        return batches.find(id);
    }

    /**
     * Checks a submit as {@link #submitForReceipt} does and gives it its id, but stores nothing:
     * {@link #store} does, later (a transactional submit stores it when its transaction commits).
     *
     * @throws io.redtask.InvalidRequestException as a submit would
     */
    public PreparedSubmit prepare(String type, Object payload, SubmitOptions options) {
        return submitter.prepareOnly(new Submission(type, payload, Objects.requireNonNull(options, "options")));
    }

    /** Stores a prepared submit, as {@link #submitForReceipt} would have. */
    public SubmitReceipt store(PreparedSubmit prepared) {
        return submitter.store(prepared);
    }

    /**
     * The task the idempotency key of a prepared submit stands for now, if any (a transactional
     * submit answers a duplicate at once instead of at commit).
     */
    public Optional<String> taskOfIdempotencyKey(PreparedSubmit prepared) {
        return tasks.findByIdempotencyKey(prepared.shard(), prepared.submittedBy(), prepared.idempotencyKey());
    }

    /** Checks that the store answers. @throws io.redtask.StoreUnavailableException otherwise */
    public void checkStore() {
        storage.ping();
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return tasks.find(id);
    }

    @Override
    public boolean cancel(String id) {
        TaskState previous = tasks.cancel(id, clock.millis()).orElse(null);
        if (previous == null || previous.isFinal()) {
            return false;
        }
        RunContext run = workers.running(id);
        if (run != null) {
            run.stop(StopReason.CANCELLED);
        }
        TaskStatus s = tasks.find(id).orElse(null);
        events.publish(new TaskEvent(
                TaskEvent.Kind.CANCELLED,
                id,
                s == null ? null : s.type(),
                s == null ? ShardNames.queueOf(TaskIds.queueOf(id)) : s.queue(),
                s == null ? 0 : s.attempts(),
                null,
                null,
                -1,
                -1));
        LOG.info(() -> "RedTask: task " + id + " cancelled (it was " + previous.wireName() + ")");
        return true;
    }

    @Override
    public CompletionStage<TaskStatus> whenFinished(String id) {
        CompletionStage<TaskStatus> f = completions.watch(id);
        loops.watchOnce(settings.watchInterval(), "completion watcher", completions::poll);
        return f;
    }

    @Override
    public void schedule(Schedule s) {
        schedules.save(s);
    }

    @Override
    public boolean unschedule(String name) {
        return schedules.remove(name);
    }

    @Override
    public List<ScheduleInfo> schedules() {
        return schedules.list();
    }

    /** What operators do: queues, dead sets, servers, this server's workers. */
    public RedTaskAdmin admin() {
        return admin;
    }

    /** How Redis and this server's workers are doing, for health checks. */
    public RedTaskHealth health() {
        return health;
    }

    /** The storage this engine works on. */
    public Storage storage() {
        return storage;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the fetchers (one per queue, or per shard of a sharded queue) and the periodic jobs.
     * Calling it twice does nothing.
     *
     * @throws IllegalStateException when a queue's shards setting is lower than the shards Redis
     *         records for it and the shards it would drop still hold tasks (nothing is started)
     */
    public void start() {
        if (isRunning()) {
            return;
        }
        // The shards of each queue first: a refused shards setting stops the start before anything runs.
        java.util.Map<String, List<String>> layout = new java.util.LinkedHashMap<>();
        for (String queue : settings.queues()) {
            try {
                layout.put(queue, shards.of(queue));
            } catch (StoreUnavailableException e) {
                layout.put(queue, null); // agreed once Redis answers (ShardsThenFetch)
            }
        }
        if (!lifecycle.start()) {
            return;
        }
        heartbeat.started();
        try {
            storage.queues().register(settings.queues());
            heartbeat.beat();
        } catch (StoreUnavailableException e) {
            LOG.warning("RedTask: Redis is unreachable at start (" + e.getMessage() + "); workers will wait for it");
        } catch (IllegalStateException e) {
            // Redis holds task data this version cannot read (an older layout): refuse to start
            // rather than run on it or write beside it.
            lifecycle.beginStop();
            lifecycle.stopped();
            throw e;
        }
        fetchers.expect(settings.fetchers());
        layout.forEach((queue, queueShards) -> {
            if (queueShards != null) {
                queueShards.forEach(shard -> loops.start(fetcher(shard)));
            } else {
                loops.start(new ShardsThenFetch(queue));
            }
        });
        loops.every(settings.heartbeatInterval(), "lease keeper", () -> {
            leaseKeeper.renew();
            heartbeat.beat();
        });
        loops.every(settings.reaperInterval(), "reaper", reaper::recover);
        loops.every(settings.watchInterval(), "watchdog", watchdog::check);
        loops.every(settings.cronInterval(), "cron", cronTicker::tick);
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " started: queues " + settings.queues() + ", concurrency "
                + workers.concurrency() + ", task types " + handlers.names());
    }

    private Fetcher fetcher(String shard) {
        return new Fetcher(
                shard,
                storage.workers().tasks(),
                workers,
                starter,
                handlers,
                lifecycle,
                fetchers,
                clock,
                settings,
                storage.housekeeping().nodes());
    }

    /**
     * The fetchers of a sharded queue whose shards could not be read at start (Redis did not
     * answer): reads them once Redis answers, then starts a fetcher for each shard, running the
     * first itself. Tasks submitted meanwhile wait in Redis.
     */
    private final class ShardsThenFetch implements Runnable {
        private final String queue;

        ShardsThenFetch(String queue) {
            this.queue = queue;
        }

        @Override
        public void run() {
            int expected = settings.shards(queue);
            long wait = Math.max(1, settings.outageBackoff().toMillis() / 50);
            while (lifecycle.isRunning()) {
                fetchers.alive(queue); // waiting for Redis is not a stuck fetcher
                try {
                    List<String> all = shards.of(queue);
                    all.subList(1, all.size()).forEach(shard -> loops.start(fetcher(shard)));
                    fetcher(all.get(0)).run();
                    return;
                } catch (StoreUnavailableException e) {
                    lifecycle.await(wait);
                    wait = Math.min(wait * 2, settings.outageBackoff().toMillis());
                } catch (RuntimeException e) {
                    LOG.severe("RedTask: no tasks are taken from queue '" + queue + "': " + e.getMessage());
                    break;
                }
            }
            for (int i = 0; i < expected; i++) {
                fetchers.left(); // none of its fetchers started
            }
        }
    }

    /**
     * Stops taking tasks, waits up to the shutdown grace for running ones to finish, then hands
     * any still running back to their queue (their late results are refused by the token), so a
     * stop loses nothing and does not hang.
     */
    public void stop() {
        loops.cancelWatcher();
        if (!lifecycle.beginStop()) {
            return;
        }
        workers.stopRelaying();
        boolean idle;
        try {
            idle = workers.awaitIdle(settings.shutdownGrace().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        loops.cancelAll();
        int released = idle ? 0 : handBack();
        heartbeat.leave();
        lifecycle.stopped();
        LOG.info(() -> "RedTask: node " + settings.nodeId() + " stopped"
                + (released > 0 ? "; " + released + " unfinished tasks handed back to their queues" : ""));
    }

    /** Stops the attempts still running after the grace and gives their tasks back. @return how many */
    private int handBack() {
        int released = 0;
        for (RunContext run : workers.running()) {
            if (run.stop(StopReason.SERVER_STOPPING) && Handback.quietly(tasks, run.task())) {
                released++;
            }
        }
        return released;
    }

    /**
     * Waits up to {@code timeout} for the fetch loops to leave (they see the stop flag within a
     * poll interval), so the store can be closed under none of them.
     *
     * @return whether they all left
     */
    public boolean awaitLoops(Duration timeout) {
        boolean left = fetchers.awaitAllLeft(timeout.toMillis());
        if (!left) {
            LOG.warning("RedTask: a fetcher did not stop within " + timeout);
        }
        return left;
    }

    /** Whether the engine runs (started and not stopping). */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    // ---------------------------------------------------------------- periodic jobs, also for tests

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
        reaper.recover();
    }

    /** Fires the due slots of recurring schedules now. The cron loop calls it periodically. @return tasks created */
    public int fireDueSchedules() {
        return cronTicker.tick();
    }
}
