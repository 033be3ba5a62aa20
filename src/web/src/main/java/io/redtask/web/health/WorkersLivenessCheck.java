package io.redtask.web.health;

import io.redtask.RedTaskHealth;
import io.redtask.WorkerHealth;
import io.redtask.cdi.RedTaskConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Liveness ({@code /health/live}, check {@code redtask-workers}): DOWN when this server's
 * workers are wedged and only a restart helps:
 * <ul>
 *   <li>a fetcher has not gone round its loop for longer than {@code redtask.health.fetcher-stall}
 *       (default PT30S; it goes round at least every poll interval, 1 s by default, even while
 *       paused or while Redis is down), or</li>
 *   <li>every worker slot is held by a task that timed out and whose handler has not returned.</li>
 * </ul>
 * Redis being down is not a liveness problem (a restart would not fix it): see readiness.
 */
@Liveness
@ApplicationScoped
public class WorkersLivenessCheck implements HealthCheck {

    static final String NAME = "redtask-workers";

    /** What the engine reports for a fetcher that has not gone round even once. */
    private static final long NEVER = Long.MAX_VALUE / 4;

    @Inject
    RedTaskHealth health;

    @Inject
    Provider<RedTaskConfig.Web> web;

    /** When this check first saw a fetcher that had never gone round (0: not seen). */
    private final AtomicLong neverSince = new AtomicLong();

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(NAME);
        WorkerHealth h;
        try {
            h = health.workers();
        } catch (RuntimeException e) {
            // Bad configuration or Redis details: readiness reports it; restarting will not help.
            return r.up().withData("engine", "not built: " + e.getMessage()).build();
        }
        long stallLimit = web.get().fetcherStall().toMillis();
        long idle = h.fetcherIdleMillis();
        if (idle >= NEVER) {
            // Started, but a fetcher has not begun yet: give it the same allowance from now.
            long now = System.nanoTime();
            neverSince.compareAndSet(0, now);
            idle = Duration.ofNanos(now - neverSince.get()).toMillis();
        } else {
            neverSince.set(0);
        }
        r.up().withData("running", h.running())
                .withData("workersPaused", h.workersPaused())
                .withData("concurrency", h.concurrency())
                .withData("busy", h.busy())
                .withData("fetcherIdleMillis", idle)
                .withData("stuckTasks", h.stuckTasks());
        if (!h.running()) {
            return r.withData("workers", "not running (redtask.workers.enabled=false, or stopping)")
                    .build();
        }
        if (idle > stallLimit) {
            r.down()
                    .withData(
                            "problem",
                            "a fetcher has not gone round its loop for " + idle + " ms (limit " + stallLimit
                                    + " ms, redtask.health.fetcher-stall): its thread is stuck; restart the server");
        }
        if (h.concurrency() > 0 && h.stuckTasks() >= h.concurrency()) {
            r.down()
                    .withData(
                            "stuck",
                            "all " + h.concurrency() + " worker slots are held by tasks that timed out "
                                    + "and have not returned (handlers that ignore interrupts); restart the server");
        }
        return r.build();
    }
}
