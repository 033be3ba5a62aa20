package io.redtask.redis;

import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore.Completion;
import io.redtask.store.TaskStore.NextClaim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Completions of one queue that arrive while another completion's call is on its way wait for it
 * and then go together in the next call (complete.lua takes many): a busy queue costs Redis a
 * fraction of a call per task, and no completion waits for a timer. A waiting thread that may make
 * a call (see below) makes it for everything waiting (up to {@link #MAX_BATCH}) and hands each
 * caller its own answer, or the call's exception, which each caller handles as if its own call
 * had failed (it writes its completion again while its lease holds; complete.lua answers a repeat
 * as the first).
 *
 * <p>While one call is on its way, a second may go as soon as {@link #OVERLAP_AT} completions wait
 * for it: Redis then runs one batch while the workers of the other finish theirs, instead of the
 * two taking turns (8 busy workers and bulk submits, alternating rounds of 40,000:
 * 15,035-15,869 tasks/s with one call at a time, 16,097-20,707 with two). A lone completion waits, so a quiet queue does not pay a call per task (single
 * submits to 8 workers were 10 % slower when every completion could start a second call), unless
 * nobody can come to join it: every worker slot its server has taken is in the call on its way
 * or waits, which with one completion on its way means a server with at most two slots taken
 * (2 workers and bulk submits: 5,756-6,403 tasks/s when the second waited for the first,
 * 10,846-12,205 when it did not, in alternating rounds). The slots count every queue's tasks and
 * those a fetcher holds while it claims, so on a busier server the rule holds back, never
 * the other way (the count is the latest completion's: engines sharing one store mix theirs,
 * which can cost batching, never an outcome). More than two calls measured slower: their batches get smaller and each call
 * has a fixed cost.
 */
final class CompletionCombiner {

    /** At most this many completions in one call, so one script never holds Redis long. */
    static final int MAX_BATCH = 64;

    /** At most this many calls on their way at once. */
    static final int MAX_CALLS = 2;

    /** A call goes while another is on its way once this many completions wait for it. */
    static final int OVERLAP_AT = 2;

    /** One finished task on its way to Redis. */
    static final class Pending {
        final ClaimedTask task;
        final String resultJson;
        final long now;
        final NextClaim next;
        private Completion result;
        private RuntimeException failure;
        private Error error;
        private boolean settled;
        /** Signalled when this completion is answered, or may make the next call; made when it first waits. */
        private Condition wake;

        Pending(ClaimedTask task, String resultJson, long now, NextClaim next) {
            this.task = task;
            this.resultJson = resultJson;
            this.now = now;
            this.next = next;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final Function<List<Pending>, List<Completion>> call;
    private final int maxCalls;
    /** Calls on their way now. */
    private int calling;
    /** Completions in the calls on their way now. */
    private int carried;
    /** How many worker slots the latest completion's server had taken (0: not known). */
    private int busyWorkers;

    /** @param call one script call for a batch: an answer per completion, in order */
    CompletionCombiner(Function<List<Pending>, List<Completion>> call) {
        this(call, MAX_CALLS);
    }

    /**
     * @param call     one script call for a batch: an answer per completion, in order
     * @param maxCalls at most this many calls on their way at once (1: strictly one after another)
     */
    CompletionCombiner(Function<List<Pending>, List<Completion>> call, int maxCalls) {
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls must be at least 1, was " + maxCalls);
        }
        this.call = call;
        this.maxCalls = maxCalls;
    }

    /** Records {@code p}, in a call of its own or together with others; its answer or the call's exception. */
    Completion complete(Pending p) {
        boolean interrupted = false;
        lock.lock();
        try {
            waiting.add(p);
            // Not known without a next claim (paused, stopping): 0 turns the rule below off.
            busyWorkers = p.next == null ? 0 : p.next.busyWorkers();
            while (!p.settled) {
                if (mayCall()) {
                    List<Pending> batch = takeBatch();
                    int size = batch.size();
                    calling++;
                    carried += size;
                    // Completions of another shape left behind may make the other call meanwhile.
                    if (mayCall()) {
                        wakeFirstWaiting(p);
                    }
                    lock.unlock();
                    try {
                        run(batch);
                    } finally {
                        lock.lock();
                        calling--;
                        carried -= size;
                        // Wake only whom it concerns: the callers answered, and the first still
                        // waiting, who makes the next call when it may (a context switch per
                        // caller is what a busy worker pool pays most for on a small machine).
                        // Whoever arrives meanwhile checks for itself.
                        for (Pending done : batch) {
                            if (done != p && done.wake != null) {
                                done.wake.signal();
                            }
                        }
                        wakeFirstWaiting(p);
                    }
                } else {
                    try {
                        if (p.wake == null) {
                            p.wake = lock.newCondition();
                        }
                        // Bounded: the call in progress ends within the Redis timeout.
                        p.wake.await();
                    } catch (InterruptedException e) {
                        // Aimed at a handler that has returned: the outcome is still worth writing.
                        interrupted = true;
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (p.error != null) {
            throw p.error;
        }
        if (p.failure != null) {
            throw p.failure;
        }
        return p.result;
    }

    /**
     * Whether a completion that waits may make a call now (under the lock): when none is on its
     * way, or when room is left for another and enough wait to make it worth its fixed cost.
     */
    private boolean mayCall() {
        if (calling == 0) {
            return true;
        }
        if (calling >= maxCalls) {
            return false;
        }
        // Enough to be worth a call of their own; or as many as the call on its way carries while
        // every busy worker is in that call or waits, so no other completion can come to join
        // them (2 workers: the one waiting is all there is).
        int n = waiting.size();
        return n >= OVERLAP_AT || (busyWorkers > 0 && n >= carried && carried + n >= busyWorkers);
    }

    /**
     * Wakes the first completion still waiting, who makes the next call when it may (under the
     * lock; not {@code self}, which checks for itself as it loops).
     */
    private void wakeFirstWaiting(Pending self) {
        Pending first = waiting.peekFirst();
        if (first != null && first != self && first.wake != null) {
            first.wake.signal();
        }
    }

    /** How many completions wait for a call now (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The completions the next call carries, in arrival order: those that ask for no next task,
     * and those that ask for one the way the first such does (same owner, lease and types; one
     * call claims for one owner). The others wait for a later call.
     */
    private List<Pending> takeBatch() {
        List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
        NextClaim shape = null;
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
            Pending p = it.next();
            if (p.next != null) {
                if (shape == null) {
                    shape = p.next;
                } else if (!sameShape(shape, p.next)) {
                    continue;
                }
            }
            batch.add(p);
            it.remove();
        }
        return batch;
    }

    private static boolean sameShape(NextClaim a, NextClaim b) {
        return a == b
                || (a.leaseMillis() == b.leaseMillis()
                        && Objects.equals(a.owner(), b.owner())
                        && Objects.equals(a.types(), b.types()));
    }

    private void run(List<Pending> batch) {
        List<Completion> answers = null;
        RuntimeException failure = null;
        Error error = null;
        try {
            answers = call.apply(batch);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            error = e;
        } catch (Exception e) {
            // Declared by nothing, yet possible (a checked exception thrown sneakily): every
            // caller must still be answered.
            failure = new IllegalStateException("complete.lua call failed", e);
        }
        lock.lock();
        try {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                if (answers != null && answers.size() == batch.size()) {
                    p.result = answers.get(i);
                } else if (answers != null) {
                    p.failure = new IllegalStateException(
                            "complete.lua answered " + answers.size() + " completions for " + batch.size());
                } else {
                    p.failure = failure;
                    p.error = error;
                }
                p.settled = true;
            }
        } finally {
            lock.unlock();
        }
    }
}
