package io.redtask.testing;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of a test's engine, in place of Liberty's managed executors: workers for handlers
 * (unbounded: the engine's own slots decide how many run) and a scheduled pool for its loops
 * (a thread per queue for the blocking fetchers, and four for leases, recovery, timeouts and cron).
 */
final class TestExecutors implements AutoCloseable {

    private final ExecutorService workers = Executors.newCachedThreadPool(named("redtask-test-worker"));
    private final ScheduledExecutorService housekeeping;

    TestExecutors(int queues) {
        housekeeping = Executors.newScheduledThreadPool(queues + 4, named("redtask-test-loop"));
    }

    ExecutorService workers() {
        return workers;
    }

    ScheduledExecutorService housekeeping() {
        return housekeeping;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        housekeeping.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            housekeeping.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Daemon threads, so a test run that forgets to stop an engine still ends. */
    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
