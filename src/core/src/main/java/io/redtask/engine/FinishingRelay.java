package io.redtask.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passes attempts that a submit claimed to a worker thread that is finishing another attempt (its
 * handler has returned and its outcome is on the way to Redis), instead of waking an idle thread
 * for each: the finishing thread runs one of them next, as it runs the next task its completion
 * claims. One awaited submit after another then keeps one worker thread going, as one worker does,
 * while a server with idle threads still starts a task at once when no worker is finishing.
 * Measured on a 2-core machine, single submits at 8 workers, ten alternating runs each
 * ({@code docs/bench/finishing-relay.txt}): medians of 8,292 tasks/s and 75 us of JVM CPU a task
 * waking a thread for each; 10,002 and 51 us with the relay.
 *
 * <p>Nothing is left behind: an attempt is left here only while some worker is finishing (the
 * caller adds it, then looks), and a worker that is done finishing says so, then takes what is
 * here (done, then take). Whichever of the two comes second sees the other. Finishing means
 * recording the outcome and telling the task-event listeners, which may be slow: one attempt at a
 * time waits here, none while the last finishing that ended took {@link #MAX_WINDOW_NANOS} or
 * more, and what waits too long anyway (a Redis slow to answer) is taken by {@link #overdue} for
 * a thread of its own. Once {@link #close closed} (the engine stops) nothing more is left here.
 */
final class FinishingRelay {

    /**
     * A finishing (outcome write and listeners) at least this long makes the next submits wake a
     * thread instead: a no-op task finishes in a tenth of that, one whose listeners take longer
     * would hold the tasks left for it.
     */
    static final long MAX_WINDOW_NANOS = 1_000_000;

    /**
     * An attempt left for a finishing worker.
     *
     * @param run        the attempt, already among the running ones and holding its slot
     * @param elsewhere  starts it on a thread of its own, when the worker that takes it has its
     *                   own next task or it waited too long
     * @param sinceNanos when it was left ({@link System#nanoTime()})
     */
    record Waiting(RunContext run, Runnable elsewhere, long sinceNanos) {}

    private final AtomicInteger finishing = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final Runnable afterLook;
    // How long the last finishing that ended took (0 before any): a slow one stops the relay.
    private volatile long lastWindowNanos;
    private volatile boolean closed;

    FinishingRelay() {
        this(() -> {});
    }

    /**
     * @param afterLook runs in {@link #offer} between its first look and its add, where the last
     *                  finishing worker may leave: tests make one leave there
     */
    FinishingRelay(Runnable afterLook) {
        this.afterLook = afterLook;
    }

    /**
     * Leaves {@code run} for a finishing worker, when one is finishing (and finishing has been
     * quick, nothing else waits here, and the relay is open).
     *
     * @param elsewhere starts {@code run} on a thread of its own
     * @return whether a worker will take it; when false the caller starts it itself
     */
    boolean offer(RunContext run, Runnable elsewhere) {
        // One at a time: tasks piled up behind a worker that stalls (a descheduled thread, a slow
        // reply) would all wait for it, where each could have had a thread.
        if (closed || finishing.get() == 0 || lastWindowNanos >= MAX_WINDOW_NANOS || !waiting.isEmpty()) {
            return false;
        }
        afterLook.run();
        Waiting w = new Waiting(run, elsewhere, System.nanoTime());
        waiting.add(w);
        // Looked at again after adding: the workers that were finishing may all have taken what
        // was here before w and gone. If w is still here it is the caller's again (removed by
        // exactly one: the caller, a worker, overdue or close).
        return finishing.get() > 0 || !waiting.remove(w);
    }

    /**
     * A worker's handler has returned; it records the outcome next.
     *
     * @return when ({@link System#nanoTime()}), to hand to {@link #end}
     */
    long begin() {
        finishing.incrementAndGet();
        return System.nanoTime();
    }

    /**
     * A worker is done finishing: it takes what was left here.
     *
     * @param beganNanos what {@link #begin} returned
     * @return the attempts it takes, oldest first (empty mostly)
     */
    List<Waiting> end(long beganNanos) {
        lastWindowNanos = System.nanoTime() - beganNanos;
        finishing.decrementAndGet();
        return waiting.isEmpty() ? List.of() : drain();
    }

    /**
     * Takes out the attempts left here at least {@code maxWaitNanos} ago, for threads of their own.
     *
     * @param nowNanos {@link System#nanoTime()} now
     */
    List<Waiting> overdue(long nowNanos, long maxWaitNanos) {
        List<Waiting> late = new ArrayList<>(0);
        for (Waiting w : waiting) {
            if (nowNanos - w.sinceNanos() >= maxWaitNanos && waiting.remove(w)) {
                late.add(w);
            }
        }
        return late;
    }

    /**
     * Leaves nothing here from now on, and takes out what waits, for threads of their own. An
     * attempt a caller adds while this runs is still seen by its finishing worker.
     */
    List<Waiting> close() {
        closed = true;
        return drain();
    }

    private List<Waiting> drain() {
        List<Waiting> taken = new ArrayList<>(2);
        for (Waiting w; (w = waiting.poll()) != null; ) {
            taken.add(w);
        }
        return taken;
    }

    /** How many workers are finishing now. */
    int finishing() {
        return finishing.get();
    }

    /** How many attempts wait here now. */
    int waiting() {
        return waiting.size();
    }
}
