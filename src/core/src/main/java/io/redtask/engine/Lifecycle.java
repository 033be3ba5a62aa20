package io.redtask.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the engine runs, and the stop signal its loops wait on: a loop that waits with
 * {@link #await(long)} wakes at once when the engine starts stopping, rather than at the end of
 * its wait (Liberty does not interrupt its threads on stop).
 */
final class Lifecycle {

    private enum Phase {
        NEW,
        RUNNING,
        STOPPING,
        STOPPED
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    /** Moves from new to running. @return false when it had started before */
    boolean start() {
        return phase.compareAndSet(Phase.NEW, Phase.RUNNING);
    }

    /**
     * Moves from running to stopping and wakes every waiting loop.
     *
     * @return false when it was not running (a never-started engine is marked stopped)
     */
    boolean beginStop() {
        if (!phase.compareAndSet(Phase.RUNNING, Phase.STOPPING)) {
            phase.compareAndSet(Phase.NEW, Phase.STOPPED);
            return false;
        }
        stopSignal.countDown();
        return true;
    }

    void stopped() {
        phase.set(Phase.STOPPED);
    }

    /** Started and not stopping. */
    boolean isRunning() {
        return phase.get() == Phase.RUNNING;
    }

    /** Waits {@code millis} or until the engine starts stopping, whichever comes first. */
    void await(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
