package io.redtask.store;

import io.redtask.NodeInfo;

import java.util.List;

/** The servers that run workers: their heartbeats, and the concurrency changes operators ask of them. */
public interface NodeRegistry {

    /** Records this server's heartbeat, which expires after {@code ttlMillis} unless renewed. */
    void heartbeat(NodeInfo node, long ttlMillis);

    /** Servers whose heartbeat has not expired. */
    List<NodeInfo> nodes(long now);

    /** Asks server {@code nodeId} to change its concurrency at its next heartbeat. */
    void requestConcurrency(String nodeId, int concurrency);

    /** Takes the concurrency asked of this server, if any (it is asked once). */
    Integer takeRequestedConcurrency(String nodeId);

    /** Forgets a server (it stopped). */
    void remove(String nodeId);
}
