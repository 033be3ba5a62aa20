package io.redtask.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many tasks this server may run at once, and how many it runs. The limit can change at
 * any time: raising it lets fetchers claim more at once; lowering it stops new claims until
 * enough running tasks have finished, and never interrupts one.
 */
final class WorkerSlots {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int limit;
    private int used;

    WorkerSlots(int limit) {
        this.limit = limit;
    }

    /** Takes up to {@code wanted} slots, waiting up to {@code timeoutMillis} for at least one. */
    int acquireUpTo(int wanted, long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (used >= limit) {
                if (nanos <= 0) {
                    return 0;
                }
                nanos = changed.awaitNanos(nanos);
            }
            int taken = Math.min(wanted, limit - used);
            used += taken;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    void release(int n) {
        if (n <= 0) {
            return;
        }
        lock.lock();
        try {
            used -= n;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void setLimit(int newLimit) {
        lock.lock();
        try {
            limit = newLimit;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    int used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no slot is used, up to {@code timeoutMillis}. @return whether none is used */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (used > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
