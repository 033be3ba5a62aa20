package io.redtask.cdi;

import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.StoreUnavailableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;
import io.redtask.engine.PreparedBatch;
import io.redtask.engine.PreparedSubmit;
import io.redtask.engine.RedTaskEngine;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link TaskScheduler} applications inject: a submit made while a JTA transaction is active
 * is stored when the transaction commits, and not at all when it rolls back, so a handler never
 * starts before the data it needs is committed, and never runs for work that was rolled back.
 *
 * <p>What is guaranteed, exactly:
 * <ul>
 *   <li>The submit is checked at once (unknown type, bad payload: the exception reaches the
 *       caller inside the transaction) and Redis is pinged: when it does not answer, the submit
 *       fails with {@link StoreUnavailableException} before anything commits.</li>
 *   <li>The id is returned at once; {@code status} and {@code whenFinished} find the task from the
 *       commit on. An idempotency key already in use answers the first task at once.</li>
 *   <li>After the commit the task is written; when Redis does not answer at that moment, the
 *       write is tried again in the background for {@code redtask.tx.retry-for} (1 min), then the
 *       task is logged (SEVERE, with its id) as lost. A server killed between the commit and
 *       the write (a few milliseconds) loses the task.</li>
 *   <li>After a rollback nothing is written.</li>
 * </ul>
 * A batch ({@link #submitBatchForReceipt}) is held the same way and stored at commit in one
 * atomic step. {@link SubmitOptions#immediate()} opts out: stored at once, whatever the
 * transaction does (for a batch, when every task and the callback say so).
 * Without a transaction (or without JTA) a submit is stored at once.
 */
final class TransactionalScheduler implements TaskScheduler {

    private static final Logger LOG = Logger.getLogger(TransactionalScheduler.class.getName());
    private static final Object PENDING = new Object();

    private final RedTaskEngine engine;
    private final TransactionSynchronizationRegistry transactions;
    private final ScheduledExecutorService retries;
    private final Duration retryFor;

    /**
     * @param transactions the server's registry, or {@code null} when there is no JTA
     * @param retries      where writes after a commit are tried again while Redis does not answer
     */
    TransactionalScheduler(
            RedTaskEngine engine,
            TransactionSynchronizationRegistry transactions,
            ScheduledExecutorService retries,
            Duration retryFor) {
        this.engine = engine;
        this.transactions = transactions;
        this.retries = retries;
        this.retryFor = retryFor;
    }

    @Override
    public SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options) {
        if (options.isImmediate() || !inTransaction()) {
            return engine.submitForReceipt(type, payload, options);
        }
        PreparedSubmit prepared = engine.prepare(type, payload, options);
        if (prepared.idempotencyKey() != null) {
            Optional<String> first = engine.taskOfIdempotencyKey(prepared);
            if (first.isPresent()) {
                return new SubmitReceipt(
                        first.get(),
                        engine.status(first.get()).map(TaskStatus::state).orElse(null),
                        true);
            }
        }
        engine.checkStore(); // fail before the commit, not after it
        pending().add(new Deferred("task " + prepared.id(), () -> engine.store(prepared)));
        return new SubmitReceipt(prepared.id(), prepared.stateWhenStored(), false);
    }

    /**
     * A batch made in a transaction is stored at commit, as one atomic step (its members, its
     * record and its callback together), with the same retries as a task's.
     */
    @Override
    public BatchReceipt submitBatchForReceipt(List<Submission> tasks, Submission onComplete) {
        boolean immediate = tasks != null
                && tasks.stream().allMatch(s -> s.options().isImmediate())
                && (onComplete == null || onComplete.options().isImmediate());
        if (immediate || !inTransaction()) {
            return engine.submitBatchForReceipt(tasks, onComplete);
        }
        PreparedBatch prepared = engine.prepareBatch(tasks, onComplete);
        engine.checkStore(); // fail before the commit, not after it
        pending().add(new Deferred("batch " + prepared.id(), () -> engine.storeBatch(prepared)));
        return prepared.receipt();
    }

    @Override
    public Optional<BatchStatus> batch(String id) {
        return engine.batch(id);
    }

    @Override
    public List<String> submitAll(List<Submission> tasks) {
        if (!inTransaction() || tasks.stream().allMatch(s -> s.options().isImmediate())) {
            return engine.submitAll(tasks);
        }
        List<String> ids = new ArrayList<>(tasks.size());
        for (Submission s : tasks) {
            ids.add(submitForReceipt(s.type(), s.payload(), s.options()).id());
        }
        return ids;
    }

    private boolean inTransaction() {
        return transactions != null && transactions.getTransactionStatus() == Status.STATUS_ACTIVE;
    }

    /** The submits waiting for this transaction's outcome; the first call registers for it. */
    @SuppressWarnings("unchecked")
    private List<Deferred> pending() {
        Object held = transactions.getResource(PENDING);
        if (held != null) {
            return (List<Deferred>) held;
        }
        List<Deferred> list = new ArrayList<>();
        transactions.putResource(PENDING, list);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // Nothing: the tasks must not exist before the commit is certain.
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    list.forEach(p -> write(p, System.nanoTime() + retryFor.toNanos(), 50));
                } else {
                    LOG.fine(() -> "RedTask: transaction rolled back; " + list.size() + " submits dropped");
                }
            }
        });
        return list;
    }

    /** A write that waits for the commit: a task's or a batch's. */
    private record Deferred(String what, Runnable store) {}

    /** Writes a committed submit, and again later while Redis does not answer, until the deadline. */
    private void write(Deferred p, long deadlineNanos, long pauseMillis) {
        try {
            p.store().run();
        } catch (StoreUnavailableException e) {
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis) > deadlineNanos) {
                LOG.severe("RedTask: " + p.what() + " of a committed transaction could not be stored: Redis did "
                        + "not answer for " + retryFor + " (" + e.getMessage() + "); it is lost");
                return;
            }
            LOG.warning("RedTask: " + p.what() + " of a committed transaction is not stored yet (" + e.getMessage()
                    + "); trying again");
            retries.schedule(
                    () -> write(p, deadlineNanos, Math.min(pauseMillis * 2, 5_000)),
                    pauseMillis,
                    TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.SEVERE,
                    "RedTask: " + p.what() + " of a committed transaction could not be stored; " + "it is lost",
                    e);
        }
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return engine.status(id);
    }

    @Override
    public boolean cancel(String id) {
        return engine.cancel(id);
    }

    @Override
    public CompletionStage<TaskStatus> whenFinished(String id) {
        return engine.whenFinished(id);
    }

    @Override
    public void schedule(Schedule schedule) {
        engine.schedule(schedule);
    }

    @Override
    public boolean unschedule(String name) {
        return engine.unschedule(name);
    }

    @Override
    public List<ScheduleInfo> schedules() {
        return engine.schedules();
    }
}
