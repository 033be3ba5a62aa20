package io.redtask.redis;

import io.redtask.QueueStats;
import io.redtask.RateLimit;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.QueueStore;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskStore;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static io.redtask.redis.RedisCalls.asLong;
import static io.redtask.redis.RedisCalls.call;

/** {@link QueueStore} on Redis: the set of queue names, each queue's settings hash, figures and dead set. */
final class RedisQueueStore implements QueueStore {

    private final UnifiedJedis redis;
    private final ScriptRunner scripts;
    private final Keys keys;
    private final StoreSettings settings;
    private final Set<String> remembered = ConcurrentHashMap.newKeySet();
    private final LuaScript retryDead = LuaScript.load("retry_dead");
    private final LuaScript purgeDead = LuaScript.load("purge_dead");
    private final LuaScript queueStats = LuaScript.load("queue_stats");
    private final LuaScript setLimits = LuaScript.load("set_limits");
    private final LuaScript setPaused = LuaScript.load("set_paused");
    private final LuaScript refillGroups = LuaScript.load("refill_groups");
    private final StoreLayout storeLayout;
    private final LuaScript shardLayout = LuaScript.load("shard_layout");
    private TaskStore tasks;

    RedisQueueStore(UnifiedJedis redis, ScriptRunner scripts, Keys keys, StoreSettings settings) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.settings = settings;
        this.storeLayout = new StoreLayout(redis, keys);
    }

    /** The task store whose records {@link #tasks} reads (they are built together). */
    void readTasksFrom(TaskStore taskStore) {
        this.tasks = taskStore;
    }

    /** Adds a queue (the queue of a shard) to the names operators see, once per queue and process. */
    void remember(String name) {
        String queue = ShardNames.queueOf(name);
        // A separate command: the set lives in another cluster slot than the queue's keys.
        if (remembered.add(queue)) {
            try {
                // Before the first write under the prefix: never mix this layout's tasks with another's.
                storeLayout.check();
                call(() -> redis.sadd(keys.queues(), queue));
            } catch (RuntimeException e) {
                remembered.remove(queue);
                throw e;
            }
        }
    }

    @Override
    public void register(Collection<String> queues) {
        queues.forEach(this::remember);
    }

    @Override
    public List<String> names() {
        return List.copyOf(new TreeSet<>(call(() -> redis.smembers(keys.queues()))));
    }

    @Override
    public QueueStats stats(String queue, long now) {
        long bucket = now / Keys.STATS_BUCKET_MILLIS;
        List<String> k = new ArrayList<>(List.of(
                keys.types(queue),
                keys.scheduled(queue),
                keys.active(queue),
                keys.dead(queue),
                keys.settings(queue),
                keys.stats(queue)));
        for (int i = 0; i < 6; i++) {
            k.add(keys.statsBucket(queue, bucket - i));
        }
        String elapsed = Double.toString((now % Keys.STATS_BUCKET_MILLIS) / (double) Keys.STATS_BUCKET_MILLIS);
        Map<String, String> r = RedisCalls.pairs((List<?>) call(
                () -> scripts.run(queueStats, k, List.of(keys.taskPrefix(queue), elapsed, keys.readyPrefix(queue)))));
        long limit = number(r, "concurrency");
        long headCreated = number(r, "headCreatedAt");
        long rateLimit = number(r, "rateLimit");
        long ratePer = number(r, "ratePer");
        long groupLimit = number(r, "groupLimit");
        return new QueueStats(
                queue,
                number(r, "ready"),
                number(r, "scheduled"),
                number(r, "running"),
                number(r, "dead"),
                number(r, "paused") == 1,
                limit < 0 ? null : (int) limit,
                number(r, "completedTotal"),
                number(r, "failedTotal"),
                number(r, "deadTotal"),
                number(r, "completedLastMinute"),
                number(r, "failedLastMinute"),
                headCreated < 0 ? null : Duration.ofMillis(Math.max(0, now - headCreated)),
                rate(rateLimit, ratePer),
                groupLimit < 0 ? null : (int) groupLimit);
    }

    /** A rate limit as the settings hash holds it; {@code null} when there is none or it is damaged. */
    private static RateLimit rate(long limit, long perMillis) {
        if (limit < 1 || perMillis < 1) {
            return null;
        }
        try {
            return new RateLimit((int) Math.min(limit, RateLimit.MAX_LIMIT), Duration.ofMillis(perMillis));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long number(Map<String, String> reply, String name) {
        String v = reply.get(name);
        if (v == null) {
            throw new IllegalStateException("queue_stats.lua did not answer '" + name + "'");
        }
        return asLong(v);
    }

    @Override
    public List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit) {
        long last = offset + limit - 1L;
        List<String> ids = call(() -> switch (state) {
            case QUEUED -> readyInOrder(queue, offset, limit);
            case SCHEDULED -> redis.zrange(keys.scheduled(queue), offset, last);
            case RUNNING -> redis.zrange(keys.active(queue), offset, last);
            case DEAD -> redis.zrevrange(keys.dead(queue), offset, last);
            default ->
                throw new IllegalArgumentException("tasks are listed by state queued, scheduled, running or "
                        + "dead, not " + state.wireName() + " (finished tasks are kept in no list)");
        });
        Map<String, TaskStatus> found = tasks.findAll(ids);
        return ids.stream().map(found::get).filter(Objects::nonNull).toList();
    }

    /**
     * Ready tasks in the order they will run: the ready sets of all types merged by score (their
     * members are ids without the queue part; an earlier version's sets, not yet emptied by a claim,
     * hold whole ids).
     */
    private List<String> readyInOrder(String queue, int offset, int limit) {
        List<Tuple> all = new ArrayList<>();
        for (String type : redis.smembers(keys.types(queue))) {
            for (Tuple t : redis.zrangeWithScores(keys.ready(queue, type), 0, offset + limit - 1L)) {
                all.add(new Tuple(queue + ":" + t.getElement(), t.getScore()));
            }
            all.addAll(redis.zrangeWithScores(keys.olderReady(queue, type), 0, offset + limit - 1L));
        }
        all.sort(Comparator.comparingDouble(Tuple::getScore));
        return all.stream().skip(offset).limit(limit).map(Tuple::getElement).toList();
    }

    @Override
    public int retryDead(String queue, String id, int max, long now) {
        return (int) asLong(call(() -> scripts.run(
                retryDead,
                List.of(keys.dead(queue), keys.types(queue), keys.wake(queue), keys.sequence(queue)),
                List.of(
                        keys.taskPrefix(queue),
                        Integer.toString(max),
                        id == null ? "" : id,
                        Long.toString(now),
                        keys.readyPrefix(queue)))));
    }

    @Override
    public int purgeDead(String queue, String id, int max) {
        return (int) asLong(call(() -> scripts.run(
                purgeDead,
                List.of(keys.dead(queue)),
                List.of(keys.taskPrefix(queue), Integer.toString(max), id == null ? "" : id))));
    }

    @Override
    public void setConcurrency(String queue, Integer limit) {
        remember(queue);
        call(() -> limit == null
                ? redis.hdel(keys.settings(queue), "concurrency")
                : redis.hset(keys.settings(queue), "concurrency", Integer.toString(limit)));
    }

    @Override
    public void setRate(String queue, RateLimit rate) {
        remember(queue);
        call(() -> scripts.run(
                setLimits,
                List.of(keys.settings(queue), keys.wake(queue)),
                List.of(
                        "rateLimit",
                        rate == null ? "" : Integer.toString(rate.limit()),
                        "ratePer",
                        rate == null ? "" : Long.toString(rate.per().toMillis()))));
    }

    @Override
    public void setGroupConcurrency(String queue, Integer limit) {
        remember(queue);
        call(() -> scripts.run(
                setLimits,
                List.of(keys.settings(queue), keys.wake(queue)),
                List.of("groupLimit", limit == null ? "" : Integer.toString(limit))));
        // Groups held back by the old limit let tasks into line, a bounded number of groups per call.
        String cursor = "0";
        do {
            String from = cursor;
            cursor = String.valueOf(
                    call(() -> scripts.run(refillGroups, List.of(keys.settings(queue)), List.of(from, "200"))));
        } while (!"0".equals(cursor));
    }

    @Override
    public void setPaused(String queue, boolean paused) {
        remember(queue);
        call(() ->
                scripts.run(setPaused, List.of(keys.settings(queue), keys.wake(queue)), List.of(paused ? "1" : "0")));
    }

    @Override
    public List<String> recordedShards(String queue) {
        return layoutOf(queue, recordedLayout(queue));
    }

    /** The layout fields of shard 0's settings hash: the number of shards and the names of 1..N-1. */
    private List<String> recordedLayout(String queue) {
        return call(() -> redis.hmget(keys.settings(queue), "shards", "shardNames"));
    }

    private static List<String> layoutOf(String queue, List<String> fields) {
        List<String> out = new ArrayList<>();
        out.add(queue);
        String names = fields.get(1);
        if (fields.get(0) != null && names != null && !names.isEmpty()) {
            for (String name : names.split(",")) {
                // Only shards of this queue: a damaged record must not send tasks elsewhere.
                if (ShardNames.isShard(name) && ShardNames.queueOf(name).equals(queue) && !out.contains(name)) {
                    out.add(name);
                }
            }
        }
        return List.copyOf(out);
    }

    @Override
    public List<String> agreeShards(String queue, int n) {
        if (n < 1 || n > ShardNames.MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be 1 to " + ShardNames.MAX_SHARDS + ", was " + n);
        }
        // Compare-and-set: another server may record a layout between our read and our write.
        for (int round = 0; round < 10; round++) {
            List<String> fields = recordedLayout(queue);
            String recorded = fields.get(0);
            List<String> current = layoutOf(queue, fields);
            if (current.size() == n && (recorded != null || n == 1)) {
                return current;
            }
            List<String> next;
            if (n > current.size()) {
                next = ShardPlacement.extend(queue, current, n);
            } else {
                List<String> dropped = current.subList(n, current.size());
                long held = 0;
                List<String> holding = new ArrayList<>();
                for (String shard : dropped) {
                    long tasksIn = tasksIn(shard);
                    if (tasksIn > 0) {
                        held += tasksIn;
                        holding.add(shard);
                    }
                }
                if (held > 0) {
                    throw new ShardLayoutException("queue '" + queue + "' has " + current.size()
                            + " shards recorded in Redis; going down to " + n + " would leave " + held
                            + " tasks (ready, scheduled, running or dead) in shards " + holding
                            + " that no server would serve. Keep " + current.size()
                            + " shards until those tasks are done (or purged)");
                }
                next = current.subList(0, n);
            }
            String names = String.join(",", next.subList(1, next.size()));
            Object written = call(() -> scripts.run(
                    shardLayout,
                    List.of(keys.settings(queue)),
                    List.of(recorded == null ? "" : recorded, Integer.toString(next.size()), names)));
            if (asLong(written) == 1) {
                return List.copyOf(next);
            }
        }
        throw new IllegalStateException(
                "the shards of queue '" + queue + "' kept changing while this server recorded them; try again");
    }

    /** Tasks still in a shard's sets: ready (waiting for their group's turn too), scheduled, running, dead. */
    private long tasksIn(String shard) {
        QueueStats s = stats(shard, System.currentTimeMillis());
        return s.ready() + s.scheduled() + s.running() + s.dead();
    }
}
