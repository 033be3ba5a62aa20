package io.redtask.engine;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches the fetch loops: when each last went round (a healthy one goes round at least every
 * poll interval), whether all have left after a stop, and how often each waited for its queue's
 * rate limit.
 */
final class FetcherMonitor {

    private final Map<String, Long> beats = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> throttled = new ConcurrentHashMap<>();
    private volatile CountDownLatch left;

    /** Called once before {@code count} fetchers start. */
    void expect(int count) {
        left = new CountDownLatch(count);
    }

    void alive(String queue) {
        beats.put(queue, System.nanoTime());
    }

    /** A fetcher of {@code queue} found tasks it could not start yet: the queue's rate limit was used up. */
    void throttled(String queue) {
        throttled.computeIfAbsent(queue, q -> new LongAdder()).increment();
    }

    /** How many times this server's fetchers waited for a queue's rate limit, by queue. */
    Map<String, Long> throttledWaits() {
        Map<String, Long> out = new TreeMap<>();
        throttled.forEach((q, n) -> out.put(q, n.sum()));
        return out;
    }

    void left() {
        CountDownLatch l = left;
        if (l != null) {
            l.countDown();
        }
    }

    /** Waits up to {@code millis} for every fetcher to leave. @return whether all have */
    boolean awaitAllLeft(long millis) {
        CountDownLatch l = left;
        if (l == null) {
            return true;
        }
        try {
            return l.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The longest time since a fetcher of {@code queues} last went round its loop (every shard of
     * a sharded queue has a fetcher of its own: the idlest counts).
     */
    long idleMillis(Collection<String> queues) {
        long now = System.nanoTime();
        long idle = 0;
        for (String q : queues) {
            Long beat = beats.get(q);
            idle = Math.max(idle, beat == null ? Long.MAX_VALUE / 2 : TimeUnit.NANOSECONDS.toMillis(now - beat));
        }
        for (Map.Entry<String, Long> e : beats.entrySet()) {
            if (!queues.contains(e.getKey()) && queues.contains(io.redtask.store.ShardNames.queueOf(e.getKey()))) {
                idle = Math.max(idle, TimeUnit.NANOSECONDS.toMillis(now - e.getValue()));
            }
        }
        return idle;
    }
}
