package io.redtask.redis;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a completion's next claim (complete.lua) of a queue also looks for tasks that an earlier
 * version left in a type's ready set of the old name (lib_claim's SWEEP; the queue's single ready
 * set of older versions is moved by fetchers' claims only). A fetcher's claim always looks, and
 * says what it saw; a completion looks while the last look found tasks there (so a backlog left
 * by an upgrade moves into line as fast as claims take it), and otherwise once every
 * {@link #EVERY_NANOS} per queue, so that a busy queue whose fetchers never claim still takes in
 * what a server of an earlier version adds during a rolling deploy. A call that had no room to
 * claim looks at nothing and says nothing. Looking in every completion cost a tenth of its
 * commands.
 */
final class LegacySweeps {

    /** How often a queue's completions look at the old names when nothing was found there. */
    static final long EVERY_NANOS = 1_000_000_000L;

    /** What claim.lua and complete.lua answer last when their look found tasks under the old names. */
    static final String FOUND = "old";

    /** What they answer when it found none. */
    static final String NONE = "none";

    private final Map<String, Long> nextAt = new ConcurrentHashMap<>();
    private final Set<String> found = ConcurrentHashMap.newKeySet();

    /** Whether this completion call for {@code queue} looks; a look moves the next timed one on. */
    boolean due(String queue) {
        if (found.contains(queue)) {
            return true;
        }
        long now = System.nanoTime();
        Long at = nextAt.get(queue);
        if (at != null && now - at < 0) {
            return false;
        }
        // Only the caller that moves the time on looks: two at once do not both.
        return at == null
                ? nextAt.putIfAbsent(queue, now + EVERY_NANOS) == null
                : nextAt.replace(queue, at, now + EVERY_NANOS);
    }

    /** What a call that looked under the old names of {@code queue} saw there: {@link #FOUND} or {@link #NONE}. */
    void seen(String queue, String what) {
        if (FOUND.equals(what)) {
            found.add(queue);
        } else if (NONE.equals(what)) {
            found.remove(queue);
        }
    }
}
