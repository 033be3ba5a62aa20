package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.ClaimedTask;
import io.redtask.engine.EnqueueResult;
import io.redtask.engine.FailOutcome;
import io.redtask.engine.JsonCodec;
import io.redtask.engine.NewTask;
import io.redtask.engine.ScheduleDefinition;
import io.redtask.engine.TaskIds;
import io.redtask.engine.TaskStore;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.resps.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Redis implementation of {@link TaskStore}: each state change is one Lua script from this
 * package ({@code *.lua}, each with a header naming its KEYS, ARGV and result), keys from
 * {@link Keys}. The only class that talks to Redis about tasks.
 */
public final class RedisTaskStore implements TaskStore {

    private static final int PROMOTE_PER_CLAIM = 100;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final JsonCodec json;
    private final long keepSucceededMillis;
    private final long keepDeadMillis;
    private final int maxStalls;
    private final LuaScript enqueue = LuaScript.load("enqueue");
    private final LuaScript claim = LuaScript.load("claim");
    private final LuaScript complete = LuaScript.load("complete");
    private final LuaScript fail = LuaScript.load("fail");
    private final LuaScript extend = LuaScript.load("extend");
    private final LuaScript release = LuaScript.load("release");
    private final LuaScript cancel = LuaScript.load("cancel");
    private final LuaScript recover = LuaScript.load("recover");
    private final LuaScript retryDead = LuaScript.load("retry_dead");
    private final LuaScript purgeDead = LuaScript.load("purge_dead");
    private final LuaScript scheduleSave = LuaScript.load("schedule_save");
    private final LuaScript scheduleRemove = LuaScript.load("schedule_remove");
    private final LuaScript cronFire = LuaScript.load("cron_fire");
    private final LuaScript queueStats = LuaScript.load("queue_stats");
    private final long bucketTtlMillis;
    private final java.util.Set<String> knownQueues = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param redis         the client; this store closes it in {@link #close()}
     * @param keys          key names
     * @param json          reads and writes schedule definitions
     * @param keepSucceeded how long a succeeded (or cancelled) task's record and result are kept
     * @param keepDead      how long a dead task's record is kept
     * @param maxStalls     how many lost leases a task survives before it is dead
     */
    public RedisTaskStore(UnifiedJedis redis, Keys keys, JsonCodec json, Duration keepSucceeded, Duration keepDead,
                          int maxStalls) {
        this(redis, keys, json, keepSucceeded, keepDead, maxStalls, Duration.ofMinutes(2));
    }

    /**
     * @param rateWindow how long the 10-second counter buckets behind per-minute rates are kept
     *                   (at least a minute for the rates to be right)
     */
    public RedisTaskStore(UnifiedJedis redis, Keys keys, JsonCodec json, Duration keepSucceeded, Duration keepDead,
                          int maxStalls, Duration rateWindow) {
        this.bucketTtlMillis = rateWindow.toMillis();
        this.redis = redis;
        this.keys = keys;
        this.json = json;
        this.keepSucceededMillis = keepSucceeded.toMillis();
        this.keepDeadMillis = keepDead.toMillis();
        this.maxStalls = maxStalls;
    }

    @Override
    public List<EnqueueResult> enqueue(String queue, List<NewTask> tasks, long now) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        rememberQueue(queue);
        List<String> k = new ArrayList<>(4 + 2 * tasks.size());
        k.addAll(List.of(keys.ready(queue), keys.scheduled(queue), keys.sequence(queue), keys.wake(queue)));
        List<String> a = new ArrayList<>(1 + 12 * tasks.size());
        a.add(Long.toString(now));
        for (NewTask t : tasks) {
            if (!t.queue().equals(queue)) {
                throw new IllegalArgumentException("task " + t.id() + " is not of queue " + queue);
            }
            k.add(keys.task(t.id()));
            k.add(t.idempotencyKey() == null ? keys.settings(queue) : keys.idempotency(queue, t.idempotencyKey()));
            addTaskFields(a, t);
        }
        List<?> r = (List<?>) call(() -> enqueue.run(redis, k, a));
        List<EnqueueResult> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < r.size(); i += 2) {
            String state = (String) r.get(i);
            String id = (String) r.get(i + 1);
            switch (state) {
                case "duplicate" -> out.add(new EnqueueResult(id, null, true));
                case "exists" -> throw new IllegalStateException("task id " + id + " is taken");
                default -> out.add(new EnqueueResult(id, TaskState.fromWireName(state), false));
            }
        }
        return out;
    }

    private static void addTaskFields(List<String> a, NewTask t) {
        a.add(t.id());
        a.add(t.type());
        a.add(t.queue());
        a.add(t.payloadJson());
        a.add(Integer.toString(t.maxAttempts()));
        a.add(Integer.toString(t.priority()));
        a.add(Long.toString(t.dueAt()));
        a.add(Long.toString(t.timeoutMillis()));
        a.add(t.idempotencyKey() == null ? "" : t.idempotencyKey());
        a.add(Long.toString(Math.max(1, t.idempotencyWindowMs())));
        a.add(t.backoffBaseMillis() < 0 ? "" : Long.toString(t.backoffBaseMillis()));
        a.add(t.backoffCapMillis() < 0 ? "" : Long.toString(t.backoffCapMillis()));
    }

    @Override
    public ClaimBatch claim(String queue, int max, long now, long leaseMillis, String owner) {
        List<?> reply = (List<?>) call(() -> claim.run(redis,
                List.of(keys.ready(queue), keys.active(queue), keys.scheduled(queue), keys.wake(queue),
                        keys.settings(queue), keys.sequence(queue)),
                List.of(Long.toString(now), Long.toString(leaseMillis), Integer.toString(max), owner,
                        keys.taskPrefix(queue), Integer.toString(PROMOTE_PER_CLAIM))));
        long nextDue = asLong(reply.get(0));
        List<ClaimedTask> tasks = new ArrayList<>((reply.size() - 1) / 11);
        for (int i = 1; i + 10 < reply.size(); i += 11) {
            tasks.add(claimed(reply, i, queue, now));
        }
        return new ClaimBatch(tasks, nextDue);
    }

    /** The 11 fields lib_claim.lua returns for a claimed task, from position {@code i}. */
    private static ClaimedTask claimed(List<?> reply, int i, String queue, long now) {
        String idem = (String) reply.get(i + 7);
        return new ClaimedTask((String) reply.get(i), queue, (String) reply.get(i + 1),
                (String) reply.get(i + 2), (int) asLong(reply.get(i + 3)), asLong(reply.get(i + 4)),
                (int) asLong(reply.get(i + 5)), optionalLong(reply.get(i + 6), 0),
                idem == null || idem.isEmpty() ? null : idem, optionalLong(reply.get(i + 8), -1),
                optionalLong(reply.get(i + 9), -1), optionalLong(reply.get(i + 10), now));
    }

    @Override
    public Completion complete(ClaimedTask t, String resultJson, long now, NextClaim next) {
        String q = t.queue();
        List<?> r = (List<?>) call(() -> complete.run(redis, List.of(keys.task(t.id()), keys.active(q),
                        keys.stats(q), keys.statsBucket(q, now / 10_000), keys.ready(q), keys.settings(q),
                        keys.scheduled(q), keys.sequence(q)),
                List.of(t.id(), Long.toString(t.token()), Long.toString(now), resultJson == null ? "null" : resultJson,
                        Long.toString(keepSucceededMillis), Long.toString(bucketTtlMillis), next == null ? "0" : "1",
                        next == null ? "0" : Long.toString(next.leaseMillis()), next == null ? "" : next.owner(),
                        keys.taskPrefix(q))));
        boolean recorded = asLong(r.get(0)) == 1;
        return new Completion(recorded, r.size() >= 12 ? claimed(r, 1, q, now) : null);
    }

    @Override
    public FailOutcome fail(ClaimedTask t, String error, long retryAt, long now) {
        String q = t.queue();
        Object r = call(() -> fail.run(redis,
                List.of(keys.task(t.id()), keys.active(q), keys.ready(q), keys.scheduled(q), keys.dead(q), keys.wake(q),
                        keys.stats(q), keys.statsBucket(q, now / 10_000), keys.sequence(q)),
                List.of(t.id(), Long.toString(t.token()), Long.toString(now), error == null ? "" : error,
                        Long.toString(retryAt), Long.toString(keepDeadMillis), Long.toString(bucketTtlMillis))));
        if (r instanceof String s) {
            return switch (s) {
                case "retry" -> FailOutcome.RETRY;
                case "scheduled" -> FailOutcome.SCHEDULED;
                case "dead" -> FailOutcome.DEAD;
                default -> throw new IllegalStateException("fail.lua answered " + s);
            };
        }
        return FailOutcome.STALE;
    }

    @Override
    public List<Boolean> extend(String queue, List<ClaimedTask> tasks, long leaseUntil) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        List<String> a = new ArrayList<>(2 + 2 * tasks.size());
        a.add(keys.taskPrefix(queue));
        a.add(Long.toString(leaseUntil));
        for (ClaimedTask t : tasks) {
            a.add(t.id());
            a.add(Long.toString(t.token()));
        }
        List<?> r = (List<?>) call(() -> extend.run(redis, List.of(keys.active(queue)), a));
        List<Boolean> out = new ArrayList<>(r.size());
        for (Object o : r) {
            out.add(asLong(o) == 1);
        }
        return out;
    }

    @Override
    public boolean release(ClaimedTask t) {
        String q = t.queue();
        Object r = call(() -> release.run(redis,
                List.of(keys.task(t.id()), keys.active(q), keys.ready(q), keys.wake(q)),
                List.of(t.id(), Long.toString(t.token()))));
        return asLong(r) == 1;
    }

    @Override
    public String cancel(String id, long now) {
        if (!TaskIds.isWellFormed(id)) {
            return "missing";
        }
        String q = TaskIds.queueOf(id);
        return (String) call(() -> cancel.run(redis,
                List.of(keys.task(id), keys.ready(q), keys.scheduled(q), keys.active(q)),
                List.of(id, Long.toString(now), Long.toString(keepSucceededMillis))));
    }

    @Override
    public RecoveryResult recoverExpired(String queue, long now, int max) {
        List<?> r = (List<?>) call(() -> recover.run(redis,
                List.of(keys.active(queue), keys.ready(queue), keys.dead(queue), keys.wake(queue)),
                List.of(Long.toString(now), Integer.toString(max), keys.taskPrefix(queue),
                        Long.toString(keepDeadMillis), Integer.toString(maxStalls))));
        int requeued = (int) asLong(r.get(0));
        int dead = (int) asLong(r.get(1));
        return requeued == 0 && dead == 0 ? RecoveryResult.NONE : new RecoveryResult(requeued, dead);
    }

    @Override
    public void awaitWork(String queue, long timeoutMillis) {
        // BLPOP's timeout is in seconds (fractions allowed); 0 would mean forever.
        double seconds = Math.max(timeoutMillis, 10) / 1000.0;
        call(() -> redis.blpop(seconds, keys.wake(queue)));
    }

    @Override
    public Optional<TaskStatus> find(String id) {
        if (!TaskIds.isWellFormed(id)) {
            return Optional.empty();
        }
        return Optional.ofNullable(status(call(() -> redis.hgetAll(keys.task(id)))));
    }

    @Override
    public Map<String, TaskStatus> findAll(List<String> ids) {
        Map<String, TaskStatus> out = new LinkedHashMap<>();
        List<String> valid = ids.stream().filter(TaskIds::isWellFormed).distinct().toList();
        if (valid.isEmpty()) {
            return out;
        }
        Map<String, Response<Map<String, String>>> replies = new LinkedHashMap<>();
        call(() -> {
            try (AbstractPipeline p = redis.pipelined()) {
                for (String id : valid) {
                    replies.put(id, p.hgetAll(keys.task(id)));
                }
                p.sync();
            }
            return null;
        });
        replies.forEach((id, r) -> {
            TaskStatus s = status(r.get());
            if (s != null) {
                out.put(id, s);
            }
        });
        return out;
    }

    @Override
    public int retryDead(String queue, String id, int max, long now) {
        return (int) asLong(call(() -> retryDead.run(redis,
                List.of(keys.dead(queue), keys.ready(queue), keys.wake(queue), keys.sequence(queue)),
                List.of(keys.taskPrefix(queue), Integer.toString(max), id == null ? "" : id, Long.toString(now)))));
    }

    @Override
    public int purgeDead(String queue, String id, int max) {
        return (int) asLong(call(() -> purgeDead.run(redis, List.of(keys.dead(queue)),
                List.of(keys.taskPrefix(queue), Integer.toString(max), id == null ? "" : id))));
    }

    @Override
    public void setQueueConcurrency(String queue, Integer limit) {
        rememberQueue(queue);
        call(() -> limit == null ? redis.hdel(keys.settings(queue), "concurrency")
                : redis.hset(keys.settings(queue), "concurrency", Integer.toString(limit)));
    }

    @Override
    public void setPaused(String queue, boolean paused) {
        rememberQueue(queue);
        call(() -> paused ? redis.hset(keys.settings(queue), "paused", "1") : redis.hdel(keys.settings(queue), "paused"));
    }

    @Override
    public boolean saveSchedule(ScheduleDefinition d, long nextSlot) {
        rememberQueue(d.queue());
        String previousQueue = call(() -> redis.hget(keys.schedules(), d.name()));
        if (previousQueue != null && !previousQueue.equals(d.queue())) {
            // The schedule moved to another queue: its old slot record must not fire as well.
            call(() -> scheduleRemove.run(redis, List.of(keys.cron(previousQueue), keys.cronNext(previousQueue)),
                    List.of(d.name())));
        }
        Object r = call(() -> scheduleSave.run(redis, List.of(keys.cron(d.queue()), keys.cronNext(d.queue())),
                List.of(d.name(), json.toJson(d), Long.toString(nextSlot))));
        call(() -> redis.hset(keys.schedules(), d.name(), d.queue()));
        return "saved".equals(r);
    }

    @Override
    public boolean removeSchedule(String name) {
        String queue = call(() -> redis.hget(keys.schedules(), name));
        if (queue == null) {
            return false;
        }
        Object r = call(() -> scheduleRemove.run(redis, List.of(keys.cron(queue), keys.cronNext(queue)), List.of(name)));
        call(() -> redis.hdel(keys.schedules(), name));
        return asLong(r) == 1;
    }

    @Override
    public Map<ScheduleDefinition, Long> schedules() {
        Map<ScheduleDefinition, Long> out = new LinkedHashMap<>();
        Map<String, String> index = call(() -> redis.hgetAll(keys.schedules()));
        for (String queue : new java.util.TreeSet<>(index.values())) {
            Map<String, String> defs = call(() -> redis.hgetAll(keys.cron(queue)));
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(defs).entrySet()) {
                Double next = call(() -> redis.zscore(keys.cronNext(queue), e.getKey()));
                out.put(definition(e.getValue()), next == null ? -1L : next.longValue());
            }
        }
        return out;
    }

    @Override
    public Map<ScheduleDefinition, Long> dueSchedules(String queue, long now, int max) {
        List<Tuple> due = call(() -> redis.zrangeByScoreWithScores(keys.cronNext(queue), Double.NEGATIVE_INFINITY,
                (double) now, 0, max));
        Map<ScheduleDefinition, Long> out = new LinkedHashMap<>();
        for (Tuple t : due) {
            String def = call(() -> redis.hget(keys.cron(queue), t.getElement()));
            if (def != null) {
                out.put(definition(def), (long) t.getScore());
            }
        }
        return out;
    }

    @Override
    public boolean fireSchedule(String queue, String name, long slot, long nextSlot, NewTask task, long now) {
        List<String> a = new ArrayList<>(17);
        a.addAll(List.of(name, Long.toString(slot), Long.toString(nextSlot), Long.toString(now), task == null ? "0" : "1"));
        String taskKey;
        String idemKey = keys.settings(queue);
        if (task != null) {
            addTaskFields(a, task);
            taskKey = keys.task(task.id());
            if (task.idempotencyKey() != null) {
                idemKey = keys.idempotency(queue, task.idempotencyKey());
            }
        } else {
            taskKey = keys.settings(queue);
        }
        List<String> k = List.of(keys.cronNext(queue), keys.ready(queue), keys.scheduled(queue), keys.sequence(queue),
                keys.wake(queue), taskKey, idemKey);
        List<?> r = (List<?>) call(() -> cronFire.run(redis, k, a));
        return !"lost".equals(r.get(0));
    }

    @Override
    public void registerQueues(java.util.Collection<String> queues) {
        queues.forEach(this::rememberQueue);
    }

    @Override
    public List<String> queueNames() {
        return new java.util.TreeSet<>(call(() -> redis.smembers(keys.queues()))).stream().toList();
    }

    @Override
    public io.redtask.QueueStats stats(String queue, long now) {
        long bucket = now / 10_000;
        List<String> k = new ArrayList<>(List.of(keys.ready(queue), keys.scheduled(queue), keys.active(queue),
                keys.dead(queue), keys.settings(queue), keys.stats(queue)));
        for (int i = 0; i < 6; i++) {
            k.add(keys.statsBucket(queue, bucket - i));
        }
        String elapsed = Double.toString((now % 10_000) / 10_000.0);
        List<?> r = (List<?>) call(() -> queueStats.run(redis, k, List.of(keys.taskPrefix(queue), elapsed)));
        long limit = asLong(r.get(5));
        long headCreated = asLong(r.get(11));
        return new io.redtask.QueueStats(queue, asLong(r.get(0)), asLong(r.get(1)), asLong(r.get(2)), asLong(r.get(3)),
                asLong(r.get(4)) == 1, limit < 0 ? null : (int) limit, asLong(r.get(6)), asLong(r.get(7)),
                asLong(r.get(8)), asLong(r.get(9)), asLong(r.get(10)),
                headCreated < 0 ? null : Duration.ofMillis(Math.max(0, now - headCreated)));
    }

    @Override
    public List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit) {
        long last = offset + limit - 1L;
        List<String> ids = call(() -> switch (state) {
            case QUEUED -> redis.zrange(keys.ready(queue), offset, last);
            case SCHEDULED -> redis.zrange(keys.scheduled(queue), offset, last);
            case RUNNING -> redis.zrange(keys.active(queue), offset, last);
            case DEAD -> redis.zrevrange(keys.dead(queue), offset, last);
            default -> throw new IllegalArgumentException("tasks are listed by state queued, scheduled, running or dead, "
                    + "not " + state.wireName() + " (finished tasks are kept in no list)");
        });
        Map<String, TaskStatus> found = findAll(ids);
        return ids.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public void heartbeat(io.redtask.NodeInfo node, long ttlMillis) {
        String text = json.toJson(node);
        call(() -> {
            redis.psetex(keys.node(node.nodeId()), ttlMillis, text);
            return redis.zadd(keys.nodes(), node.lastSeen().toEpochMilli(), node.nodeId());
        });
    }

    @Override
    public List<io.redtask.NodeInfo> nodes(long now) {
        // Servers that stopped beating long ago are forgotten by whoever looks.
        call(() -> redis.zremrangeByScore(keys.nodes(), Double.NEGATIVE_INFINITY, (double) (now - 3_600_000)));
        List<String> ids = call(() -> redis.zrange(keys.nodes(), 0, -1));
        List<io.redtask.NodeInfo> out = new ArrayList<>();
        for (String id : ids) {
            String text = call(() -> redis.get(keys.node(id)));
            if (text != null) {
                out.add((io.redtask.NodeInfo) json.fromJson(text, io.redtask.NodeInfo.class));
            }
        }
        return out;
    }

    @Override
    public void requestConcurrency(String nodeId, int concurrency) {
        call(() -> redis.setex(keys.nodeConcurrencyRequest(nodeId), 3_600, Integer.toString(concurrency)));
    }

    @Override
    public Integer takeRequestedConcurrency(String nodeId) {
        String v = call(() -> redis.getDel(keys.nodeConcurrencyRequest(nodeId)));
        return v == null ? null : Integer.valueOf(v);
    }

    @Override
    public void removeNode(String nodeId) {
        call(() -> {
            redis.del(keys.node(nodeId));
            return redis.zrem(keys.nodes(), nodeId);
        });
    }

    /**
     * Redis's own settings that decide whether tasks are safe there: {@code maxmemory-policy},
     * {@code appendonly}, {@code save}. A setting Redis will not tell (CONFIG disabled, as on some
     * hosted services) is absent.
     */
    public Map<String, String> durabilitySettings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : List.of("maxmemory-policy", "appendonly", "save")) {
            try {
                out.putAll(call(() -> redis.configGet(name)));
            } catch (StoreUnavailableException e) {
                throw e;
            } catch (RuntimeException e) {
                // CONFIG is renamed or forbidden here, or not routable (a cluster): not knowing
                // is not a failure.
            }
        }
        return out;
    }

    @Override
    public void ping() {
        call(redis::ping);
    }

    @Override
    public void close() {
        redis.close();
    }

    /** The client, for operations and tests that read Redis directly. */
    public UnifiedJedis redis() {
        return redis;
    }

    /** The key names this store uses. */
    public Keys keys() {
        return keys;
    }

    private void rememberQueue(String queue) {
        // A separate command (the set lives in another cluster slot); once per queue per process.
        if (knownQueues.add(queue)) {
            try {
                call(() -> redis.sadd(keys.queues(), queue));
            } catch (RuntimeException e) {
                knownQueues.remove(queue);
                throw e;
            }
        }
    }

    private ScheduleDefinition definition(String text) {
        return (ScheduleDefinition) json.fromJson(text, ScheduleDefinition.class);
    }

    private static TaskStatus status(Map<String, String> h) {
        if (h == null || h.isEmpty() || !h.containsKey("state")) {
            return null;
        }
        long timeout = h.get("timeoutMs") == null ? 0 : Long.parseLong(h.get("timeoutMs"));
        String idem = h.get("idemKey");
        return new TaskStatus(h.get("id"), h.get("type"), h.get("queue"),
                TaskState.fromWireName(h.get("state")), intOf(h.get("attempts")), intOf(h.get("maxAttempts")),
                h.get("result"), h.get("error"), instant(h.get("createdAt")), instant(h.get("startedAt")),
                instant(h.get("finishedAt")), intOf(h.get("priority")), instant(h.get("runAt")),
                timeout > 0 ? Duration.ofMillis(timeout) : null, idem == null || idem.isEmpty() ? null : idem);
    }

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisConnectionException e) {
            throw new StoreUnavailableException("Redis is unreachable: " + e.getMessage(), e);
        } catch (JedisException e) {
            // Also the pool's "could not get a resource" when every connection is busy or broken.
            if (e.getCause() instanceof java.util.NoSuchElementException || e.getCause() instanceof JedisConnectionException) {
                throw new StoreUnavailableException("Redis is unreachable: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof String s) {
            return Long.parseLong(s);
        }
        throw new IllegalStateException("expected a number from Redis, got " + o);
    }

    private static long optionalLong(Object o, long fallback) {
        if (o == null || (o instanceof String s && s.isEmpty())) {
            return fallback;
        }
        return asLong(o);
    }

    private static int intOf(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    private static Instant instant(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
