package io.redtask.web.metrics;

import io.redtask.BatchCounts;
import io.redtask.QueueStats;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskEvent;
import io.redtask.cdi.RedTaskConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * RedTask's application metrics at {@code /metrics} (Prometheus names in brackets):
 * <ul>
 *   <li>per queue, gauges read from Redis (cached for {@code redtask.metrics.cache}, default
 *       PT2S, so scrapes do not hammer Redis): {@code redtask.queue.ready}, {@code .scheduled},
 *       {@code .running}, {@code .dead}, {@code .paused} (1/0), {@code .rate.limit} and
 *       {@code .group.concurrency} (-1 for none), {@code .rate.window} (seconds), tag {@code queue}
 *       [{@code redtask_queue_ready{queue="default"}}]; {@code redtask.redis.up} (1/0) and
 *       {@code redtask.queues} (how many queues). A gauge reads NaN while Redis is unreachable.
 *       A queue used for the first time since the server started gets its gauges at the first
 *       read after that (so at the next scrape).</li>
 *   <li>per queue, from this server: {@code redtask.queue.throttled.waits}, how often its fetchers
 *       found the queue's rate limit used up and waited for the next start.</li>
 *   <li>per queue and task type, from this server's {@link TaskEvent}s: counters
 *       {@code redtask.tasks.completed}, {@code redtask.tasks.failed} (failed attempts),
 *       {@code redtask.tasks.dead}, {@code redtask.tasks.cancelled}
 *       [{@code redtask_tasks_completed_total}], and timers {@code redtask.task.wait} (due time to
 *       start) and {@code redtask.task.run} (run time) [{@code redtask_task_run_seconds_count},
 *       {@code _sum}, {@code _max}].</li>
 *   <li>per queue, batch gauges read from Redis with the queue gauges: {@code redtask.batches.running}
 *       and {@code redtask.batches.done} (all batches done so far) [{@code redtask_batches_running{queue="default"}}].</li>
 * </ul>
 */
@ApplicationScoped
public class RedTaskMetrics {

    private static final Logger LOG = Logger.getLogger(RedTaskMetrics.class.getName());

    @Inject
    MetricRegistry registry;

    @Inject
    RedTaskAdmin admin;

    @Inject
    Provider<RedTaskConfig.Web> web;

    private final Set<String> queuesWithGauges = ConcurrentHashMap.newKeySet();
    private volatile boolean baseRegistered;
    private volatile Snapshot snapshot = new Snapshot(Long.MIN_VALUE / 2, Map.of(), Map.of(), false);
    private boolean outageLogged;

    /** One reading of all queues. */
    private record Snapshot(
            long takenAtNanos, Map<String, QueueStats> queues, Map<String, BatchCounts> batches, boolean redisUp) {}

    void onStartup(@Observes Startup event) {
        registerBase();
        current();
    }

    void onTask(@Observes TaskEvent e) {
        registerBase();
        Tag queue = new Tag("queue", e.queue());
        Tag type = new Tag("type", e.type() == null ? "" : e.type());
        switch (e.kind()) {
            case SUCCEEDED ->
                registry.counter(
                                meta("redtask.tasks.completed", "Tasks completed on this server", MetricUnits.NONE),
                                queue,
                                type)
                        .inc();
            case FAILED_WILL_RETRY ->
                registry.counter(
                                meta(
                                        "redtask.tasks.failed",
                                        "Failed attempts on this server (retried or dead)",
                                        MetricUnits.NONE),
                                queue,
                                type)
                        .inc();
            case DEAD -> {
                registry.counter(
                                meta(
                                        "redtask.tasks.failed",
                                        "Failed attempts on this server (retried or dead)",
                                        MetricUnits.NONE),
                                queue,
                                type)
                        .inc();
                registry.counter(
                                meta(
                                        "redtask.tasks.dead",
                                        "Tasks that went to the dead set from this server",
                                        MetricUnits.NONE),
                                queue,
                                type)
                        .inc();
            }
            case CANCELLED ->
                registry.counter(
                                meta("redtask.tasks.cancelled", "Tasks cancelled on this server", MetricUnits.NONE),
                                queue,
                                type)
                        .inc();
        }
        if (e.waitMillis() >= 0) {
            registry.timer(
                            meta(
                                    "redtask.task.wait",
                                    "Time from a task's due time to the start of its attempt",
                                    MetricUnits.SECONDS),
                            queue,
                            type)
                    .update(Duration.ofMillis(e.waitMillis()));
        }
        if (e.runMillis() >= 0) {
            registry.timer(meta("redtask.task.run", "How long an attempt ran", MetricUnits.SECONDS), queue, type)
                    .update(Duration.ofMillis(e.runMillis()));
        }
        if (!queuesWithGauges.contains(e.queue())) {
            registerQueue(e.queue());
        }
    }

    private static Metadata meta(String name, String description, String unit) {
        return Metadata.builder()
                .withName(name)
                .withDescription(description)
                .withUnit(unit)
                .build();
    }

