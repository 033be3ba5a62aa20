package io.redtask.engine;

import io.redtask.StoreFullException;
import io.redtask.store.MemoryUse;
import io.redtask.store.Storage;

import java.time.Clock;
import java.util.Optional;

/**
 * Refuses submits while Redis is nearly full, so that it never reaches {@code maxmemory} (where,
 * with {@code noeviction}, every write fails, including the workers' completions): past the
 * high-water mark submits get {@link StoreFullException}, while workers go on draining. Redis is
 * asked at most every 100 ms; should a burst still reach {@code maxmemory}, Redis's own OOM reply
 * is the same {@link StoreFullException}.
 */
final class MemoryGuard {

    /** INFO memory is cheap; read often enough that a burst of submits cannot outrun the mark. */
    private static final long READ_EVERY_MILLIS = 100;

    private final Storage storage;
    private final Clock clock;
    private final double highWater;
    private volatile long readAt = Long.MIN_VALUE / 2;
    private volatile Optional<MemoryUse> last = Optional.empty();

    /** @param highWater the share of {@code maxmemory} past which submits are refused; 1 or more: never */
    MemoryGuard(Storage storage, Clock clock, double highWater) {
        this.storage = storage;
        this.clock = clock;
        this.highWater = highWater;
    }

    void check() {
        if (highWater >= 1) {
            return;
        }
        long now = clock.millis();
        if (now - readAt >= READ_EVERY_MILLIS || now < readAt) {
            readAt = now;
            last = storage.memoryUse();
        }
        Optional<MemoryUse> use = last;
        if (use.isPresent() && use.get().maxBytes() > 0 && use.get().fraction() >= highWater) {
            MemoryUse m = use.get();
            throw new StoreFullException("Redis is " + Math.round(m.fraction() * 100) + " % full ("
                    + m.usedBytes() / 1024
                    + " KB of its maxmemory " + m.maxBytes() / 1024 + " KB), past the high-water mark of "
                    + Math.round(highWater * 100) + " % (redtask.memory.high-water): submits are refused until the "
                    + "workers have drained it; nothing was stored");
        }
    }
}
