package io.redtask.redis;

import io.redtask.store.ShardNames;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the shards of a queue go in a Redis Cluster. A cluster gives each master a contiguous
 * range of the 16,384 slots, so shards whose hash tags fall into evenly spread parts of that
 * range land on different masters whatever their number. For N shards the range is cut into N
 * equal parts; shard 0 (the queue itself) is wherever its name falls, in part p0; shard k takes
 * part (p0 + k) mod N, with the first name {@code <q>.<k>}, {@code <q>.<k>.1}, {@code <q>.<k>.2},
 * ... whose slot lies in that part. The search is deterministic, so every server finds the same
 * names; with at most 64 shards a part holds 256 slots and the search takes about 64 tries.
 */
final class ShardPlacement {

    static final int SLOTS = 16_384;
    /** Far more tries than a part of 1/64 of the slots needs (a miss is (63/64)^100000). */
    private static final int MAX_TRIES = 100_000;

    private ShardPlacement() {}

    /** The Cluster slot of a queue's or shard's keys (the name is their hash tag). */
    static int slot(String name) {
        return JedisClusterCRC16.getSlot("{" + name + "}");
    }

    /**
     * The layout of {@code n} shards that keeps the shards of {@code existing} (shard 0 first) and
     * places the new ones in parts of their own for {@code n}.
     */
    static List<String> extend(String queue, List<String> existing, int n) {
        List<String> out = new ArrayList<>(existing);
        for (int k = existing.size(); k < n; k++) {
            out.add(place(queue, k, n));
        }
        return out;
    }

    /** The name of shard {@code k} (&gt; 0) of {@code n}. */
    static String place(String queue, int k, int n) {
        int p0 = (int) ((long) slot(queue) * n / SLOTS);
        int part = (p0 + k) % n;
        for (int s = 0; s < MAX_TRIES; s++) {
            String name = ShardNames.name(queue, k, s);
            if ((int) ((long) slot(name) * n / SLOTS) == part) {
                return name;
            }
        }
        return ShardNames.name(queue, k, 0);
    }
}
