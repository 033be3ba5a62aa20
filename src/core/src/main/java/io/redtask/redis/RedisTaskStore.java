package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.ClaimedTask;
import io.redtask.engine.FailOutcome;
import io.redtask.engine.NewTask;
import io.redtask.engine.TaskIds;
import io.redtask.engine.TaskStore;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private final long keepSucceededMillis;
    private final long keepDeadMillis;
    private final int maxStalls;
    private final LuaScript enqueue = LuaScript.load("enqueue");
    private final LuaScript claim = LuaScript.load("claim");
    private final LuaScript complete = LuaScript.load("complete");
    private final LuaScript fail = LuaScript.load("fail");
    private final LuaScript extend = LuaScript.load("extend");
    private final LuaScript release = LuaScript.load("release");
    private final LuaScript recover = LuaScript.load("recover");

    /**
     * @param redis         the client; this store closes it in {@link #close()}
     * @param keys          key names
     * @param keepSucceeded how long a succeeded task's record and result are kept
     * @param keepDead      how long a dead task's record is kept
     * @param maxStalls     how many lost leases a task survives before it is dead
     */
    public RedisTaskStore(UnifiedJedis redis, Keys keys, Duration keepSucceeded, Duration keepDead, int maxStalls) {
        this.redis = redis;
        this.keys = keys;
        this.keepSucceededMillis = keepSucceeded.toMillis();
        this.keepDeadMillis = keepDead.toMillis();
        this.maxStalls = maxStalls;
    }

    @Override
    public boolean enqueue(NewTask t, long now) {
        String q = t.queue();
        Object state = call(() -> enqueue.run(redis,
                List.of(keys.task(t.id()), keys.ready(q), keys.scheduled(q), keys.sequence(q), keys.wake(q)),
                List.of(t.id(), t.type(), q, t.payloadJson(), Integer.toString(t.maxAttempts()),
                        Integer.toString(t.priority()), Long.toString(now), Long.toString(t.dueAt()))));
        return !"exists".equals(state);
    }

    @Override
    public ClaimBatch claim(String queue, int max, long now, long leaseMillis, String owner) {
        List<?> reply = (List<?>) call(() -> claim.run(redis,
                List.of(keys.ready(queue), keys.active(queue), keys.scheduled(queue), keys.wake(queue)),
                List.of(Long.toString(now), Long.toString(leaseMillis), Integer.toString(max), owner,
                        keys.taskPrefix(queue), Integer.toString(PROMOTE_PER_CLAIM))));
        long nextDue = asLong(reply.get(0));
        List<ClaimedTask> tasks = new ArrayList<>((reply.size() - 1) / 6);
        for (int i = 1; i + 5 < reply.size(); i += 6) {
            tasks.add(new ClaimedTask((String) reply.get(i), queue, (String) reply.get(i + 1),
                    (String) reply.get(i + 2), (int) asLong(reply.get(i + 3)), asLong(reply.get(i + 4)),
                    (int) asLong(reply.get(i + 5))));
        }
        return new ClaimBatch(tasks, nextDue);
    }

    @Override
    public boolean complete(ClaimedTask t, String resultJson, long now) {
        Object r = call(() -> complete.run(redis, List.of(keys.task(t.id()), keys.active(t.queue())),
                List.of(t.id(), Long.toString(t.token()), Long.toString(now), resultJson == null ? "null" : resultJson,
                        Long.toString(keepSucceededMillis))));
        return asLong(r) == 1;
    }

    @Override
    public FailOutcome fail(ClaimedTask t, String error, long retryAt, long now) {
        String q = t.queue();
        Object r = call(() -> fail.run(redis,
                List.of(keys.task(t.id()), keys.active(q), keys.ready(q), keys.scheduled(q), keys.dead(q), keys.wake(q)),
                List.of(t.id(), Long.toString(t.token()), Long.toString(now), error == null ? "" : error,
                        Long.toString(retryAt), Long.toString(keepDeadMillis))));
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
    public boolean extend(ClaimedTask t, long leaseUntil) {
        Object r = call(() -> extend.run(redis, List.of(keys.task(t.id()), keys.active(t.queue())),
                List.of(t.id(), Long.toString(t.token()), Long.toString(leaseUntil))));
        return asLong(r) == 1;
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
        Map<String, String> h = call(() -> redis.hgetAll(keys.task(id)));
        if (h == null || h.isEmpty() || !h.containsKey("state")) {
            return Optional.empty();
        }
        return Optional.of(new TaskStatus(h.get("id"), h.get("type"), h.get("queue"),
                TaskState.fromWireName(h.get("state")), intOf(h.get("attempts")), intOf(h.get("maxAttempts")),
                h.get("result"), h.get("error"), instant(h.get("createdAt")), instant(h.get("startedAt")),
                instant(h.get("finishedAt"))));
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

    private static int intOf(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    private static Instant instant(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
