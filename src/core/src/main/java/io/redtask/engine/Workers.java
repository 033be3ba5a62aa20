package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.store.ClaimedTask;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's workers: the one owner of worker slots and of the attempts running here. A slot
 * is taken by a fetcher ({@link #take}), travels with the attempt to the worker thread, passes to
 * the next task a completion claimed ({@link #handOver}) and is given back once, when the worker
 * is done ({@link #finished}) or the attempt never started ({@link #giveBack}). An attempt a submit
 * claimed may go to a worker that is finishing another ({@link #startOrRelay}, {@link FinishingRelay}).
 */
final class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class.getName());

    private final Executor executor;
    private final Clock clock;
    private final String nodeId;
    private final int maxConcurrency;
    private final WorkerSlots slots;
    private final Map<String, RunContext> running = new ConcurrentHashMap<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final FinishingRelay relay = new FinishingRelay();

    Workers(Executor executor, Clock clock, EngineSettings settings) {
        this.executor = executor;
        this.clock = clock;
        this.nodeId = settings.nodeId();
        this.maxConcurrency = settings.maxConcurrency();
        this.slots = new WorkerSlots(settings.concurrency());
    }

    // ---------------------------------------------------------------- slots

    /** Takes up to {@code wanted} slots, waiting up to {@code timeoutMillis} for at least one. */
    int take(int wanted, long timeoutMillis) throws InterruptedException {
        return slots.acquireUpTo(wanted, timeoutMillis);
    }

    /** Gives back slots taken for attempts that never started. */
    void giveBack(int n) {
        slots.release(n);
    }

    /** Whether a worker that just finished may take its next task at once (not over a lowered limit). */
    boolean hasRoomForNext() {
        return !paused.get() && slots.used() <= slots.limit();
    }

    /** Waits until no slot is used, up to {@code timeoutMillis}. @return whether none is used */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        return slots.awaitIdle(timeoutMillis);
    }

    // ---------------------------------------------------------------- attempts

    /**
     * Starts an attempt of {@code task} on a worker thread, holding one slot the caller took.
     * {@code leaseDeadline} is when the claim's lease ends, by this server's clock.
     *
     * @return false when the executor refused it: the slot is given back, and the caller hands the
     * task back to the store
     */
    boolean start(ClaimedTask task, long leaseDeadline, Consumer<RunContext> body) {
        RunContext run = register(task, leaseDeadline);
        return execute(run, body);
    }

    /**
     * As {@link #start}, but when a worker is finishing an attempt (its outcome on the way to
     * Redis) that worker runs this one next on its own thread, and no idle thread is woken for it.
     * For attempts a submit claimed; {@code body} must be the {@link Processor}'s, which a
     * finishing worker runs them with.
     *
     * @param refused hands the task back to the store when it has to go to an executor that refuses it
     * @return false when the executor refused it at once: the slot is given back, and the caller
     * hands the task back to the store
     */
    boolean startOrRelay(
            ClaimedTask task, long leaseDeadline, Consumer<RunContext> body, Consumer<ClaimedTask> refused) {
        RunContext run = register(task, leaseDeadline);
        Runnable elsewhere = () -> {
            boolean started;
            try {
                started = execute(run, body);
            } catch (RuntimeException | Error e) {
                // On a worker's or the watchdog's thread, with others to start after it: none may be
                // lost with it (an executor out of native threads throws an OutOfMemoryError).
                LOG.warning("RedTask: task " + task.id() + " could not be started (" + e + "); handing it back");
                started = false;
            }
            if (!started) {
                refused.accept(task);
            }
        };
        return relay.offer(run, elsewhere) || execute(run, body);
    }

    /**
     * The handler of {@code run} has returned on this thread, which now records its outcome: until
     * {@link #doneFinishing}, attempts a submit claims may be left for this thread to run next.
     */
    void finishing(RunContext run) {
        if (run.finishingSince() == RunContext.NOT_FINISHING) {
            run.finishingSince(relay.begin());
        }
    }

    /**
     * The thread of {@code run} is done recording its outcome (nothing when it never began to): it
     * takes the attempts left for it meanwhile. The first runs next on this thread when {@code
     * mayTake} (it has no next task of its own, and nothing went wrong); the others start on
     * threads of their own.
     *
     * @return the attempt this thread runs next, or {@code null}
     */
    RunContext doneFinishing(RunContext run, boolean mayTake) {
        long since = run.finishingSince();
        if (since == RunContext.NOT_FINISHING) {
            return null;
        }
        run.finishingSince(RunContext.NOT_FINISHING);
        RunContext next = null;
        for (FinishingRelay.Waiting w : relay.end(since)) {
            if (mayTake && next == null) {
                next = w.run();
            } else {
                startElsewhere(w);
            }
        }
        return next;
    }

    /**
     * Starts a task taken out of the relay on a thread of its own. Each on its own: one that fails
     * must not strand those after it, which nothing would look for again. One that fails here is
     * no longer among the running (execute's failure path), so its lease runs out and another
     * server takes it.
     */
    private static void startElsewhere(FinishingRelay.Waiting w) {
        try {
            w.elsewhere().run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "RedTask: task " + w.run().taskId() + " could not be started", e);
        }
    }

    /**
     * Starts on threads of their own the attempts left for finishing workers at least {@code
     * maxWaitMillis} ago (a slow outcome write holds them up). The watchdog calls it.
     */
    void startOverdue(long maxWaitMillis) {
        relay.overdue(System.nanoTime(), maxWaitMillis * 1_000_000).forEach(Workers::startElsewhere);
    }

    /**
     * The engine stops: no attempt is left for a finishing worker from now on, and those waiting
     * start on threads of their own (the watchdog no longer runs to move them on).
     */
    void stopRelaying() {
        relay.close().forEach(Workers::startElsewhere);
    }

    /** Attempts left for finishing workers now, not started yet. */
    int relayed() {
        return relay.waiting();
    }

    private boolean execute(RunContext run, Consumer<RunContext> body) {
        ClaimedTask task = run.task();
        try {
            executor.execute(() -> body.accept(run));
            return true;
        } catch (RejectedExecutionException e) {
            running.remove(task.id(), run);
            slots.release(1);
            LOG.warning("RedTask: the worker executor refused task " + task.id() + " (" + e.getMessage()
                    + "); handing it back. Lower redtask.workers.concurrency or raise the executor's limit");
            return false;
        } catch (RuntimeException | Error e) {
            running.remove(task.id(), run);
            slots.release(1);
            throw e;
        }
    }

    /**
     * The worker of {@code done} goes on with {@code next}, keeping its slot.
     *
     * @param leaseDeadline when the claim's lease ends, by this server's clock
     * @return the next attempt, or {@code null} when {@code stillRunning} is false: then the slot is
     * given back and the caller hands {@code next} back to the store
     */
    RunContext handOver(RunContext done, ClaimedTask next, long leaseDeadline, boolean stillRunning) {
        running.remove(done.taskId(), done);
        if (!stillRunning) {
            slots.release(1);
            return null;
        }
        return register(next, leaseDeadline);
    }

    /** A new attempt of {@code task}, among the running ones from now on. */
    private RunContext register(ClaimedTask task, long leaseDeadline) {
        RunContext run = new RunContext(task, clock.millis(), leaseDeadline);
        running.put(task.id(), run);
        return run;
    }

    /** The handler of {@code run} has returned and its thread is free: the slot goes back. */
    void finished(RunContext run) {
        running.remove(run.taskId(), run);
        slots.release(1);
    }

    /** The attempts running here now. */
    Collection<RunContext> running() {
        return List.copyOf(running.values());
    }

    /** The attempt of task {@code id} running here, or {@code null}. */
    RunContext running(String id) {
        return running.get(id);
    }

    // ---------------------------------------------------------------- figures and controls

    void countCompleted() {
        completed.incrementAndGet();
    }

    void countFailed() {
        failed.incrementAndGet();
    }

    long completed() {
        return completed.get();
    }

    long failed() {
        return failed.get();
    }

    /**
     * The attempts running here now. Not {@link #slotsUsed()}: a fetcher holds slots while its
     * claim is on the way, and an operator reading "Busy" must not see tasks that do not run.
     */
    int busy() {
        return running.size();
    }

    /** Slots taken now: the running attempts and those a fetcher holds while it claims. */
    int slotsUsed() {
        return slots.used();
    }

    int concurrency() {
        return slots.limit();
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    /**
     * Changes how many tasks run at once here. Raising it lets fetchers claim more at once;
     * lowering it stops new claims until enough running tasks have finished, and never
     * interrupts one.
     *
     * @throws InvalidRequestException when below 0 or above {@link #maxConcurrency()}
     */
    void setConcurrency(int concurrency) {
        if (concurrency < 0 || concurrency > maxConcurrency) {
            throw new InvalidRequestException(
                    "concurrency",
                    "must be between 0 and " + maxConcurrency
                            + ", the worker executor's limit (redtask.workers.max), was " + concurrency);
        }
        slots.setLimit(concurrency);
        LOG.info(() -> "RedTask: node " + nodeId + " concurrency set to " + concurrency);
    }

    boolean paused() {
        return paused.get();
    }

    void pause() {
        if (paused.compareAndSet(false, true)) {
            LOG.info(() -> "RedTask: node " + nodeId + " workers paused");
        }
    }

    void resume() {
        if (paused.compareAndSet(true, false)) {
            LOG.info(() -> "RedTask: node " + nodeId + " workers resumed");
        }
    }
}
