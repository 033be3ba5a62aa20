package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskEvent;
import io.redtask.store.ClaimedTask;
import io.redtask.store.FailOutcome;
import io.redtask.store.TaskStore;
import jakarta.json.bind.JsonbException;

import java.time.Clock;
import java.time.Duration;
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

    Processor(TaskStore tasks, Workers workers, HandlerCatalog handlers, JsonCodec codec, Clock clock,
              EngineSettings settings, EventSink events, Lifecycle lifecycle) {
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
     * queue on the same thread and worker slot.
     */
    void process(RunContext first) {
        RunContext run = first;
        while (run != null) {
            run = processOne(run);
        }
    }

    private RunContext processOne(RunContext run) {
        ClaimedTask next = null;
        run.enter();
        try {
            next = execute(run);
        } catch (StoreUnavailableException e) {
            LOG.warning("RedTask: cannot record the outcome of task " + run.taskId() + ": " + e.getMessage()
                    + "; its lease will expire and it will run again");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "RedTask: unexpected error around task " + run.taskId(), e);
        } finally {
            run.exit();
            // In finally, so that even an Error from recording the outcome gives the slot back.
            if (next == null) {
                workers.finished(run);
            }
        }
        if (next == null) {
            return null;
        }
        // The slot passes to the next task, or goes back with the next task handed back.
        RunContext following = workers.handOver(run, next, lifecycle.isRunning());
        if (following == null) {
            releaseQuietly(next);
        }
        return following;
    }

    /** Runs the handler and records the outcome; returns the next task claimed on completion, if any. */
    private ClaimedTask execute(RunContext run) {
        ClaimedTask task = run.task();
        HandlerRegistration handler = handlers.find(task.type());
        if (handler == null) {
            fail(run, "no handler for task type '" + task.type() + "' on node " + settings.nodeId(), true);
            return null;
        }
        Object payload;
        try {
            payload = codec.fromJson(task.payloadJson(), handler.payloadType());
        } catch (JsonbException e) {
            // Retrying cannot make a payload readable: straight to dead.
            fail(run, "payload " + JsonCodec.readProblem(task.payloadJson(), handler.payloadType(), e), false);
            return null;
        }
        Object result;
        try {
            result = handler.invoker().invoke(payload, run);
        } catch (Exception | Error e) {
            // Errors too (StackOverflowError, an OutOfMemoryError that freed its memory as it
            // unwound): the attempt failed, and its slot and lease must not be lost with it.
            if (run.isCancelled()) {
                return null;
            }
            fail(run, describe(e), !handler.isNonRetryable(e));
            return null;
        }
        if (run.isCancelled()) {
            LOG.fine(() -> "RedTask: task " + task.id() + " returned after it was stopped (" + run.stopReason()
                    + "); result not recorded");
            return null;
        }
        String json;
        try {
            json = codec.toJson(result);
        } catch (JsonbException e) {
            fail(run, "result cannot be written as JSON: " + e.getMessage(), true);
            return null;
        }
        return succeed(run, json);
    }

    /** Records success; returns the next task the completion claimed for this worker, if any. */
    private ClaimedTask succeed(RunContext run, String resultJson) {
        ClaimedTask task = run.task();
        long now = clock.millis();
        TaskStore.NextClaim nextClaim = lifecycle.isRunning() && workers.hasRoomForNext()
                ? new TaskStore.NextClaim(settings.nodeId(), settings.lease().toMillis()) : null;
        TaskStore.Completion done = tasks.complete(task, resultJson, now, nextClaim);
        if (done.recorded()) {
            workers.countCompleted();
            events.publish(new TaskEvent(TaskEvent.Kind.SUCCEEDED, task.id(), task.type(), task.queue(), task.attempt(),
                    resultJson, null, run.waitMillis(), run.runMillis(now)));
        } else {
            LOG.warning("RedTask: task " + task.id() + " finished after its lease was lost or it was cancelled; "
                    + "its result was refused");
        }
        return done.next();
    }

    /** Records a failed attempt: a retry after backoff, or dead. Also used by the watchdog for timeouts. */
    void fail(RunContext run, String error, boolean retryable) {
        ClaimedTask task = run.task();
        workers.countFailed();
        long now = clock.millis();
        long retryAt = retryable ? now + backoffFor(task).delayMillis(task.attempt()) : -1;
        FailOutcome outcome = tasks.fail(task, error, retryAt, now);
        switch (outcome) {
            case DEAD -> {
                LOG.warning("RedTask: task " + task.id() + " (" + task.type() + ") is dead after attempt "
                        + task.attempt() + ": " + error);
                events.publish(new TaskEvent(TaskEvent.Kind.DEAD, task.id(), task.type(), task.queue(), task.attempt(),
                        null, error, run.waitMillis(), run.runMillis(now)));
            }
            case RETRY, SCHEDULED -> {
                LOG.fine(() -> "RedTask: task " + task.id() + " attempt " + task.attempt() + " failed (" + error
                        + "); retry in " + (retryAt - now) + " ms");
                events.publish(new TaskEvent(TaskEvent.Kind.FAILED_WILL_RETRY, task.id(), task.type(), task.queue(),
                        task.attempt(), null, error, run.waitMillis(), run.runMillis(now)));
            }
            case STALE -> LOG.warning("RedTask: task " + task.id() + " failed after its lease was lost: " + error);
        }
    }

    /** Records that an attempt ran past its timeout; the watchdog has stopped it. */
    void timedOut(RunContext run) {
        fail(run, "timed out after " + Duration.ofMillis(run.task().timeoutMillis()), true);
    }

    private RetryBackoff backoffFor(ClaimedTask task) {
        if (task.backoffBaseMillis() >= 0 && task.backoffCapMillis() >= task.backoffBaseMillis()) {
            return new RetryBackoff(Duration.ofMillis(task.backoffBaseMillis()), Duration.ofMillis(task.backoffCapMillis()),
                    settings.backoff().jitter());
        }
        return settings.backoff();
    }

    private void releaseQuietly(ClaimedTask task) {
        if (task == null) {
            return;
        }
        try {
            tasks.release(task);
        } catch (RuntimeException e) {
            LOG.warning("RedTask: could not hand task " + task.id() + " back (" + e.getMessage()
                    + "); its lease will expire and another server will take it");
        }
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
