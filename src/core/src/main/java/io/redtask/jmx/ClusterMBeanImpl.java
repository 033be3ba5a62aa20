package io.redtask.jmx;

import io.redtask.NodeInfo;
import io.redtask.RedTaskAdmin;

import java.util.List;

/** The cluster's MBean: the servers whose heartbeats are fresh. */
final class ClusterMBeanImpl implements ClusterMXBean {

    private final RedTaskAdmin admin;

    ClusterMBeanImpl(RedTaskAdmin admin) {
        this.admin = admin;
    }

    @Override
    public List<ServerView> getServers() {
        return admin.nodes().stream().map(ServerView::of).toList();
    }

    @Override
    public int getServerCount() {
        return admin.nodes().size();
    }

    @Override
    public int getTotalConcurrency() {
        return admin.nodes().stream().mapToInt(NodeInfo::concurrency).sum();
    }

    @Override
    public int getTotalBusy() {
        return admin.nodes().stream().mapToInt(NodeInfo::busy).sum();
    }
}
