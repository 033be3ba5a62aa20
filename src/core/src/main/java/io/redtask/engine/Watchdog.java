package io.redtask.engine;

import java.time.Duration;

/**
 * Ends attempts that run past their timeout: records the attempt as failed (so the task is
 * retried or dead right away, not when the handler gets round to returning) and interrupts the
 * handler. Its worker slot stays taken until the handler really returns.
 */
final class Watchdog {

    private final RedTaskEngine engine;

    Watchdog(RedTaskEngine engine) {
        this.engine = engine;
    }

    void check() {
        long now = engine.clock().millis();
        for (RunContext run : engine.runningTasks()) {
            if (now >= run.deadlineMillis() && run.stop("timed out")) {
                engine.processor().fail(run, "timed out after " + Duration.ofMillis(run.task().timeoutMillis()), true);
            }
        }
    }
}
