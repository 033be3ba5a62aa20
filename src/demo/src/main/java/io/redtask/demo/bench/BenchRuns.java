package io.redtask.demo.bench;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskEvent;
import io.redtask.TaskScheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-Liberty benchmark of {@code scripts/bench}: submits N {@code noop} tasks from inside the
 * server (the way an application does, through the injected {@link TaskScheduler}) and waits until
 * this server's workers (on the ManagedExecutorService) have finished them all, counted from the
 * engine's {@link TaskEvent}s. The same measure as the in-process bench: N / (last task succeeded -
 * first submit started).
 *
 * <p>One run at a time: while a run is going, every {@code noop} task that succeeds on this server
 * counts towards it, so nothing else should submit {@code noop} tasks meanwhile.
 */
@ApplicationScoped
public class BenchRuns {

    /** The longest a run may take before it is reported unfinished. */
    static final long TIMEOUT_SECONDS = 120;

    @Inject
    TaskScheduler scheduler;

    // The run being measured, or null; read on every task event (worker threads).
    private volatile Run current;

    /** Counts the completions of one run. */
    private static final class Run {
        final CountDownLatch all;
        final AtomicInteger done = new AtomicInteger();
        final AtomicLong lastDone = new AtomicLong();

        Run(int n) {
            all = new CountDownLatch(n);
        }
    }

    /** What one run measured. */
    public record Result(int n, int completed, boolean finished, double e2ePerSecond, double enqueuePerSecond) {}

    void onTask(@Observes TaskEvent e) {
        Run run = current;
        if (run != null && e.kind() == TaskEvent.Kind.SUCCEEDED && "noop".equals(e.type())) {
            run.lastDone.set(System.nanoTime());
            run.done.incrementAndGet();
            run.all.countDown();
        }
    }

    /**
     * Submits {@code n} noop tasks (in batches of {@code bulk} with {@code submitAll}, or one
     * {@code submit} each) and waits for them.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public synchronized Result run(int n, boolean bulkMode, int bulk) throws InterruptedException {
        Run run = new Run(n);
        current = run;
        try {
            long start = System.nanoTime();
            if (bulkMode) {
                for (int from = 0; from < n; from += bulk) {
                    List<Submission> batch = new ArrayList<>(bulk);
                    for (int i = from; i < Math.min(n, from + bulk); i++) {
                        batch.add(new Submission("noop", i, SubmitOptions.defaults()));
                    }
                    scheduler.submitAll(batch);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    scheduler.submit("noop", i);
                }
            }
            long enqueued = System.nanoTime();
            boolean finished = run.all.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long end = finished ? run.lastDone.get() : System.nanoTime();
            return new Result(
                    n,
                    run.done.get(),
                    finished,
                    run.done.get() / ((end - start) / 1e9),
                    n / ((enqueued - start) / 1e9));
        } finally {
            current = null;
        }
    }
}
