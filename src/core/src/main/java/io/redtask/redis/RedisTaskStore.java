package io.redtask.redis;

import io.redtask.IdempotencyConflictException;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.ClaimedTask;
import io.redtask.store.EnqueueResult;
import io.redtask.store.FailOutcome;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static io.redtask.redis.RedisCalls.asLong;
import static io.redtask.redis.RedisCalls.call;

/**
 * {@link TaskStore} on Redis: each state change is one Lua script from this package
 * ({@code *.lua}, each with a header naming its KEYS, ARGV and result), keys from {@link Keys},
 * task fields from {@link TaskRecord}.
 */
final class RedisTaskStore implements TaskStore {

    private final UnifiedJedis redis;
    private final ScriptRunner scripts;
    private final Keys keys;
    private final RedisQueueStore queues;
    private final StoreSettings settings;
    private final LuaScript enqueue = LuaScript.load("enqueue");
    private final LuaScript claim = LuaScript.load("claim");
    private final LuaScript complete = LuaScript.load("complete");
    private final LuaScript fail = LuaScript.load("fail");
    private final LuaScript extend = LuaScript.load("extend");
    private final LuaScript release = LuaScript.load("release");
    private final LuaScript cancel = LuaScript.load("cancel");
    private final LuaScript recover = LuaScript.load("recover");
    private final LuaScript wake = LuaScript.load("wake");
    private final Map<String, CompletionCombiner> completions = new ConcurrentHashMap<>();
    private final LegacySweeps sweeps = new LegacySweeps();

