package io.redtask.redis;

import io.redtask.BatchCounts;
import io.redtask.BatchStatus;
import io.redtask.store.BatchStore;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.redtask.redis.RedisCalls.call;

/**
 * {@link BatchStore} on Redis: {@code batch_submit.lua} stores a batch; the scripts that end
 * tasks count their batch's members through {@code lib_batch.lua}.
 */
final class RedisBatchStore implements BatchStore {

    private final UnifiedJedis redis;
    private final ScriptRunner scripts;
    private final Keys keys;
    private final BatchKeys batchKeys;
    private final RedisQueueStore queues;
    private final StoreSettings settings;
    private final LuaScript submit = LuaScript.load("batch_submit");

    RedisBatchStore(
            UnifiedJedis redis, ScriptRunner scripts, Keys keys, RedisQueueStore queues, StoreSettings settings) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.batchKeys = new BatchKeys(keys);
        this.queues = queues;
        this.settings = settings;
    }

    @Override
    public void create(
            String queue,
            String batchId,
            List<NewTask> members,
            NewTask callback,
            String submittedBy,
            long keepMillis,
            long now) {
        queues.remember(queue);
        List<String> k = new ArrayList<>(8 + 2 * members.size());
        k.addAll(List.of(
                keys.types(queue),
                keys.scheduled(queue),
                keys.sequence(queue),
                keys.wake(queue),
                batchKeys.batch(queue, batchId),
                batchKeys.running(queue),
                callback == null ? keys.settings(queue) : keys.task(callback.id()),
                keys.settings(queue)));
        List<String> a = new ArrayList<>(4 + 20 * (members.size() + 1));
        a.add(Long.toString(now));
        a.add(batchId);
        a.add(Long.toString(keepMillis));
        a.add(callback == null ? "" : callback.id());
        a.add(submittedBy == null ? "" : submittedBy);
        if (callback != null) {
            requireQueue(callback, queue);
            TaskRecord.appendNew(a, callback);
        }
        for (NewTask t : members) {
            requireQueue(t, queue);
            if (t.dedupeKey() != null) {
                throw new IllegalArgumentException("batch member " + t.id() + " has a dedupe key");
            }
            k.add(keys.task(t.id()));
            k.add(keys.ready(queue, t.type()));
            int countAt = a.size();
            TaskRecord.appendNew(a, t);
            a.set(countAt, Integer.toString(Integer.parseInt(a.get(countAt)) + 1));
            a.add(TaskRecord.BATCH);
            a.add(batchId);
        }
        Object r = call(() -> scripts.runDurably(submit, k, a, settings.durability()));
        if (!"ok".equals(r)) {
            throw new IllegalStateException("batch " + batchId + " or one of its task ids is taken");
        }
    }

    private static void requireQueue(NewTask t, String queue) {
        if (!t.queue().equals(queue)) {
            throw new IllegalArgumentException("task " + t.id() + " is not of queue " + queue);
        }
    }

    @Override
    public Optional<BatchStatus> find(String batchId) {
        if (!TaskIds.isWellFormed(batchId)) {
            return Optional.empty();
        }
        String queue = TaskIds.queueOf(batchId);
        return Optional.ofNullable(status(batchId, queue, call(() -> redis.hgetAll(batchKeys.batch(queue, batchId)))));
    }

    @Override
    public List<BatchStatus> running(String queue, int max) {
        return read(queue, call(() -> redis.zrange(batchKeys.running(queue), 0, max - 1)));
    }

    @Override
    public List<BatchStatus> done(String queue, int max) {
        return read(queue, call(() -> redis.zrevrange(batchKeys.done(queue), 0, max - 1)));
    }

    private List<BatchStatus> read(String queue, List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Response<Map<String, String>>> replies = new ArrayList<>(ids.size());
        call(() -> {
            try (AbstractPipeline p = redis.pipelined()) {
                ids.forEach(id -> replies.add(p.hgetAll(batchKeys.batch(queue, id))));
                p.sync();
            }
            return null;
        });
        List<BatchStatus> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            BatchStatus s = status(ids.get(i), queue, replies.get(i).get());
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public BatchCounts counts(String queue) {
        long running = call(() -> redis.zcard(batchKeys.running(queue)));
        String done = call(() -> redis.hget(keys.stats(queue), "batchesDone"));
        return new BatchCounts(queue, running, done == null ? 0 : Long.parseLong(done));
    }

    private static BatchStatus status(String id, String queue, Map<String, String> h) {
        if (h == null || !h.containsKey("state")) {
            return null;
        }
        String callback = h.get("callback");
        String finished = h.get("finishedAt");
        return new BatchStatus(
                id,
                io.redtask.store.ShardNames.queueOf(queue), // the queue, not its shard
                intOf(h.get("total")),
                intOf(h.get("pending")),
                intOf(h.get("succeeded")),
                intOf(h.get("dead")),
                intOf(h.get("cancelled")),
                "done".equals(h.get("state")),
                callback == null || callback.isEmpty() ? null : callback,
                Instant.ofEpochMilli(longOf(h.get("createdAt"))),
                finished == null ? null : Instant.ofEpochMilli(longOf(finished)),
                h.get("submittedBy"));
    }

    private static int intOf(String s) {
        return (int) longOf(s);
    }

    private static long longOf(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
