package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskEvent;
import jakarta.json.bind.JsonbException;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one claimed task on a worker thread: reads the payload, calls the handler, and records
 * success or failure against the claim's token. An attempt that was stopped meanwhile (cancel,
 * timeout, lost lease) records nothing: whoever stopped it already did, or the lease's new owner will.
 */
final class Processor {

    private static final Logger LOG = Logger.getLogger(Processor.class.getName());
    private static final int MAX_ERROR_LENGTH = 4_000;

    private final RedTaskEngine engine;

    Processor(RedTaskEngine engine) {
        this.engine = engine;
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
        }
        // The slot passes to the next task, or is given back.
        return next == null ? finish(run) : engine.handOver(run, next);
    }

    /** Runs the handler and records the outcome; returns the next task claimed on completion, if any. */
    private ClaimedTask execute(RunContext run) {
        ClaimedTask task = run.task();
        HandlerRegistration handler = engine.handler(task.type());
        if (handler == null) {
            fail(run, "no handler for task type '" + task.type() + "' on node " + engine.settings().nodeId(), true);
            return null;
        }
        Object payload;
        try {
            payload = engine.codec().fromJson(task.payloadJson(), handler.payloadType());
        } catch (JsonbException e) {
            // Retrying cannot make a payload readable: straight to dead.
            fail(run, "payload " + JsonCodec.readProblem(task.payloadJson(), handler.payloadType(), e), false);
            return null;
        }
        Object result;
        try {
            result = handler.invoker().invoke(payload, run);
        } catch (Exception | LinkageError | AssertionError e) {
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
            json = engine.codec().toJson(result);
        } catch (JsonbException e) {
            fail(run, "result cannot be written as JSON: " + e.getMessage(), true);
            return null;
        }
        return succeed(run, json);
    }

    private RunContext finish(RunContext run) {
        engine.finished(run);
        return null;
    }

    /** Records success; returns the next task the completion claimed for this worker, if any. */
    private ClaimedTask succeed(RunContext run, String resultJson) {
        ClaimedTask task = run.task();
        long now = engine.clock().millis();
        TaskStore.Completion done = engine.store().complete(task, resultJson, now, engine.nextClaim());
        if (done.recorded()) {
            engine.countCompleted();
            engine.publish(new TaskEvent(TaskEvent.Kind.SUCCEEDED, task.id(), task.type(), task.queue(), task.attempt(),
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
        engine.countFailed();
        long now = engine.clock().millis();
        long retryAt = retryable ? now + engine.backoffFor(task).delayMillis(task.attempt()) : -1;
        FailOutcome outcome = engine.store().fail(task, error, retryAt, now);
        switch (outcome) {
            case DEAD -> {
                LOG.warning("RedTask: task " + task.id() + " (" + task.type() + ") is dead after attempt "
                        + task.attempt() + ": " + error);
                engine.publish(new TaskEvent(TaskEvent.Kind.DEAD, task.id(), task.type(), task.queue(), task.attempt(),
                        null, error, run.waitMillis(), run.runMillis(now)));
            }
            case RETRY, SCHEDULED -> {
                LOG.fine(() -> "RedTask: task " + task.id() + " attempt " + task.attempt() + " failed (" + error
                        + "); retry in " + (retryAt - now) + " ms");
                engine.publish(new TaskEvent(TaskEvent.Kind.FAILED_WILL_RETRY, task.id(), task.type(), task.queue(),
                        task.attempt(), null, error, run.waitMillis(), run.runMillis(now)));
            }
            case STALE -> LOG.warning("RedTask: task " + task.id() + " failed after its lease was lost: " + error);
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
