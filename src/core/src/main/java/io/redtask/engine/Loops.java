package io.redtask.engine;

import io.redtask.StoreUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine's own loops on the housekeeping executor: the fetchers, the periodic jobs (lease
 * keeper, reaper, watchdog, cron) and the completion watcher. A job that throws is logged and
 * runs again next time: a periodic task that throws is otherwise never run again.
 */
final class Loops {

    private static final Logger LOG = Logger.getLogger(Loops.class.getName());

    private final ScheduledExecutorService executor;
    private final Lifecycle lifecycle;
    private final List<Future<?>> running = new ArrayList<>();
    private Future<?> watcher;

    Loops(ScheduledExecutorService executor, Lifecycle lifecycle) {
        this.executor = executor;
        this.lifecycle = lifecycle;
    }

    /** Runs {@code loop} (a fetcher) until it returns by itself. */
    synchronized void start(Runnable loop) {
        running.add(executor.submit(loop));
    }

    /** Runs {@code job} every {@code interval} while the engine runs. */
    synchronized void every(Duration interval, String what, Runnable job) {
        long ms = interval.toMillis();
        running.add(executor.scheduleWithFixedDelay(guard(what, job, true), ms, ms, TimeUnit.MILLISECONDS));
    }

    /**
     * Runs {@code job} every {@code interval} from the first call on, whether or not the engine's
     * workers run (waiting for a task is not working on one); later calls do nothing.
     */
    synchronized void watchOnce(Duration interval, String what, Runnable job) {
        if (watcher == null) {
            watcher = executor.scheduleWithFixedDelay(
                    guard(what, job, false), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Cancels the watcher loop (stop). */
    synchronized void cancelWatcher() {
        if (watcher != null) {
            watcher.cancel(false);
        }
    }

    /** Cancels every loop but the watcher; a fetcher in a blocking wait leaves at its next turn. */
    synchronized void cancelAll() {
        running.forEach(f -> f.cancel(false));
    }

    private Runnable guard(String what, Runnable job, boolean onlyWhileRunning) {
        return () -> {
            if (onlyWhileRunning && !lifecycle.isRunning()) {
                return;
            }
            try {
                job.run();
            } catch (StoreUnavailableException e) {
                LOG.fine(() -> "RedTask: " + what + " skipped a round: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "RedTask: " + what + " failed", e);
            }
        };
    }
}
