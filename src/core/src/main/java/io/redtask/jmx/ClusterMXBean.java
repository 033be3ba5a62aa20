package io.redtask.jmx;

import java.util.List;

/** The servers running workers, from their heartbeats in Redis: {@code io.redtask:type=Cluster}. */
public interface ClusterMXBean {

    /** The servers alive now. */
    List<ServerView> getServers();

    /** How many servers are alive. */
    int getServerCount();

    /** Tasks the servers can run at once, added up. */
    int getTotalConcurrency();

    /** Tasks running on all servers. */
    int getTotalBusy();
}
