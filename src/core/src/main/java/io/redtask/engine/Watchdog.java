package io.redtask.engine;

import java.time.Clock;
import java.util.logging.Logger;

/**
 * Stops attempts that must not go on:
 * <ul>
 *   <li>past their timeout: records the attempt as failed (so the task is retried or dead right
 *       away, not when the handler gets round to returning) and interrupts the handler;</li>
 *   <li>near the end of this server's lease, by its own clock (self-fencing): renewals have
 *       failed for that long (Redis unreachable, this server stalled), so another server may take
 *       the task over at the deadline. The handler is interrupted and told so
 *       ({@link io.redtask.TaskContext#isLeaseLost()}) a margin before, and its result is not
 *       recorded, so two servers do not run the task at once.</li>
 * </ul>
 * The worker slot stays taken until the handler really returns. It also starts on threads of their
 * own the attempts a submit left for a worker that is slow to finish ({@link Workers#startOverdue}).
 */
final class Watchdog {

    private static final Logger LOG = Logger.getLogger(Watchdog.class.getName());

    /**
     * Longest a relayed attempt waits for its finishing worker before the watchdog starts it
     * elsewhere: an outcome write takes well under a millisecond when Redis answers.
     */
    static final long RELAY_WAIT_MILLIS = 2;

    private final Workers workers;
    private final Processor processor;
    private final Clock clock;
    private final long fenceMargin;

    Watchdog(Workers workers, Processor processor, Clock clock, EngineSettings settings) {
        this.workers = workers;
        this.processor = processor;
        this.clock = clock;
        // Half a heartbeat: renewals come every heartbeat, so a healthy server is never this close.
        this.fenceMargin = Math.max(1, settings.heartbeatInterval().toMillis() / 2);
    }

    void check() {
        // Attempts a submit left for a worker that is slow to finish (Redis slow to take an
        // outcome) start on threads of their own: a relayed task waits a moment, not for an outage.
        workers.startOverdue(RELAY_WAIT_MILLIS);
        long now = clock.millis();
        for (RunContext run : workers.running()) {
            if (run.hasReturned()) {
                // Its outcome is being written; that write stops by itself at the lease's end.
                continue;
            }
            if (now >= run.deadlineMillis() && run.stop(StopReason.TIMED_OUT)) {
                processor.timedOut(run);
            } else if (now >= run.leaseDeadline() - fenceMargin && run.stop(StopReason.LEASE_LOST)) {
                LOG.warning("RedTask: task " + run.taskId() + ": this server could not renew its lease in time (Redis "
                        + "unreachable, or the server stalled); its handler was interrupted and its result will "
                        + "not be recorded, as another server may take the task over");
            }
        }
    }

    /** Attempts that timed out but whose handlers have not returned, each holding a worker thread. */
    int stuck() {
        return (int) workers.running().stream()
                .filter(r -> r.stopReason() == StopReason.TIMED_OUT)
                .count();
    }
}
