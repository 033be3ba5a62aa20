package io.redtask.cdi;

import io.redtask.NodeInfo;
import io.redtask.QueueStats;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/** The {@link RedTaskAdmin} that {@code @Inject RedTaskAdmin} gets: this application's engine. */
@ApplicationScoped
public class CdiRedTaskAdmin implements RedTaskAdmin {

    @Inject
    RedTaskRuntime runtime;

    private RedTaskAdmin admin() {
        return runtime.engine();
    }

    @Override
    public List<QueueStats> queues() {
        return admin().queues();
    }

    @Override
    public List<String> queueNames() {
        return admin().queueNames();
    }

    @Override
    public QueueStats queue(String name) {
        return admin().queue(name);
    }

    @Override
    public void pause(String queue) {
        admin().pause(queue);
    }

    @Override
    public void resume(String queue) {
        admin().resume(queue);
    }

    @Override
    public void setQueueConcurrency(String queue, Integer limit) {
        admin().setQueueConcurrency(queue, limit);
    }

    @Override
    public List<TaskStatus> deadTasks(String queue, int offset, int limit) {
        return admin().deadTasks(queue, offset, limit);
    }

    @Override
    public List<TaskStatus> tasks(String queue, io.redtask.TaskState state, int offset, int limit) {
        return admin().tasks(queue, state, offset, limit);
    }

    @Override
    public int retryDead(String queue) {
        return admin().retryDead(queue);
    }

    @Override
    public boolean retryDeadTask(String id) {
        return admin().retryDeadTask(id);
    }

    @Override
    public int purgeDead(String queue) {
        return admin().purgeDead(queue);
    }

    @Override
    public List<NodeInfo> nodes() {
        return admin().nodes();
    }

    @Override
    public void setConcurrency(String nodeId, int concurrency) {
        admin().setConcurrency(nodeId, concurrency);
    }

    @Override
    public String nodeId() {
        return admin().nodeId();
    }

    @Override
    public int concurrency() {
        return admin().concurrency();
    }

    @Override
    public void setConcurrency(int concurrency) {
        admin().setConcurrency(concurrency);
    }

    @Override
    public int maxConcurrency() {
        return admin().maxConcurrency();
    }

    @Override
    public int busy() {
        return admin().busy();
    }

    @Override
    public boolean workersPaused() {
        return admin().workersPaused();
    }

    @Override
    public void pauseWorkers() {
        admin().pauseWorkers();
    }

    @Override
    public void resumeWorkers() {
        admin().resumeWorkers();
    }

    @Override
    public long completedCount() {
        return admin().completedCount();
    }

    @Override
    public long failedCount() {
        return admin().failedCount();
    }
}
