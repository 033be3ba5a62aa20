package io.redtask.jmx;

import io.redtask.RedTaskAdmin;

/** This server's workers' MBean. */
final class WorkersMBeanImpl implements WorkersMXBean {

    private final RedTaskAdmin admin;

    WorkersMBeanImpl(RedTaskAdmin admin) {
        this.admin = admin;
    }

    @Override
    public int getConcurrency() {
        return admin.concurrency();
    }

    @Override
    public void setConcurrency(int concurrency) {
        // IllegalArgumentException reaches JConsole as the reason: "... the worker executor's limit".
        admin.setConcurrency(concurrency);
    }

    @Override
    public int getMaxConcurrency() {
        return admin.maxConcurrency();
    }

    @Override
    public int getBusy() {
        return admin.busy();
    }

    @Override
    public boolean isPaused() {
        return admin.workersPaused();
    }

    @Override
    public String getNodeId() {
        return admin.nodeId();
    }

    @Override
    public long getCompleted() {
        return admin.completedCount();
    }

    @Override
    public long getFailed() {
        return admin.failedCount();
    }

    @Override
    public void pause() {
        admin.pauseWorkers();
    }

    @Override
    public void resume() {
        admin.resumeWorkers();
    }
}
