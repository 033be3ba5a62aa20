package io.redtask.redis;

import io.redtask.store.TaskIds;

/**
 * Every Redis key RedTask uses, in one place. All keys of one queue carry the queue's hash tag
 * ({@code {queue}}), so each queue lives in one Redis Cluster slot and its scripts stay atomic.
 * A sharded queue ({@code redtask.queue.<q>.shards}) is several such queues: shard 0 is {@code q}
 * itself, shard k an internal queue {@code q.<k>[.<s>]} ({@link io.redtask.store.ShardNames}) with
 * the same keys under its own tag; the layout is in shard 0's {@code config} hash ({@code shards},
 * {@code shardNames}).
 *
 * <pre>
 * &lt;prefix&gt;:{q}:queued:&lt;type&gt; zset tasks of one type ready to run, named by their ids without
 *                              the "q:" part (the ULID); score = priority band + FIFO sequence (one
 *                              scale for all types of the queue)
 * &lt;prefix&gt;:{q}:ready:&lt;type&gt; zset the same with whole ids, as earlier versions kept them; claims
 *                              move what is left in it
 * &lt;prefix&gt;:{q}:types       set   the task types that have a ready set in q
 * &lt;prefix&gt;:{q}:scheduled   zset  task ids waiting for a time; score = due time (ms)
 * &lt;prefix&gt;:{q}:active      zset  task ids held by workers; score = lease deadline (ms)
 * &lt;prefix&gt;:{q}:dead        zset  task ids that failed for good; score = time of death (ms)
 * &lt;prefix&gt;:{q}:lingering   zset  id:token of stopped attempts whose handlers still run; score = lease (ms)
 * &lt;prefix&gt;:{q}:seq         string FIFO counter
 * &lt;prefix&gt;:{q}:wake        list  wake-up tokens for fetchers blocked on an empty queue
 * &lt;prefix&gt;:{q}:task:&lt;id&gt;   hash  the task: type, payload, state, attempts, result, times
 * &lt;prefix&gt;:{q}:idem:&lt;key&gt;  string the id of the task submitted with an idempotency key
 * &lt;prefix&gt;:{q}:cron:&lt;name&gt;:&lt;slot&gt; string the id of the task a schedule's slot created
 * &lt;prefix&gt;:{q}:config      hash  queue settings shared by all servers: paused, concurrency; on
 *                              shard 0 of a sharded queue its layout: shards, shardNames
 * &lt;prefix&gt;:{q}:stats       hash  counters: completed, failed, dead
 * &lt;prefix&gt;:{q}:stats:&lt;n&gt;   hash  the same counters for 10-second bucket n (expire after minutes)
 * &lt;prefix&gt;:{:cron}:defs    hash  recurring schedules: name -&gt; definition (JSON); one slot for all
 * &lt;prefix&gt;:{:cron}:next    zset  their next slots: name -&gt; time (ms)
 * &lt;prefix&gt;:{:cron}:pending hash  slots moved on whose tasks may not be stored yet
 * &lt;prefix&gt;:nodes           zset  servers with workers: node id -&gt; last heartbeat (ms)
 * &lt;prefix&gt;:node:&lt;id&gt;       string a server's last heartbeat (JSON), expires when it stops beating
 * &lt;prefix&gt;:node:&lt;id&gt;:concurrency string a concurrency change asked of that server
 * &lt;prefix&gt;:queues          set   every queue ever used (for operators' lists)
 * &lt;prefix&gt;:layout          string the layout of the task hashes under this prefix ({@link StoreLayout})
 * </pre>
 */
public final class Keys {

    private final String prefix;