    private void registerBase() {
        if (baseRegistered) {
            return;
        }
        synchronized (this) {
            if (baseRegistered) {
                return;
            }
            registry.gauge(
                    meta(
                            "redtask.redis.up",
                            "1 when the last reading of the queues from Redis worked",
                            MetricUnits.NONE),
                    () -> current().redisUp() ? 1 : 0);
            registry.gauge(meta("redtask.queues", "How many queues Redis knows", MetricUnits.NONE), () -> {
                Snapshot s = current();
                return s.redisUp() ? (double) s.queues().size() : Double.NaN;
            });
            baseRegistered = true;
        }
    }

    private void registerQueue(String name) {
        if (!queuesWithGauges.add(name)) {
            return;
        }
        Tag queue = new Tag("queue", name);
        gauge(name, queue, "redtask.queue.ready", "Tasks waiting for a worker", QueueStats::ready);
        gauge(
                name,
                queue,
                "redtask.queue.scheduled",
                "Tasks waiting for their time (delay, run-at, retry backoff)",
                QueueStats::scheduled);
        gauge(name, queue, "redtask.queue.running", "Tasks held by workers on all servers", QueueStats::running);
        gauge(name, queue, "redtask.queue.dead", "Tasks in the dead set", QueueStats::dead);
        gauge(
                name,
                queue,
                "redtask.queue.paused",
                "1 when the queue is paused on all servers",
                q -> q.paused() ? 1 : 0);
        gauge(
                name,
                queue,
                "redtask.queue.rate.limit",
                "Most tasks of the queue that start in one window (redtask_queue_rate_window_seconds), all servers; -1 for none",
                q -> q.rate() == null ? -1 : q.rate().limit());
        registry.gauge(
                meta("redtask.queue.rate.window", "The window of the queue's rate limit", MetricUnits.SECONDS),
                () -> {
                    QueueStats q = current().queues().get(name);
                    return q == null || q.rate() == null
                            ? Double.NaN
                            : q.rate().per().toMillis() / 1000.0;
                },
                queue);
        gauge(
                name,
                queue,
                "redtask.queue.group.concurrency",
                "Most running tasks of one group of the queue, all servers; -1 for none",
                q -> q.groupConcurrency() == null ? -1 : q.groupConcurrency());
        // Counted on this server, without Redis: how often its fetchers found the rate limit used up.
        registry.gauge(
                meta(
                        "redtask.queue.throttled.waits",
                        "Times this server's fetchers waited because the queue's rate limit was used up (since start)",
                        MetricUnits.NONE),
                () -> (double) admin.throttledWaits().getOrDefault(name, 0L),
                queue);
        batchGauge(
                name, queue, "redtask.batches.running", "Batches with tasks that have not ended", BatchCounts::running);
        batchGauge(
                name,
                queue,
                "redtask.batches.done",
                "Batches whose tasks have all ended (their callbacks released), in all time",
                BatchCounts::doneTotal);
    }

    private void batchGauge(
            String queueName, Tag queue, String name, String description, ToLongFunction<BatchCounts> value) {
        registry.gauge(
                meta(name, description, MetricUnits.NONE),
                () -> {
                    Snapshot s = current();
                    if (!s.redisUp()) {
                        return Double.NaN;
                    }
                    BatchCounts b = s.batches().get(queueName);
                    return b == null ? 0 : (double) value.applyAsLong(b);
                },
                queue);
    }

    private void gauge(String queueName, Tag queue, String name, String description, ToLongFunction<QueueStats> value) {
        registry.gauge(
                meta(name, description, MetricUnits.NONE),
                () -> {
                    QueueStats q = current().queues().get(queueName);
                    return q == null ? Double.NaN : (double) value.applyAsLong(q);
                },
                queue);
    }

    /** The cached reading, refreshed when older than {@code redtask.metrics.cache}. */
    private Snapshot current() {
        Snapshot s = snapshot;
        if (System.nanoTime() - s.takenAtNanos() < web.get().metricsCache().toNanos()) {
            return s;
        }
        synchronized (this) {
            s = snapshot;
            long now = System.nanoTime();
            if (now - s.takenAtNanos() < web.get().metricsCache().toNanos()) {
                return s;
            }
            try {
                Map<String, QueueStats> byName =
                        admin.queues().stream().collect(Collectors.toMap(QueueStats::name, q -> q, (a, b) -> a));
                Map<String, BatchCounts> batches =
                        admin.batchCounts().stream().collect(Collectors.toMap(BatchCounts::queue, b -> b, (a, b) -> a));
                s = new Snapshot(now, byName, batches, true);
                if (outageLogged) {
                    LOG.info("RedTask metrics: Redis answers again");
                    outageLogged = false;
                }
            } catch (RuntimeException e) {
                // Redis down (StoreUnavailableException) or the engine not built: NaN until it answers.
                s = new Snapshot(now, Map.of(), Map.of(), false);
                if (!outageLogged) {
                    LOG.warning("RedTask metrics: cannot read the queues (" + e.getMessage()
                            + "); queue gauges read NaN until Redis answers");
                    outageLogged = true;
                }
            }
            snapshot = s;
        }
        for (String name : s.queues().keySet()) {
            if (!queuesWithGauges.contains(name)) {
                registerQueue(name);
            }
        }
        return s;
    }
}
