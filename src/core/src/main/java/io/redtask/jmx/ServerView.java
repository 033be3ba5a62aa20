package io.redtask.jmx;

import io.redtask.NodeInfo;

import java.beans.ConstructorProperties;

/** One server in {@link ClusterMXBean#getServers()} (a JavaBean so JMX can show it as a table row). */
public final class ServerView {

    private final String nodeId;
    private final String queues;
    private final int concurrency;
    private final int busy;
    private final boolean paused;
    private final long completed;
    private final long failed;
    private final String lastSeen;

    @ConstructorProperties({"nodeId", "queues", "concurrency", "busy", "paused", "completed", "failed", "lastSeen"})
    public ServerView(
            String nodeId,
            String queues,
            int concurrency,
            int busy,
            boolean paused,
            long completed,
            long failed,
            String lastSeen) {
        this.nodeId = nodeId;
        this.queues = queues;
        this.concurrency = concurrency;
        this.busy = busy;
        this.paused = paused;
        this.completed = completed;
        this.failed = failed;
        this.lastSeen = lastSeen;
    }

    static ServerView of(NodeInfo n) {
        return new ServerView(
                n.nodeId(),
                String.join(",", n.queues()),
                n.concurrency(),
                n.busy(),
                n.paused(),
                n.completed(),
                n.failed(),
                String.valueOf(n.lastSeen()));
    }

    public String getNodeId() {
        return nodeId;
    }

    public String getQueues() {
        return queues;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public int getBusy() {
        return busy;
    }

    public boolean isPaused() {
        return paused;
    }

    public long getCompleted() {
        return completed;
    }

    public long getFailed() {
        return failed;
    }

    public String getLastSeen() {
        return lastSeen;
    }
}