    /** @param prefix the first part of every key, so several applications can share a Redis */
    public Keys(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
            throw new IllegalArgumentException("key prefix must be non-blank and free of braces: " + prefix);
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    private String queueKey(String queue, String suffix) {
        return prefix + ":{" + queue + "}:" + suffix;
    }

    /**
     * The tasks of {@code type} ready to run. One set per type, so a server claims only the types
     * it has handlers for; all share one score scale, so claims keep the queue's order across them.
     */
    public String ready(String queue, String type) {
        return readyPrefix(queue) + type;
    }

    /** The single ready set of versions before ready sets per type; claims migrate what is left in it. */
    public String legacyReady(String queue) {
        return queueKey(queue, "ready");
    }

    /**
     * The prefix of a queue's ready sets; scripts append the type. Their members are task ids
     * without the queue part (lib_fields.lua: member_of): 16 bytes less per queued task.
     */
    public String readyPrefix(String queue) {
        return queueKey(queue, "queued:");
    }

    /** The ready set of {@code type} as earlier versions kept it, with whole ids; claims empty it. */
    public String olderReady(String queue, String type) {
        return queueKey(queue, "ready:") + type;
    }

    /** The task types of a queue that have (or had) a ready set. */
    public String types(String queue) {
        return queueKey(queue, "types");
    }

    public String scheduled(String queue) {
        return queueKey(queue, "scheduled");
    }

    public String active(String queue) {
        return queueKey(queue, "active");
    }

    /** Attempts stopped (timed out, cancelled) whose handlers have not returned: they still count against limits. */
    public String lingering(String queue) {
        return queueKey(queue, "lingering");
    }

    public String dead(String queue) {
        return queueKey(queue, "dead");
    }

    public String sequence(String queue) {
        return queueKey(queue, "seq");
    }

    public String wake(String queue) {
        return queueKey(queue, "wake");
    }

    /** The key of an idempotency key's first task. */
    public String idempotency(String queue, String key) {
        return dedupe(queue, io.redtask.store.NewTask.dedupeKeyOf(null, key));
    }

    /** The key that refuses a second task under {@code dedupeKey} ({@code idem:<key>} or {@code cron:<name>:<slot>}). */
    public String dedupe(String queue, String dedupeKey) {
        return queueKey(queue, dedupeKey);
    }

    public String settings(String queue) {
        return queueKey(queue, "config");
    }

    /**
     * Recurring schedules by name. All schedules share one hash tag ({@code {:cron}}, which no
     * queue name can take), so saving one is one atomic script even on a cluster.
     */
    public String cronDefinitions() {
        return prefix + ":{:cron}:defs";
    }

    /** The next slot of every schedule. */
    public String cronNext() {
        return prefix + ":{:cron}:next";
    }

    /** Slots moved on whose tasks may not be stored yet: "name|slot" -> "queue|since". */
    public String cronPending() {
        return prefix + ":{:cron}:pending";
    }

    public String stats(String queue) {
        return queueKey(queue, "stats");
    }

    /** The length of one bucket of the per-minute counters. */
    public static final long STATS_BUCKET_MILLIS = 10_000;

    /** The counters of bucket {@code bucket} (epoch milliseconds / {@link #STATS_BUCKET_MILLIS}). */
    public String statsBucket(String queue, long bucket) {
        return queueKey(queue, "stats:" + bucket);
    }

    /** The counters' bucket that holds instant {@code millis}. */
    public String statsBucketAt(String queue, long millis) {
        return statsBucket(queue, millis / STATS_BUCKET_MILLIS);
    }

    public String nodes() {
        return prefix + ":nodes";
    }

    public String node(String nodeId) {
        return prefix + ":node:" + nodeId;
    }

    /** A concurrency change asked of a server by an operator elsewhere. */
    public String nodeConcurrencyRequest(String nodeId) {
        return prefix + ":node:" + nodeId + ":concurrency";
    }

    public String queues() {
        return prefix + ":queues";
    }

    /** The layout marker: which layout the task hashes under this prefix have ({@link StoreLayout}). */
    public String layout() {
        return prefix + ":layout";
    }

    /** The prefix of a queue's task hashes; scripts append the id. */
    public String taskPrefix(String queue) {
        return queueKey(queue, "task:");
    }

    /** The hash of task {@code id} (its queue is part of the id). */
    public String task(String id) {
        return taskPrefix(TaskIds.queueOf(id)) + id;
    }
}
