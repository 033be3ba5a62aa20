package io.redtask.engine;

import java.time.Clock;

/**
 * Ends attempts that run past their timeout: records the attempt as failed (so the task is
 * retried or dead right away, not when the handler gets round to returning) and interrupts the
 * handler. Its worker slot stays taken until the handler really returns.
 */
final class Watchdog {

    private final Workers workers;
    private final Processor processor;
    private final Clock clock;

    Watchdog(Workers workers, Processor processor, Clock clock) {
        this.workers = workers;
        this.processor = processor;
        this.clock = clock;
    }

    void check() {
        long now = clock.millis();
        for (RunContext run : workers.running()) {
            if (now >= run.deadlineMillis() && run.stop(StopReason.TIMED_OUT)) {
                processor.timedOut(run);
            }
        }
    }

    /** Attempts that timed out but whose handlers have not returned, each holding a worker thread. */
    int stuck() {
        return (int) workers.running().stream().filter(r -> r.stopReason() == StopReason.TIMED_OUT).count();
    }
}
