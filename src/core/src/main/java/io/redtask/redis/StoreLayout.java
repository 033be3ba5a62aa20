package io.redtask.redis;

import redis.clients.jedis.UnifiedJedis;

import static io.redtask.redis.RedisCalls.call;

/**
 * The layout of the task hashes under a key prefix, marked in Redis ({@link Keys#layout()}), so
 * that this version never reads or writes task data of another layout as its own. Layout 2 (this
 * one) has short field names, fields at their defaults left out and payloads in parts (lib_fields.lua,
 * {@link TaskRecord}); the tasks of the layout before it (no marker) would read as damaged here.
 *
 * <p>Checked once per store before its first queue is registered (an engine's start, a submit):
 * under a prefix with no RedTask data the marker is written; under one that holds data of another
 * layout, an {@link IllegalStateException} says what to do.
 */
final class StoreLayout {

    /** This version's layout. */
    static final String CURRENT = "2";

    private final UnifiedJedis redis;
    private final Keys keys;
    private volatile boolean checked;

    StoreLayout(UnifiedJedis redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * Returns when the data under the prefix has this layout (writing the marker when there is none
     * yet); refuses otherwise.
     *
     * @throws IllegalStateException when Redis holds RedTask data of another layout under the prefix
     * @throws io.redtask.StoreUnavailableException when Redis does not answer
     */
    void check() {
        if (checked) {
            return;
        }
        String marked = call(() -> redis.get(keys.layout()));
        if (marked == null) {
            // Every version writes the queue set as it first uses a queue; this one writes the marker
            // before that, so a queue set without a marker is the data of an older version, unless a
            // server of this version marked it meanwhile (hence the second look).
            boolean older = call(() -> redis.exists(keys.queues()));
            if (older) {
                marked = call(() -> redis.get(keys.layout()));
                if (marked == null) {
                    throw refusal("the task layout of an older RedTask (no " + keys.layout() + " key)");
                }
            } else {
                call(() -> redis.setnx(keys.layout(), CURRENT));
                marked = call(() -> redis.get(keys.layout()));
            }
        }
        if (!CURRENT.equals(marked)) {
            throw refusal("task layout " + marked + " (" + keys.layout() + "), this version reads layout " + CURRENT);
        }
        checked = true;
    }

    private IllegalStateException refusal(String what) {
        return new IllegalStateException("RedTask: Redis holds tasks under the key prefix '" + keys.prefix()
                + "' in " + what + ", which this version cannot read. Let the old servers finish their tasks "
                + "and delete the keys '" + keys.prefix() + ":*' (the queues' tasks, dead sets and counters), "
                + "or use another key prefix (redtask.key-prefix), then start again.");
    }
}
