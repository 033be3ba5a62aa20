package io.redtask.redis;

import io.redtask.NodeInfo;
import io.redtask.engine.JsonCodec;
import io.redtask.store.NodeRegistry;
import redis.clients.jedis.UnifiedJedis;

import java.util.ArrayList;
import java.util.List;

import static io.redtask.redis.RedisCalls.call;

/** {@link NodeRegistry} on Redis: a zset of servers by last heartbeat, and each one's figures as JSON. */
final class RedisNodeRegistry implements NodeRegistry {

    /** Servers that stopped beating this long ago are forgotten by whoever looks. */
    private static final long FORGET_AFTER_MILLIS = 3_600_000;
    /** How long a concurrency change asked of a server waits for it. */
    private static final long REQUEST_TTL_SECONDS = 3_600;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final JsonCodec json;

    RedisNodeRegistry(UnifiedJedis redis, Keys keys, JsonCodec json) {
        this.redis = redis;
        this.keys = keys;
        this.json = json;
    }

    @Override
    public void heartbeat(NodeInfo node, long ttlMillis) {
        String text = json.toJson(node);
        call(() -> {
            redis.psetex(keys.node(node.nodeId()), ttlMillis, text);
            return redis.zadd(keys.nodes(), node.lastSeen().toEpochMilli(), node.nodeId());
        });
    }

    @Override
    public List<NodeInfo> nodes(long now) {
        call(() ->
                redis.zremrangeByScore(keys.nodes(), Double.NEGATIVE_INFINITY, (double) (now - FORGET_AFTER_MILLIS)));
        List<String> ids = call(() -> redis.zrange(keys.nodes(), 0, -1));
        List<NodeInfo> out = new ArrayList<>();
        for (String id : ids) {
            String text = call(() -> redis.get(keys.node(id)));
            if (text != null) {
                out.add((NodeInfo) json.fromJson(text, NodeInfo.class));
            }
        }
        return out;
    }

    @Override
    public void requestConcurrency(String nodeId, int concurrency) {
        call(() ->
                redis.setex(keys.nodeConcurrencyRequest(nodeId), REQUEST_TTL_SECONDS, Integer.toString(concurrency)));
    }

    @Override
    public Integer takeRequestedConcurrency(String nodeId) {
        String v = call(() -> redis.getDel(keys.nodeConcurrencyRequest(nodeId)));
        return v == null ? null : Integer.valueOf(v);
    }

    @Override
    public void remove(String nodeId) {
        call(() -> {
            redis.del(keys.node(nodeId));
            return redis.zrem(keys.nodes(), nodeId);
        });
    }
}
