package io.redtask.engine;

import io.redtask.BatchCounts;
import io.redtask.BatchStatus;
import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.NotFoundException;
import io.redtask.QueueNames;
import io.redtask.QueueStats;
import io.redtask.RateLimit;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.BatchStore;
import io.redtask.store.NodeRegistry;
import io.redtask.store.QueueStore;
import io.redtask.store.TaskIds;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What operators do, with every rule that guards it, whether the call comes from Java, JMX or
 * REST: a queue must be known (a server serves it or a task was submitted to it) before it can be
 * read or changed, so a typo cannot create one; values out of range are refused naming the field.
 */
final class AdminOperations implements RedTaskAdmin {

    private static final Logger LOG = Logger.getLogger(AdminOperations.class.getName());
    /** Most tasks one operator's retry or purge moves per script call, so each call stays short. */
    private static final int BATCH = 1_000;
    /** Most tasks one page of a listing holds. */
    static final int MAX_PAGE = 1_000;

    private final QueueStore queues;
    private final NodeRegistry nodes;
    private final Workers workers;
    private final Clock clock;
    private final EngineSettings settings;
    private final FetcherMonitor fetchers;
    private final BatchStore batches;

    AdminOperations(
            QueueStore queues,
            NodeRegistry nodes,
            Workers workers,
            Clock clock,
            EngineSettings settings,
            FetcherMonitor fetchers,
            BatchStore batches) {
        this.fetchers = fetchers;
        this.batches = batches;
        this.queues = queues;
        this.nodes = nodes;
        this.workers = workers;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public List<BatchStatus> batches(String queue, int max) {
        String q = known(queue);
        if (max < 1 || max > MAX_PAGE) {
            throw new InvalidRequestException("limit", "must be 1 to " + MAX_PAGE + ", was " + max);
        }
        List<BatchStatus> out = new java.util.ArrayList<>(batches.running(q, max));
        out.addAll(batches.done(q, max));
        return out;
    }

    @Override
    public List<BatchCounts> batchCounts() {
        return queueNames().stream().map(batches::counts).toList();
    }

    /** {@code queue}, when it is a valid name of a known queue. */
    private String known(String queue) {
        QueueNames.requireValid(queue);
        if (settings.queues().contains(queue)) {
            return queue;
        }
        List<String> names = queues.names();
        if (!names.contains(queue)) {
            throw new NotFoundException("no queue '" + queue + "'; queues: " + names + ". A queue appears when a "
                    + "server takes tasks from it (redtask.queues) or a task is submitted to it");
        }
        return queue;
    }

    @Override
    public List<QueueStats> queues() {
        long now = clock.millis();
        return queues.names().stream().map(q -> queues.stats(q, now)).toList();
    }

    @Override
    public List<String> queueNames() {
        return queues.names();
    }

    @Override
    public QueueStats queue(String name) {
        return queues.stats(known(name), clock.millis());
    }

    @Override
    public void pause(String queue) {
        setPaused(queue, true);
    }

    @Override
    public void resume(String queue) {
        setPaused(queue, false);
    }

    private void setPaused(String queue, boolean paused) {
        queues.setPaused(known(queue), paused);
        LOG.info(() -> "RedTask: queue '" + queue + "' " + (paused ? "paused" : "resumed") + " on all servers");
    }

    @Override
    public void setQueueConcurrency(String queue, Integer limit) {
        known(queue);
        if (limit != null && limit < 0) {
            throw new InvalidRequestException("limit", "must be 0 or more, or null for no limit, was " + limit);
        }
        queues.setConcurrency(queue, limit);
    }

    @Override
    public void setQueueRate(String queue, RateLimit rate) {
        known(queue);
        queues.setRate(queue, rate);
        LOG.info(() -> "RedTask: queue '" + queue + "' rate limit "
                + (rate == null ? "removed" : "set to " + rate + " (starts per window, all servers)"));
    }

    @Override
    public void setGroupConcurrency(String queue, Integer limit) {
        known(queue);
        if (limit != null && limit < 1) {
            throw new InvalidRequestException("limit", "must be 1 or more, or null for no limit, was " + limit);
        }
        queues.setGroupConcurrency(queue, limit);
        LOG.info(() -> "RedTask: queue '" + queue + "' group concurrency "
                + (limit == null ? "removed" : "set to " + limit + " running tasks per group, all servers"));
    }

    @Override
    public Map<String, Long> throttledWaits() {
        return fetchers.throttledWaits();
    }

    @Override
    public List<TaskStatus> deadTasks(String queue, int offset, int limit) {
        return tasks(queue, TaskState.DEAD, offset, limit);
    }

    @Override
    public List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit) {
        if (offset < 0) {
            throw new InvalidRequestException("offset", "must be 0 or more, was " + offset);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidRequestException("limit", "must be between 1 and " + MAX_PAGE + ", was " + limit);
        }
        if (state == null || (state.isFinal() && state != TaskState.DEAD)) {
            throw new InvalidRequestException(
                    "state",
                    "must be queued, scheduled, running or dead (finished tasks " + "are kept in no list), was "
                            + (state == null ? "null" : state.wireName()));
        }
        return queues.tasks(known(queue), state, offset, limit);
    }

    @Override
    public int retryDead(String queue) {
        known(queue);
        int total = 0;
        for (int n; (n = queues.retryDead(queue, null, BATCH, clock.millis())) > 0; ) {
            total += n;
        }
        if (total > 0) {
            int moved = total;
            LOG.info(() -> "RedTask: queue '" + queue + "': " + moved + " dead tasks sent back to the queue");
        }
        return total;
    }

    @Override
    public boolean retryDeadTask(String id) {
        return queues.retryDead(TaskIds.queueOf(id), id, 1, clock.millis()) == 1;
    }

    @Override
    public int purgeDead(String queue) {
        known(queue);
        int total = 0;
        for (int n; (n = queues.purgeDead(queue, null, BATCH)) > 0; ) {
            total += n;
        }
        if (total > 0) {
            int purged = total;
            LOG.info(() -> "RedTask: queue '" + queue + "': " + purged + " dead tasks purged");
        }
        return total;
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes.nodes(clock.millis());
    }

    @Override
    public void setConcurrency(String nodeId, int concurrency) {
        if (settings.nodeId().equals(nodeId) || "local".equals(nodeId)) {
            setConcurrency(concurrency);
            return;
        }
        NodeInfo node = nodes().stream()
                .filter(n -> n.nodeId().equals(nodeId))
                .findFirst()
                .orElseThrow(() -> new InvalidRequestException(
                        "nodeId",
                        "no server '" + nodeId + "' is alive (the servers list names them; \"local\" is this server)"));
        if (concurrency < 0 || concurrency > node.maxConcurrency()) {
            throw new InvalidRequestException(
                    "concurrency",
                    "must be between 0 and " + node.maxConcurrency() + " on server '" + nodeId + "', was "
                            + concurrency);
        }
        nodes.requestConcurrency(nodeId, concurrency);
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public int concurrency() {
        return workers.concurrency();
    }

    @Override
    public void setConcurrency(int concurrency) {
        workers.setConcurrency(concurrency);
    }

    @Override
    public int maxConcurrency() {
        return workers.maxConcurrency();
    }

    @Override
    public int busy() {
        return workers.busy();
    }

    @Override
    public boolean workersPaused() {
        return workers.paused();
    }

    @Override
    public void pauseWorkers() {
        workers.pause();
    }

    @Override
    public void resumeWorkers() {
        workers.resume();
    }

    @Override
    public long completedCount() {
        return workers.completed();
    }

    @Override
    public long failedCount() {
        return workers.failed();
    }
}
