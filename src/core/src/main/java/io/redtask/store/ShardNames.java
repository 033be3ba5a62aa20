package io.redtask.store;

import io.redtask.QueueNames;

import java.util.regex.Pattern;

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

    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.[1-9][0-9]?(\\.[0-9]{1,9})?");

    private ShardNames() {}

    /** The queue a queue or shard name belongs to: the name up to its first {@code .}. */
    public static String queueOf(String name) {
        int dot = name == null ? -1 : name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Whether {@code name} is a queue name or the name of a shard of one. */
    public static boolean isValid(String name) {
        return QueueNames.isValid(name) || (name != null && SHARD.matcher(name).matches());
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
