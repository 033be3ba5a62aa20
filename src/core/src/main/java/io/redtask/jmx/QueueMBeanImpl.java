package io.redtask.jmx;

import io.redtask.QueueStats;
import io.redtask.RateLimit;
import io.redtask.RedTaskAdmin;

import java.util.function.LongSupplier;

/**
 * A queue's MBean. JConsole reads every attribute on each refresh; one Redis reading serves
 * them all for half a second.
 */
final class QueueMBeanImpl implements QueueMXBean {

    private static final long CACHE_NANOS = 500_000_000L;

    private final RedTaskAdmin admin;
    private final String queue;
    private final LongSupplier nanoTime;
    private QueueStats cached;
    private long cachedAt;

    QueueMBeanImpl(RedTaskAdmin admin, String queue, LongSupplier nanoTime) {
        this.admin = admin;
        this.queue = queue;
        this.nanoTime = nanoTime;
    }

    private synchronized QueueStats stats() {
        long now = nanoTime.getAsLong();
        if (cached == null || now - cachedAt > CACHE_NANOS) {
            cached = admin.queue(queue);
            cachedAt = now;
        }
        return cached;
    }

    private synchronized void forget() {
        cached = null;
    }

    @Override
    public long getReady() {
        return stats().ready();
    }

    @Override
    public long getScheduled() {
        return stats().scheduled();
    }

    @Override
    public long getRunning() {
        return stats().running();
    }

    @Override
    public long getDead() {
        return stats().dead();
    }

    @Override
    public boolean isPaused() {
        return stats().paused();
    }

    @Override
    public int getConcurrencyLimit() {
        Integer limit = stats().concurrencyLimit();
        return limit == null ? -1 : limit;
    }

    @Override
    public void setConcurrencyLimit(int limit) {
        admin.setQueueConcurrency(queue, limit < 0 ? null : limit);
        forget();
    }

    @Override
    public String getRateLimit() {
        RateLimit rate = stats().rate();
        return rate == null ? "" : rate.toString();
    }

    @Override
    public void setRateLimit(String rate) {
        RateLimit parsed;
        try {
            parsed = rate == null || rate.isBlank() ? null : RateLimit.parse(rate.strip());
        } catch (RuntimeException e) {
            throw JmxBoundary.translate(e); // JConsole has none of RedTask's exception classes
        }
        admin.setQueueRate(queue, parsed);
        forget();
    }

    @Override
    public int getGroupConcurrency() {
        Integer limit = stats().groupConcurrency();
        return limit == null ? -1 : limit;
    }

    @Override
    public void setGroupConcurrency(int limit) {
        admin.setGroupConcurrency(queue, limit < 0 ? null : limit);
        forget();
    }

    @Override
    public long getCompletedPerMinute() {
        return stats().completedLastMinute();
    }

    @Override
    public long getFailedPerMinute() {
        return stats().failedLastMinute();
    }

    @Override
    public long getCompletedTotal() {
        return stats().completed();
    }

    @Override
    public long getFailedTotal() {
        return stats().failed();
    }

    @Override
    public long getOldestWaitingMillis() {
        return stats().nextWaiting() == null ? 0 : stats().nextWaiting().toMillis();
    }

    @Override
    public void pause() {
        admin.pause(queue);
        forget();
    }

    @Override
    public void resume() {
        admin.resume(queue);
        forget();
    }

    @Override
    public int retryDead() {
        try {
            return admin.retryDead(queue);
        } finally {
            forget();
        }
    }

    @Override
    public int purgeDead() {
        try {
            return admin.purgeDead(queue);
        } finally {
            forget();
        }
    }
}
