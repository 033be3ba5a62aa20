package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskEvent;
import io.redtask.store.ClaimedTask;
import io.redtask.store.FailOutcome;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskStore;
import jakarta.json.bind.JsonbException;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs claimed tasks on a worker thread: reads the payload, calls the handler, and records
 * success or failure against the claim's token. An attempt that was stopped meanwhile (cancel,
 * timeout, lost lease) records nothing: whoever stopped it already did, or the lease's new owner
 * will. Whatever the handler throws, {@link Error}s included, the worker's slot is given back.
 */
final class Processor {

    private static final Logger LOG = Logger.getLogger(Processor.class.getName());
    private static final int MAX_ERROR_LENGTH = 4_000;

    private final TaskStore tasks;
    private final Workers workers;
    private final HandlerCatalog handlers;
    private final JsonCodec codec;
    private final Clock clock;
    private final EngineSettings settings;
    private final EventSink events;
    private final Lifecycle lifecycle;
    private final TaskTracing tracing;

    Processor(
            TaskStore tasks,
            Workers workers,
            HandlerCatalog handlers,
            JsonCodec codec,
            Clock clock,
            EngineSettings settings,
            EventSink events,
            Lifecycle lifecycle,
            TaskTracing tracing) {
        this.tracing = tracing;
        this.tasks = tasks;
        this.workers = workers;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
        this.settings = settings;
        this.events = events;
        this.lifecycle = lifecycle;
    }

    /**
     * Runs a claimed task and then, as long as the completions bring one, the next task of its
     * queue on the same thread and worker slot; or, when a completion brings none, a task a submit
     * left for this thread while it finished ({@link FinishingRelay}), on that task's own slot.
     */
    void process(RunContext first) {
        RunContext run = first;
        while (run != null) {
            run = processOne(run);
        }
    }

    private RunContext processOne(RunContext run) {
        Outcome outcome = null;
        boolean settled = false; // false while an Error is on its way out
        RunContext relayed = null;
        run.enter();
        // The attempt's span is current on this thread while the handler runs (its own spans nest
        // under it); TaskTracing.NONE costs nothing.
        TaskTracing.Attempt span = startSpan(run);
        try {
            outcome = execute(run);
            settled = true;
        } catch (StoreUnavailableException e) {
            settled = true;
            LOG.warning("RedTask: cannot record the outcome of task " + run.taskId() + ": " + e.getMessage()
                    + "; gave up before its lease could lapse: it will run again");
        } catch (RuntimeException e) {
            settled = true;
            LOG.log(Level.SEVERE, "RedTask: unexpected error around task " + run.taskId(), e);
        } finally {
            boolean hasNext = outcome != null && outcome.next() != null;
            boolean clean = false; // false while an Error from the steps below is on its way out
            try {
                endSpan(span, run);
                run.exit();
                // In finally, so that even an Error from recording the outcome gives the slot back.
                if (!hasNext) {
                    workers.finished(run);
                }
                if (run.isCancelled() && run.stopReason() != StopReason.SERVER_STOPPING) {
                    // A stopped attempt counted against the queue's limit until now (cancel.lua, fail.lua).
                    unlingerQuietly(run.task());
                }
                clean = true;
            } finally {
                // Attempts a submit left for this thread while it recorded the outcome: one runs
                // next here when the completion brought no task of its own, the others (all of
                // them, when an Error leaves this thread) on threads of their own.
                relayed = workers.doneFinishing(run, settled && clean && !hasNext);
            }
        }
        if (outcome == null || outcome.next() == null) {
            return relayed;
        }
        ClaimedTask next = outcome.next();
        // The slot passes to the next task, or goes back with the next task handed back.
        RunContext following = workers.handOver(run, next, outcome.nextLeaseDeadline(), lifecycle.isRunning());
        if (following == null) {
            Handback.quietly(tasks, next);
        }
        return following;
    }

