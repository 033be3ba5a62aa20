package io.redtask.engine;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches the fetch loops: when each last went round (a healthy one goes round at least every
 * poll interval), and whether all have left after a stop.
 */
final class FetcherMonitor {

    private final Map<String, Long> beats = new ConcurrentHashMap<>();
    private volatile CountDownLatch left;

    /** Called once before {@code count} fetchers start. */
    void expect(int count) {
        left = new CountDownLatch(count);
    }

    void alive(String queue) {
        beats.put(queue, System.nanoTime());
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

    /** The longest time since a fetcher of {@code queues} last went round its loop. */
    long idleMillis(Collection<String> queues) {
        long now = System.nanoTime();
        long idle = 0;
        for (String q : queues) {
            Long beat = beats.get(q);
            idle = Math.max(idle, beat == null ? Long.MAX_VALUE / 2 : TimeUnit.NANOSECONDS.toMillis(now - beat));
        }
        return idle;
    }
}
