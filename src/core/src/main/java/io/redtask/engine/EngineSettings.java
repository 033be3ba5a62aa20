package io.redtask.engine;

import io.redtask.QueueNames;

import java.time.Duration;
import java.util.List;

/**
 * How an engine behaves. Durations must be positive.
 *
 * @param nodeId            this server's name in Redis (owner of its leases)
 * @param queues            the queues this server's workers take tasks from
 * @param concurrency       how many tasks run at once on this server
 * @param lease             how long a claim holds a task without a heartbeat
 * @param heartbeatInterval how often held leases are extended (well under {@code lease})
 * @param reaperInterval    how often expired leases are looked for
 * @param pollInterval      longest blocking wait on Redis, so stop and due times are seen
 * @param claimBatch        most tasks claimed in one round trip
 * @param shutdownGrace     how long stop waits for running tasks before handing them back
 * @param keepSucceeded     how long succeeded tasks and their results are kept
 * @param keepDead          how long dead tasks are kept
 * @param maxStalls         lost leases a task survives before it is dead
 * @param backoff           waits between attempts
 */
public record EngineSettings(String nodeId, List<String> queues, int concurrency, Duration lease,
                             Duration heartbeatInterval, Duration reaperInterval, Duration pollInterval,
                             int claimBatch, Duration shutdownGrace, Duration keepSucceeded, Duration keepDead,
                             int maxStalls, RetryBackoff backoff) {

    public EngineSettings {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (queues == null || queues.isEmpty()) {
            throw new IllegalArgumentException("at least one queue is needed");
        }
        queues = List.copyOf(queues);
        queues.forEach(QueueNames::requireValid);
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency must be 0 or more, was " + concurrency);
        }
        if (claimBatch < 1) {
            throw new IllegalArgumentException("claimBatch must be at least 1");
        }
        if (maxStalls < 0) {
            throw new IllegalArgumentException("maxStalls must be 0 or more");
        }
        for (Duration d : List.of(lease, heartbeatInterval, reaperInterval, pollInterval, keepSucceeded, keepDead)) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
        if (heartbeatInterval.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than the lease (" + lease + ")");
        }
    }

    /** Defaults: queue {@code default}, 8 workers, 30 s lease renewed every 10 s, 24 h / 7 d retention. */
    public static EngineSettings defaults(String nodeId) {
        return new EngineSettings(nodeId, List.of("default"), 8, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofSeconds(1), 32, Duration.ofSeconds(20), Duration.ofHours(24),
                Duration.ofDays(7), 3, RetryBackoff.DEFAULT);
    }

    public EngineSettings withNodeId(String id) {
        return new EngineSettings(id, queues, concurrency, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withQueues(List<String> q) {
        return new EngineSettings(nodeId, q, concurrency, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withConcurrency(int c) {
        return new EngineSettings(nodeId, queues, c, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withLease(Duration l, Duration heartbeat) {
        return new EngineSettings(nodeId, queues, concurrency, l, heartbeat, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withReaperInterval(Duration r) {
        return new EngineSettings(nodeId, queues, concurrency, lease, heartbeatInterval, r, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withPollInterval(Duration p) {
        return new EngineSettings(nodeId, queues, concurrency, lease, heartbeatInterval, reaperInterval, p,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withShutdownGrace(Duration g) {
        return new EngineSettings(nodeId, queues, concurrency, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, g, keepSucceeded, keepDead, maxStalls, backoff);
    }

    public EngineSettings withRetention(Duration succeeded, Duration dead) {
        return new EngineSettings(nodeId, queues, concurrency, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, succeeded, dead, maxStalls, backoff);
    }

    public EngineSettings withBackoff(RetryBackoff b) {
        return new EngineSettings(nodeId, queues, concurrency, lease, heartbeatInterval, reaperInterval, pollInterval,
                claimBatch, shutdownGrace, keepSucceeded, keepDead, maxStalls, b);
    }
}
