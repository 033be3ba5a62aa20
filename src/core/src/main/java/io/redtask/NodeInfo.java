package io.redtask;

import java.time.Instant;
import java.util.List;

/**
 * A server running RedTask workers, as its last heartbeat in Redis described it.
 *
 * @param nodeId      its id
 * @param queues      the queues its workers take tasks from
 * @param concurrency how many tasks it may run at once
 * @param maxConcurrency the ceiling of its concurrency
 * @param busy        how many it ran at its last heartbeat
 * @param paused      whether its workers are paused (on that server only)
 * @param completed   tasks it completed since it started
 * @param failed      failed attempts on it since it started
 * @param startedAt   when it started
 * @param lastSeen    its last heartbeat
 */
public record NodeInfo(
        String nodeId,
        List<String> queues,
        int concurrency,
        int maxConcurrency,
        int busy,
        boolean paused,
        long completed,
        long failed,
        Instant startedAt,
        Instant lastSeen) {}
