package io.redtask.testing;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.MigrateParams;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves the hash slot of one hash tag to another master of a {@link RedisCluster}, step by step
 * as {@code redis-cli --cluster reshard} does: IMPORTING on the target, MIGRATING on the source,
 * MIGRATE of the keys in batches, then SETSLOT NODE on every master. Between the steps a test
 * can act on a slot that is split between two nodes.
 */
public final class SlotMove implements AutoCloseable {

    private final RedisCluster cluster;
    private final int slot;
    private final RedisServer source;
    private final RedisServer target;
    private final Jedis src;
    private final Jedis dst;

    private SlotMove(RedisCluster cluster, int slot, RedisServer source, RedisServer target) {
        this.cluster = cluster;
        this.slot = slot;
        this.source = source;
        this.target = target;
        this.src = node(source);
        this.dst = node(target);
    }

    /** The move of {@code hashTag}'s slot from the master holding its keys to another one; nothing moves yet. */
    public static SlotMove of(RedisCluster cluster, String hashTag) {
        int slot;
        try (Jedis any = node(cluster.nodes().get(0))) {
            slot = (int) any.clusterKeySlot(hashTag);
        }
        RedisServer source = owner(cluster, slot);
        RedisServer target =
                cluster.nodes().stream().filter(n -> n != source).findFirst().orElseThrow();
        return new SlotMove(cluster, slot, source, target);
    }

    /** Marks the slot IMPORTING on the target and MIGRATING on the source. */
    public SlotMove start() {
        dst.clusterSetSlotImporting(slot, src.clusterMyId());
        src.clusterSetSlotMigrating(slot, dst.clusterMyId());
        return this;
    }

    /** Moves these keys of the slot to the target. */
    public void migrate(String... keys) {
        src.migrate("127.0.0.1", target.port(), 0, 5_000, new MigrateParams(), keys);
    }

    /**
     * Moves every key still on the source, {@code batch} keys per MIGRATE, pausing between them.
     *
     * @return how many keys it moved
     */
    public int migrateRest(int batch, Duration pause) {
        int moved = 0;
        for (List<String> keys; !(keys = src.clusterGetKeysInSlot(slot, batch)).isEmpty(); ) {
            migrate(keys.toArray(String[]::new));
            moved += keys.size();
            if (!pause.isZero()) {
                LockSupport.parkNanos(pause.toNanos());
            }
        }
        return moved;
    }

    /** Gives the slot to the target on every master: the move is over. */
    public void finish() {
        String targetId = dst.clusterMyId();
        for (RedisServer n : cluster.nodes()) {
            try (Jedis j = node(n)) {
                j.clusterSetSlotNode(slot, targetId);
            }
        }
    }

    public int slot() {
        return slot;
    }

    public RedisServer source() {
        return source;
    }

    @Override
    public void close() {
        src.close();
        dst.close();
    }

    /** A plain connection to one node, for the cluster commands that move a slot. */
    private static Jedis node(RedisServer n) {
        return new Jedis("127.0.0.1", n.port());
    }

    private static RedisServer owner(RedisCluster cluster, int slot) {
        for (RedisServer n : cluster.nodes()) {
            try (Jedis j = node(n)) {
                if (!j.clusterGetKeysInSlot(slot, 1).isEmpty() || j.clusterCountKeysInSlot(slot) > 0) {
                    return n;
                }
            }
        }
        throw new IllegalStateException("no node holds keys of slot " + slot);
    }
}
