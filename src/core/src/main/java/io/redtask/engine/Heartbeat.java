package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.store.NodeRegistry;

import java.time.Clock;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Tells the other servers this one is alive, with its figures, and applies a concurrency change
 * an operator asked of it from another server.
 */
final class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final NodeRegistry nodes;
    private final Workers workers;
    private final Clock clock;
    private final EngineSettings settings;
    private volatile Instant startedAt;
    /**
     * Whether this server has left ({@link #leave()}); guarded by {@code this}. A beat already on its
     * way when the server stops must not write the server back after its record was removed: the
     * others would count a stopped server as alive until the record expired.
     */
    private boolean left;

    Heartbeat(NodeRegistry nodes, Workers workers, Clock clock, EngineSettings settings) {
        this.nodes = nodes;
        this.workers = workers;
        this.clock = clock;
        this.settings = settings;
    }

    synchronized void started() {
        startedAt = Instant.ofEpochMilli(clock.millis());
        left = false;
    }

    /** Writes this server's record with its figures; nothing once it has left. */
    synchronized void beat() {
        if (left) {
            return;
        }
        Integer asked = nodes.takeRequestedConcurrency(settings.nodeId());
        if (asked != null) {
            try {
                workers.setConcurrency(asked);
            } catch (InvalidRequestException e) {
                LOG.warning("RedTask: ignored a concurrency change asked from elsewhere: " + e.getMessage());
            }
        }
        long now = clock.millis();
        nodes.heartbeat(
                new NodeInfo(
                        settings.nodeId(),
                        settings.queues(),
                        workers.concurrency(),
                        workers.maxConcurrency(),
                        workers.busy(),
                        workers.paused(),
                        workers.completed(),
                        workers.failed(),
                        startedAt,
                        Instant.ofEpochMilli(now)),
                settings.nodeTtl().toMillis());
    }

    /** Forgets this server (it stops), after any beat on its way; later beats write nothing. */
    synchronized void leave() {
        left = true;
        try {
            nodes.remove(settings.nodeId());
        } catch (RuntimeException e) {
            LOG.fine(() -> "RedTask: could not remove this node's heartbeat: " + e.getMessage());
        }
    }
}