    /** The attempt's span; a tracer that fails must not cost the task its slot. */
    private TaskTracing.Attempt startSpan(RunContext run) {
        try {
            return tracing.startAttempt(run.task());
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "RedTask: no span for task " + run.taskId(), e);
            return TaskTracing.Attempt.NONE;
        }
    }

    private static void endSpan(TaskTracing.Attempt span, RunContext run) {
        try {
            span.end(
                    run.isCancelled() && "unknown".equals(run.outcome()) ? "cancelled" : run.outcome(),
                    run.outcomeError());
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "RedTask: the span of task " + run.taskId() + " could not be ended", e);
        }
    }

    /** What a worker goes on with after an attempt: the next task a completion claimed, if any. */
    private record Outcome(ClaimedTask next, long nextLeaseDeadline) {
        static final Outcome DONE = new Outcome(null, 0);
    }

    /** Runs the handler and records the outcome; returns the next task claimed on completion, if any. */
    private Outcome execute(RunContext run) {
        if (run.isCancelled()) {
            // Stopped before its handler started (cancelled, timed out, its lease lost, or handed
            // back at stop while it waited for a thread): whoever stopped it recorded what was due.
            return Outcome.DONE;
        }
        ClaimedTask task = run.task();
        HandlerRegistration handler = handlers.find(task.type());
        if (handler == null) {
            fail(run, "no handler for task type '" + task.type() + "' on node " + settings.nodeId(), true);
            return Outcome.DONE;
        }
        Object payload;
        try {
            payload = codec.fromJson(task.payloadJson(), handler.payloadType());
        } catch (JsonbException e) {
            // Retrying cannot make a payload readable: straight to dead.
            fail(run, "payload " + JsonCodec.readProblem(task.payloadJson(), handler.payloadType(), e), false);
            return Outcome.DONE;
        }
        Object result;
        try {
            result = handler.invoker().invoke(payload, run);
            run.handlerReturned();
        } catch (Exception | Error e) {
            run.handlerReturned();
            // Errors too (StackOverflowError, an OutOfMemoryError that freed its memory as it
            // unwound): the attempt failed, and its slot and lease must not be lost with it.
            if (run.isCancelled()) {
                return Outcome.DONE;
            }
            workers.finishing(run);
            fail(run, describe(e), !handler.isNonRetryable(e));
            return Outcome.DONE;
        }
        if (run.isCancelled()) {
            LOG.fine(() -> "RedTask: task " + task.id() + " returned after it was stopped (" + run.stopReason()
                    + "); result not recorded");
            return Outcome.DONE;
        }
        // Its outcome goes to Redis now: a submit meanwhile may leave its task for this thread.
        workers.finishing(run);
        String json;
        try {
            json = codec.toJson(result);
        } catch (JsonbException e) {
            fail(run, "result cannot be written as JSON: " + e.getMessage(), true);
            return Outcome.DONE;
        }
        return succeed(run, json);
    }

    /** Records success; returns the next task the completion claimed for this worker, if any. */
    private Outcome succeed(RunContext run, String resultJson) {
        ClaimedTask task = run.task();
        long lease = settings.lease().toMillis();
        TaskStore.NextClaim nextClaim = lifecycle.isRunning() && workers.hasRoomForNext()
                ? new TaskStore.NextClaim(settings.nodeId(), lease, handlers.types(), workers.slotsUsed())
                : null;
        long[] sentAt = new long[1];
        // Repeated when the reply is lost: a repeat is answered as the first was (complete.lua).
        TaskStore.Completion done = persist(run, "result", () -> {
            // The first try's time: a repeat answers the next task that try claimed, whose lease
            // began then (an earlier start only makes this server stop it sooner, never later).
            if (sentAt[0] == 0) {
                sentAt[0] = clock.millis();
            }
            return tasks.complete(task, resultJson, sentAt[0], nextClaim);
        });
        long now = sentAt[0];
        if (done.recorded()) {
            run.outcome("succeeded", null);
            workers.countCompleted();
            events.publish(new TaskEvent(
                    TaskEvent.Kind.SUCCEEDED,
                    task.id(),
                    task.type(),
                    ShardNames.queueOf(task.queue()),
                    task.attempt(),
                    resultJson,
                    null,
                    run.waitMillis(),
                    run.runMillis(now)));
        } else {
            run.outcome("stale", null);
            LOG.warning("RedTask: task " + task.id() + " finished after its lease was lost or it was cancelled; "
                    + "its result was refused");
        }
        return new Outcome(done.next(), now + lease);
    }

    /** Records a failed attempt (its handler has returned, or never started): a retry after backoff, or dead. */
    void fail(RunContext run, String error, boolean retryable) {
        ClaimedTask task = run.task();
        workers.countFailed();
        long now = clock.millis();
        long retryAt = retryable ? now + backoffFor(task).delayMillis(task.attempt()) : -1;
        // Repeated when the reply is lost: a repeat changes nothing and says what became of the task.
        FailOutcome outcome = persist(run, "failure", () -> tasks.fail(task, error, retryAt, now, false));
        run.outcome(traceOutcome(outcome), error);
        report(run, error, outcome, now, retryAt);
    }

    private static String traceOutcome(FailOutcome outcome) {
        return switch (outcome) {
            case RETRY, SCHEDULED -> "retry";
            case DEAD -> "dead";
            case STALE -> "stale";
        };
    }

    private void report(RunContext run, String error, FailOutcome outcome, long now, long retryAt) {
        ClaimedTask task = run.task();
        switch (outcome) {
            case DEAD -> {
                LOG.warning("RedTask: task " + task.id() + " (" + task.type() + ") is dead after attempt "
                        + task.attempt() + ": " + error);
                events.publish(new TaskEvent(
                        TaskEvent.Kind.DEAD,
                        task.id(),
                        task.type(),
                        ShardNames.queueOf(task.queue()),
                        task.attempt(),
                        null,
                        error,
                        run.waitMillis(),
                        run.runMillis(now)));
            }
            case RETRY, SCHEDULED -> {
                LOG.fine(() -> "RedTask: task " + task.id() + " attempt " + task.attempt() + " failed (" + error
                        + "); retry in " + (retryAt - now) + " ms");
                events.publish(new TaskEvent(
                        TaskEvent.Kind.FAILED_WILL_RETRY,
                        task.id(),
                        task.type(),
                        ShardNames.queueOf(task.queue()),
                        task.attempt(),
                        null,
                        error,
                        run.waitMillis(),
                        run.runMillis(now)));
            }
            case STALE -> LOG.warning("RedTask: task " + task.id() + " failed after its lease was lost: " + error);
        }
    }

    /**
     * Records that an attempt ran past its timeout; the watchdog has stopped it. Its handler may
     * not have returned yet, so the attempt keeps counting against the queue's limit until it does.
     */
    void timedOut(RunContext run) {
        // Written once, on the watchdog's thread, which must not wait out a Redis outage: if it
        // cannot be written, the lease runs out and the task runs again (a stall, not an attempt).
        ClaimedTask task = run.task();
        String error = "timed out after " + Duration.ofMillis(task.timeoutMillis());
        workers.countFailed();
        long now = clock.millis();
        boolean stillRunning = !run.hasReturned();
        FailOutcome outcome;
        try {
            outcome = tasks.fail(task, error, now + backoffFor(task).delayMillis(task.attempt()), now, stillRunning);
        } finally {
            // Also when the reply was lost (the failure may have been written): if the handler
            // returned while this failure was on its way, its worker's clearing of the lingering
            // entry may have reached Redis before the entry this failure wrote. Whichever of the
            // two comes second clears it (the worker sets the flag read here before it clears),
            // or it would hold a slot of the queue's limit until it expired.
            if (stillRunning && run.hasReturned()) {
                unlingerQuietly(task);
            }
        }
        run.outcome(traceOutcome(outcome), error);
        report(run, error, outcome, now, now + backoffFor(task).delayMillis(task.attempt()));
    }

    /**
     * Writes an outcome, and writes it again while Redis does not answer, for as long as this
     * server may still hold the task: a Redis blip shorter than the lease neither loses an outcome
     * nor makes the task run again. Past that another server may have taken the task over, and
     * the outcome is given up (the fencing token would refuse it anyway).
     */
    private <T> T persist(RunContext run, String what, Supplier<T> write) {
        // Short pauses, at most half a heartbeat: the outcome should be in as soon as Redis answers.
        long maxPause = Math.max(1, settings.heartbeatInterval().toMillis() / 2);
        long pause = Math.max(1, maxPause / 10);
        long giveUpNanos = System.nanoTime() + settings.lease().toNanos();
        while (true) {
            try {
                return write.get();
            } catch (StoreUnavailableException e) {
                long now = clock.millis();
                if (now + pause >= run.leaseDeadline() || System.nanoTime() + pause * 1_000_000 >= giveUpNanos) {
                    throw e;
                }
                LOG.fine(() -> "RedTask: writing the " + what + " of task " + run.taskId() + " failed ("
                        + e.getMessage() + "); trying again");
                sleep(pause);
                pause = Math.min(pause * 2, maxPause);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // A stop request aimed at the handler, which has returned: the outcome is still worth writing.
        }
    }

    private void unlingerQuietly(ClaimedTask task) {
        try {
            tasks.unlinger(task);
        } catch (RuntimeException e) {
            LOG.fine(() -> "RedTask: could not clear the lingering entry of task " + task.id() + " (" + e.getMessage()
                    + "); it expires with the lease it had");
        }
    }

    private RetryBackoff backoffFor(ClaimedTask task) {
        if (task.backoffBaseMillis() >= 0 && task.backoffCapMillis() >= task.backoffBaseMillis()) {
            return new RetryBackoff(
                    Duration.ofMillis(task.backoffBaseMillis()),
                    Duration.ofMillis(task.backoffCapMillis()),
                    settings.backoff().jitter());
        }
        return settings.backoff();
    }

    static String describe(Throwable e) {
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
}