    RedisTaskStore(
            UnifiedJedis redis, ScriptRunner scripts, Keys keys, RedisQueueStore queues, StoreSettings settings) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.queues = queues;
        this.settings = settings;
    }

    @Override
    public List<EnqueueResult> enqueue(String queue, List<NewTask> tasks, long now) {
        return enqueue(queue, tasks, now, null, 0).results();
    }

    @Override
    public Enqueued enqueue(String queue, List<NewTask> tasks, long now, NextClaim claim, int max) {
        if (tasks.isEmpty()) {
            return new Enqueued(List.of(), List.of());
        }
        queues.remember(queue);
        boolean claiming = claim != null && max > 0;
        List<String> k = new ArrayList<>(
                4 + 3 * tasks.size() + (claiming ? 4 + claim.types().size() : 0));
        k.addAll(List.of(keys.types(queue), keys.scheduled(queue), keys.sequence(queue), keys.wake(queue)));
        List<String> a = new ArrayList<>(8 + 24 * tasks.size());
        a.add(Long.toString(now));
        a.add("0"); // how many claim keys end KEYS: set below
        if (claiming) {
            a.addAll(List.of(
                    Integer.toString(max),
                    Long.toString(claim.leaseMillis()),
                    claim.owner(),
                    keys.taskPrefix(queue),
                    Long.toString(settings.keepDeadMillis()),
                    settings.clustered() ? "1" : "0"));
        }
        for (NewTask t : tasks) {
            if (!t.queue().equals(queue)) {
                throw new IllegalArgumentException("task " + t.id() + " is not of queue " + queue);
            }
            k.add(keys.task(t.id()));
            // A task without a dedupe key still names a key of its queue, so all keys share one slot.
            k.add(t.dedupeKey() == null ? keys.settings(queue) : keys.dedupe(queue, t.dedupeKey()));
            k.add(keys.ready(queue, t.type()));
            TaskRecord.appendNew(a, t);
        }
        if (claiming) {
            int before = k.size();
            k.addAll(List.of(keys.active(queue), keys.settings(queue), keys.dead(queue), keys.lingering(queue)));
            claim.types().forEach(type -> k.add(keys.ready(queue, type)));
            a.set(1, Integer.toString(k.size() - before));
        }
        List<?> r = (List<?>) call(() -> scripts.runDurably(enqueue, k, a, settings.durability()));
        if ("conflicts".equals(r.get(0))) {
            List<?> c = (List<?>) r.get(1);
            int position = (int) asLong(c.get(2)) - 1;
            throw new IdempotencyConflictException(
                    tasks.size() == 1 ? "idempotencyKey" : "tasks[" + position + "].idempotencyKey", (String) c.get(1));
        }
        List<EnqueueResult> out = new ArrayList<>(tasks.size());
        List<ClaimedTask> claimed = new ArrayList<>();
        for (int i = 0; i < r.size(); i += 2) {
            String state = (String) r.get(i);
            if ("claimed".equals(state)) {
                for (Object record : (List<?>) r.get(i + 1)) {
                    claimed.add(TaskRecord.claimed(record, now));
                }
                break;
            }
            String id = (String) r.get(i + 1);
            switch (state) {
                case "duplicate" -> out.add(new EnqueueResult(id, null, true));
                // Stored by an earlier try of this write whose reply was lost (a transaction's write
                // at commit is retried): stored, then; the caller reads its state if it needs it.
                case "again" -> out.add(new EnqueueResult(id, null, false));
                case "exists" -> throw new IllegalStateException("task id " + id + " is taken by another task");
                default -> out.add(new EnqueueResult(id, TaskState.fromWireName(state), false));
            }
        }
        return new Enqueued(out, claimed);
    }

    @Override
    public ClaimBatch claim(
            String queue,
            int max,
            long now,
            long leaseMillis,
            String owner,
            Collection<String> types,
            String claimId,
            long leaseUntil,
            boolean repeat) {
        List<String> k = new ArrayList<>(8 + types.size());
        k.addAll(List.of(
                keys.active(queue),
                keys.scheduled(queue),
                keys.wake(queue),
                keys.settings(queue),
                keys.sequence(queue),
                keys.dead(queue),
                keys.lingering(queue),
                keys.types(queue),
                keys.legacyReady(queue)));
        types.forEach(t -> k.add(keys.ready(queue, t)));
        List<String> a = List.of(
                Long.toString(now),
                Long.toString(leaseMillis),
                Integer.toString(max),
                owner,
                keys.taskPrefix(queue),
                Integer.toString(settings.promoteBatch()),
                Long.toString(settings.keepDeadMillis()),
                keys.readyPrefix(queue),
                settings.clustered() ? "1" : "0",
                claimId == null ? "" : claimId,
                claimId == null ? "" : Long.toString(leaseUntil),
                claimId != null && repeat ? "1" : "0");
        List<?> reply = (List<?>) call(() -> scripts.run(claim, k, a));
        List<ClaimedTask> tasks = new ArrayList<>(reply.size() - 1);
        long throttledUntil = -1;
        for (int i = 1; i < reply.size(); i++) {
            if (reply.get(i) instanceof List<?> record) {
                tasks.add(TaskRecord.claimed(record, now));
            } else if (reply.get(i) instanceof String seen) {
                sweeps.seen(queue, seen); // lib_claim.lua's sweep_reply: what its look saw
            } else {
                throttledUntil = asLong(reply.get(i)); // lib_limits.lua: the rate limit held the claim back
            }
        }
        return new ClaimBatch(tasks, asLong(reply.get(0)), throttledUntil);
    }

    @Override
    public Completion complete(ClaimedTask t, String resultJson, long now, NextClaim next) {
        CompletionCombiner combiner =
                completions.computeIfAbsent(t.queue(), q -> new CompletionCombiner(batch -> completeAll(q, batch)));
        return combiner.complete(new CompletionCombiner.Pending(t, resultJson, now, next));
    }

    /** One complete.lua call for completions of queue {@code q}, all asking for next tasks alike (or none). */
    List<Completion> completeAll(String q, List<CompletionCombiner.Pending> batch) {
        NextClaim next = null;
        long now = 0;
        for (CompletionCombiner.Pending p : batch) {
            now = Math.max(now, p.now);
            if (next == null) {
                next = p.next;
            }
        }
        boolean sweeping = next != null && sweeps.due(q);
        List<String> a = new ArrayList<>(11 + 5 * batch.size());
        a.addAll(List.of(
                Long.toString(settings.keepSucceededMillis()),
                // The bucket's expiry is set once, by its first completion (complete.lua): a
                // bucket's length more, so it still lives the whole window after its bucket ends.
                Long.toString(settings.statsWindowMillis() + Keys.STATS_BUCKET_MILLIS),
                next == null ? "0" : Long.toString(next.leaseMillis()),
                next == null ? "" : next.owner(),
                keys.taskPrefix(q),
                Integer.toString(settings.promoteBatch()),
                Long.toString(settings.keepDeadMillis()),
                keys.readyPrefix(q),
                settings.clustered() ? "1" : "0",
                // The latest of the callers' times: a next task's lease begins no earlier than any
                // caller believes, so none of them keeps a task past the lease Redis records.
                Long.toString(now),
                sweeping ? "1" : "0"));
        for (CompletionCombiner.Pending p : batch) {
            a.add(p.task.id());
            a.add(Long.toString(p.task.token()));
            a.add(Long.toString(p.now));
            a.add(p.resultJson == null ? "null" : p.resultJson);
            a.add(p.next == null ? "0" : "1");
        }
        List<String> k = new ArrayList<>(List.of(
                keys.active(q),
                keys.stats(q),
                keys.statsBucketAt(q, now),
                keys.types(q),
                keys.settings(q),
                keys.scheduled(q),
                keys.sequence(q),
                keys.dead(q),
                keys.lingering(q)));
        if (next != null) {
            next.types().forEach(type -> k.add(keys.ready(q, type)));
        }
        List<?> r = (List<?>) call(() -> scripts.runDurably(complete, k, a, settings.durability()));
        if (r.size() > batch.size() && r.get(batch.size()) instanceof String seen) {
            sweeps.seen(q, seen); // lib_claim.lua's sweep_reply, after the answers
        }
        List<Completion> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            List<?> one = (List<?>) r.get(i);
            long claimedAt = batch.get(i).now;
            out.add(new Completion(
                    asLong(one.get(0)) == 1, one.size() > 1 ? TaskRecord.claimed(one.get(1), claimedAt) : null));
        }
        return out;
    }

    @Override
    public FailOutcome fail(ClaimedTask t, String error, long retryAt, long now, boolean stillRunning) {
        String q = t.queue();
        String r = (String) call(() -> scripts.run(
                fail,
                List.of(
                        keys.task(t.id()),
                        keys.active(q),
                        keys.ready(q, t.type()),
                        keys.scheduled(q),
                        keys.dead(q),
                        keys.wake(q),
                        keys.stats(q),
                        keys.statsBucketAt(q, now),
                        keys.sequence(q),
                        keys.lingering(q)),
                List.of(
                        t.id(),
                        Long.toString(t.token()),
                        Long.toString(now),
                        error == null ? "" : error,
                        Long.toString(retryAt),
                        Long.toString(settings.keepDeadMillis()),
                        Long.toString(settings.statsWindowMillis()),
                        stillRunning ? "1" : "0")));
        return switch (r) {
            case "retry" -> FailOutcome.RETRY;
            case "scheduled" -> FailOutcome.SCHEDULED;
            case "dead" -> FailOutcome.DEAD;
            case "stale" -> FailOutcome.STALE;
            default -> throw new IllegalStateException("fail.lua answered " + r);
        };
    }

    @Override
    public void unlinger(ClaimedTask t) {
        call(() -> redis.zrem(keys.lingering(t.queue()), lingeringMember(t)));
    }

    @Override
    public void extendLingering(String queue, List<ClaimedTask> tasks, long until) {
        if (tasks.isEmpty()) {
            return;
        }
        Map<String, Double> members = new LinkedHashMap<>();
        tasks.forEach(t -> members.put(lingeringMember(t), (double) until));
        call(() -> redis.zadd(
                keys.lingering(queue), members, ZAddParams.zAddParams().xx()));
    }

    /** How cancel.lua and fail.lua name a stopped attempt in the lingering set. */
    private static String lingeringMember(ClaimedTask t) {
        return t.id() + ":" + t.token();
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
        List<?> r = (List<?>) call(() -> scripts.run(extend, List.of(keys.active(queue)), a));
        List<Boolean> out = new ArrayList<>(r.size());
        for (Object o : r) {
            out.add(asLong(o) == 1);
        }
        return out;
    }

    @Override
    public boolean release(ClaimedTask t) {
        String q = t.queue();
        Object r = call(() -> scripts.run(
                release,
                List.of(keys.task(t.id()), keys.active(q), keys.ready(q, t.type()), keys.wake(q)),
                List.of(t.id(), Long.toString(t.token()))));
        return asLong(r) == 1;
    }

    @Override
    public Optional<TaskState> cancel(String id, long now) {
        if (!TaskIds.isWellFormed(id)) {
            return Optional.empty();
        }
        String q = TaskIds.queueOf(id);
        String previous = (String) call(() -> scripts.run(
                cancel,
                List.of(keys.task(id), keys.scheduled(q), keys.active(q), keys.lingering(q)),
                List.of(id, Long.toString(now), Long.toString(settings.keepSucceededMillis()), keys.readyPrefix(q))));
        return "missing".equals(previous) ? Optional.empty() : Optional.of(TaskState.fromWireName(previous));
    }

    @Override
    public RecoveryResult recoverExpired(String queue, long now, int max) {
        List<?> r = (List<?>) call(() -> scripts.run(
                recover,
                List.of(keys.active(queue), keys.types(queue), keys.dead(queue), keys.wake(queue)),
                List.of(
                        Long.toString(now),
                        Integer.toString(max),
                        keys.taskPrefix(queue),
                        Long.toString(settings.keepDeadMillis()),
                        Integer.toString(settings.maxStalls()),
                        keys.readyPrefix(queue),
                        settings.clustered() ? "1" : "0")));
        int requeued = (int) asLong(r.get(0));
        int dead = (int) asLong(r.get(1));
        return requeued == 0 && dead == 0 ? RecoveryResult.NONE : new RecoveryResult(requeued, dead);
    }

    @Override
    public boolean awaitWork(String queue, long timeoutMillis) {
        // BLPOP's timeout is in seconds (fractions allowed); 0 would mean forever.
        double seconds = Math.max(timeoutMillis, 10) / 1000.0;
        return call(() -> redis.blpop(seconds, keys.wake(queue))) != null;
    }

    @Override
    public void passWake(String queue) {
        call(() -> scripts.run(wake, List.of(keys.wake(queue)), List.of()));
    }

    @Override
    public Optional<TaskStatus> find(String id) {
        if (!TaskIds.isWellFormed(id)) {
            return Optional.empty();
        }
        return Optional.ofNullable(TaskRecord.status(id, call(() -> redis.hgetAll(keys.task(id)))));
    }

    @Override
    public Optional<String> findByIdempotencyKey(String queue, String submittedBy, String key) {
        // The key holds "<id>|<fingerprint>" (lib_add_task.lua).
        String v = call(() -> redis.get(keys.dedupe(queue, NewTask.dedupeKeyOf(submittedBy, key))));
        return v == null ? Optional.empty() : Optional.of(v.contains("|") ? v.substring(0, v.indexOf('|')) : v);
    }

    @Override
    public Map<String, TaskStatus> findAll(List<String> ids) {
        Map<String, TaskStatus> out = new LinkedHashMap<>();
        List<String> valid =
                ids.stream().filter(TaskIds::isWellFormed).distinct().toList();
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
            TaskStatus s = TaskRecord.status(id, r.get());
            if (s != null) {
                out.put(id, s);
            }
        });
        return out;
    }
}
