package io.redtask.store;

import io.redtask.QueueNames;

/**
 * Names of queue shards. A queue spread over N shards ({@code redtask.queue.<q>.shards}) keeps
 * shard 0 under its own name, so its keys and ids are those of an unsharded queue; shard k &gt; 0 is
 * the internal queue {@code <q>.<k>} or {@code <q>.<k>.<s>}, where {@code s} is a number chosen so
 * that the shard's hash tag falls into a part of the Redis Cluster slot range of its own (see
 * {@code io.redtask.redis.ShardPlacement}). Queue names cannot hold a {@code .}, so a shard name
 * never clashes with a queue's, and the queue is the part before the first {@code .}.
 *
 * <p>Task and batch ids carry the shard ({@code <shard>:<ULID>}), so any server finds a record
 * from its id alone; everything users see (a task's queue, events, figures) names the queue.
 */
public final class ShardNames {

    /** Most shards a queue may have. */
    public static final int MAX_SHARDS = 64;

    private ShardNames() {}

    /** The queue a queue or shard name belongs to: the name up to its first {@code .}. */
    public static String queueOf(String name) {
        int dot = name == null ? -1 : name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Whether {@code name} is a queue name or the name of a shard of one. */
    public static boolean isValid(String name) {
        // <queue>, or <queue>.<k>[.<s>] with k 1 to 99 (no leading 0) and s 1 to 9 digits. Checked
        // with loops, not a regular expression: every task key a server builds checks its queue.
        if (name == null) {
            return false;
        }
        int dot = name.indexOf('.');
        if (dot < 0) {
            return QueueNames.isValid(name);
        }
        if (!QueueNames.isValid(name.substring(0, dot))) {
            return false;
        }
        int second = name.indexOf('.', dot + 1);
        int kEnd = second < 0 ? name.length() : second;
        return digits(name, dot + 1, kEnd, 2)
                && name.charAt(dot + 1) != '0'
                && (second < 0 || digits(name, second + 1, name.length(), 9));
    }

    private static boolean digits(String s, int from, int to, int most) {
        if (to <= from || to - from > most) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} names a shard k &gt; 0 (not a queue, nor its shard 0). */
    public static boolean isShard(String name) {
        return name != null && name.indexOf('.') > 0 && isValid(name);
    }

    /** The name of shard {@code k} (&gt; 0) of {@code queue} with placement number {@code s} (0: none). */
    public static String name(String queue, int k, int s) {
        if (k < 1 || k >= MAX_SHARDS) {
            throw new IllegalArgumentException("shard must be 1 to " + (MAX_SHARDS - 1) + ", was " + k);
        }
        return s == 0 ? queue + "." + k : queue + "." + k + "." + s;
    }

    /** A queue or shard as logs name it: {@code 'q'}, or {@code 'q' (shard q.2)}. */
    public static String describe(String name) {
        String queue = queueOf(name);
        return "'" + queue + "'" + (queue.equals(name) ? "" : " (shard " + name + ")");
    }
}
