package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.store.QueueStore;
import io.redtask.store.ShardNames;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shards of each queue, and which shard a new task goes to. A queue without a shards setting
 * here is served as its own single shard (its keys and ids as ever), and its submits follow the
 * shards other servers recorded for it (read every 10 s; none: the queue alone). A queue with one
 * agrees its layout with Redis on first use ({@link QueueStore#agreeShards}), so every server uses
 * the same shard names.
 *
 * <p>Which shard: a task with a group goes to its group's shard (so the group's limit and turns
 * stay exact); else one with an idempotency key to its key's shard (so a repeat meets the first
 * task); a recurring schedule's tasks to the schedule's shard (one task per slot); the rest in
 * turn, to spread the load.
 */
final class QueueShards {

    private final QueueStore store;
    private final EngineSettings settings;
    private final Map<String, List<String>> agreed = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final Map<String, Recorded> recorded = new ConcurrentHashMap<>();
    /** How long a queue's recorded shards are used before they are read again. */
    private static final long RECORDED_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    QueueShards(QueueStore store, EngineSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    /**
     * The shards of {@code queue}, shard 0 (the queue itself) first.
     *
     * @throws IllegalStateException naming the setting when fewer shards are configured than
     *         Redis records and the dropped ones still hold tasks
     * @throws io.redtask.StoreUnavailableException when the layout must be read and Redis does not answer
     */
    List<String> of(String queue) {
        if (!settings.queueShards().containsKey(queue)) {
            return List.of(queue);
        }
        List<String> shards = agreed.get(queue);
        if (shards == null) {
            synchronized (this) {
                shards = agreed.get(queue);
                if (shards == null) {
                    shards = agree(queue);
                    agreed.put(queue, shards);
                }
            }
        }
        return shards;
    }

    private List<String> agree(String queue) {
        int n = settings.shards(queue);
        try {
            return store.agreeShards(queue, n);
        } catch (QueueStore.ShardLayoutException e) {
            throw new IllegalStateException(
                    "RedTask: redtask.queue." + queue + ".shards=" + n + " is refused: " + e.getMessage(), e);
        }
    }

    /**
     * The shards to read figures and lists from: this server's layout for a queue it has a
     * setting for, else whatever other servers recorded (an operator's server may lack the setting).
     */
    List<String> forReading(String queue) {
        if (ShardNames.isShard(queue)) {
            return List.of(queue);
        }
        return settings.queueShards().containsKey(queue) ? of(queue) : store.recordedShards(queue);
    }

    /**
     * The shard a new task of {@code queue} goes to.
     *
     * @param key what keeps related tasks together ({@code null}: none, any shard in turn)
     */
    String pick(String queue, String key) {
        // A server without the setting (one that only submits, say) follows what the servers with
        // it recorded, so that a group or an idempotency key meets the same shard from everywhere.
        List<String> shards = settings.queueShards().containsKey(queue) ? of(queue) : recorded(queue);
        if (shards.size() == 1) {
            return shards.get(0);
        }
        if (key != null) {
            // String.hashCode is specified, so every server picks the same shard for a key.
            return shards.get(Math.floorMod(key.hashCode(), shards.size()));
        }
        int turn = turns.computeIfAbsent(queue, q -> new AtomicInteger()).getAndIncrement();
        return shards.get(Math.floorMod(turn, shards.size()));
    }

    /**
     * The shards other servers recorded for a queue this server has no setting for, read again
     * after {@link #RECORDED_TTL_NANOS} (a queue sharded later is followed within that time); the
     * last known, or the queue alone, while Redis does not answer.
     */
    private List<String> recorded(String queue) {
        long wall = System.nanoTime();
        Recorded r = recorded.get(queue);
        if (r == null || wall - r.readAt() >= RECORDED_TTL_NANOS) {
            List<String> shards;
            try {
                shards = store.recordedShards(queue);
            } catch (StoreUnavailableException e) {
                shards = r != null ? r.shards() : List.of(queue);
            }
            r = new Recorded(shards, wall);
            recorded.put(queue, r);
        }
        return r.shards();
    }

    private record Recorded(List<String> shards, long readAt) {}

    /** The key that decides a submit's shard: its group, else its idempotency key, else none. */
    static String keyOf(String group, String dedupeKey) {
        if (group != null) {
            return "group:" + group;
        }
        return dedupeKey == null ? null : "dedupe:" + dedupeKey;
    }
}
