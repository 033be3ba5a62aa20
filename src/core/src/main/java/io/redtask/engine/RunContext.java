package io.redtask.engine;

import io.redtask.TaskContext;
import io.redtask.store.ClaimedTask;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt of a task on this server: the {@link TaskContext} its handler gets, and the
 * engine's handle on it to stop it (cancel, timeout, lost lease). Interrupts reach the handler's
 * thread only while the handler runs on it, never a later task on the same pooled thread.
 */
final class RunContext implements TaskContext {

    /** {@link #finishingSince()} of an attempt whose thread is not finishing it. */
    static final long NOT_FINISHING = Long.MIN_VALUE;

    private final ClaimedTask task;
    private final long deadlineMillis;
    private final long startedMillis;
    private final AtomicReference<StopReason> stopReason = new AtomicReference<>();
    // When this server's hold on the task may end, by its own clock: the lease it last claimed or
    // renewed. Past it another server may take the task over, so the watchdog stops the handler
    // shortly before (self-fencing) even when Redis cannot be reached to learn about it.
    private volatile long leaseDeadline;
    /** How the attempt ended, for its span: set by the Processor when it records the outcome. */
    private volatile String outcome = "unknown";

    private volatile String outcomeError;
    private Thread thread;
    private boolean finished;
    // Since when its worker thread records the outcome and may take a relayed attempt next
    // (Workers#finishing), NOT_FINISHING before and after. Only that thread reads or writes it;
    // volatile so that no tool or later change has to prove that.
    private volatile long finishingSince = NOT_FINISHING;

    RunContext(ClaimedTask task, long startedMillis, long leaseDeadline) {
        this.task = task;
        this.startedMillis = startedMillis;
        this.leaseDeadline = leaseDeadline;
        this.deadlineMillis = task.timeoutMillis() > 0 ? startedMillis + task.timeoutMillis() : Long.MAX_VALUE;
    }

    ClaimedTask task() {
        return task;
    }

    /** How long the task waited from its due time to this attempt's start. */
    /** Remembers how the attempt ended (its span's {@code redtask.outcome}). */
    void outcome(String name, String error) {
        outcome = name;
        outcomeError = error;
    }

    String outcome() {
        return outcome;
    }

    String outcomeError() {
        return outcomeError;
    }

    long waitMillis() {
        return Math.max(0, startedMillis - task.dueAt());
    }

    /** How long this attempt has run at {@code now}. */
    long runMillis(long now) {
        return Math.max(0, now - startedMillis);
    }

    long deadlineMillis() {
        return deadlineMillis;
    }

    /** When this server's lease on the task may end, by this server's clock. */
    long leaseDeadline() {
        return leaseDeadline;
    }

    /** The lease was renewed until {@code until}. */
    void leaseRenewed(long until) {
        if (until > leaseDeadline) {
            leaseDeadline = until;
        }
    }

    /** Whether the handler has returned (its outcome may still be being recorded). */
    synchronized boolean hasReturned() {
        return finished;
    }

    /**
     * The handler has returned: from here on a stop interrupts nothing (the thread is recording
     * the outcome, or on to other work) and lease checks leave the attempt alone.
     */
    synchronized void handlerReturned() {
        finished = true;
    }

    long finishingSince() {
        return finishingSince;
    }

    void finishingSince(long nanos) {
        finishingSince = nanos;
    }

    synchronized void enter() {
        thread = Thread.currentThread();
    }

    /** Marks the handler done and clears an interrupt meant for it, before the thread moves on. */
    synchronized void exit() {
        finished = true;
        thread = null;
        Thread.interrupted();
    }

    /**
     * Stops the attempt: sets the flag and interrupts the handler's thread.
     *
     * @return true for the first stop of this attempt
     */
    boolean stop(StopReason reason) {
        if (!stopReason.compareAndSet(null, reason)) {
            return false;
        }
        synchronized (this) {
            if (!finished && thread != null) {
                thread.interrupt();
            }
        }
        return true;
    }

    /** Why the attempt was stopped, or {@code null}. */
    StopReason stopReason() {
        return stopReason.get();
    }

    @Override
    public String taskId() {
        return task.id();
    }

    @Override
    public String type() {
        return task.type();
    }

    @Override
    public String queue() {
        return io.redtask.store.ShardNames.queueOf(task.queue()); // the queue, not its shard
    }

    @Override
    public int attempt() {
        return task.attempt();
    }

    @Override
    public long fencingToken() {
        return task.token();
    }

    @Override
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(task.idempotencyKey());
    }

    @Override
    public Optional<Instant> deadline() {
        return deadlineMillis == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(deadlineMillis));
    }

    @Override
    public boolean isCancelled() {
        return stopReason.get() != null;
    }

    @Override
    public boolean isLeaseLost() {
        return stopReason.get() == StopReason.LEASE_LOST;
    }
}
