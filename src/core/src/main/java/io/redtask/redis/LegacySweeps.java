package io.redtask.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a claim (claim.lua, or the next claim of complete.lua) of a queue also looks for tasks that
 * an earlier version left under the old names (the queue's single ready set, a type's ready set of
 * the old name: lib_claim's SWEEP): the first call for a queue, then one call at most every
 * {@link #EVERY_NANOS}. Looking in every call cost three commands of a fetcher's claim and one of a
 * completion's; such tasks only come from a rolling deploy of an earlier version, and wait this
 * long at most for a claim to take them into line.
 */
final class LegacySweeps {

    /** How often a queue's claims look at the old names. */
    static final long EVERY_NANOS = 1_000_000_000L;

    private final Map<String, Long> nextAt = new ConcurrentHashMap<>();

    /** Whether this call for {@code queue} sweeps; when it does, the next one is due a period later. */
    boolean due(String queue) {
        long now = System.nanoTime();
        Long at = nextAt.get(queue);
        if (at != null && now - at < 0) {
            return false;
        }
        // Only the caller that moves the time on sweeps: two at once do not both look.
        return at == null
                ? nextAt.putIfAbsent(queue, now + EVERY_NANOS) == null
                : nextAt.replace(queue, at, now + EVERY_NANOS);
    }
}
