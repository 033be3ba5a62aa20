package io.redtask.engine;

import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.InvalidRequestException;
import io.redtask.Submission;
import io.redtask.store.BatchStore;
import io.redtask.store.NewTask;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskIds;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;

import java.io.StringReader;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Batches: checks a batch and its callback as submits are checked, and stores them in one atomic
 * step. The counting itself happens in the store, in the same step as each member's end, so it
 * needs no server to stay alive (see {@link BatchStore}).
 */
final class Batches {

    /**
     * The most members of one batch: all are stored by one script, which holds Redis for the
     * time it takes: measured on a busy 2-core machine, 20 to 90 ms per thousand members, about as
     * long as submitAll's one script for the same tasks.
     */
    static final int MAX_TASKS = 10_000;

    /** The field of the callback's payload that receives the batch's summary. */
    static final String SUMMARY_FIELD = "batch";

    private final Submitter submitter;
    private final BatchStore store;
    private final HandlerCatalog handlers;
    private final JsonCodec codec;
    private final Clock clock;
    private final EngineSettings settings;
    private final MemoryGuard memory;
    private final QueueShards shards;

    Batches(
            Submitter submitter,
            BatchStore store,
            HandlerCatalog handlers,
            JsonCodec codec,
            Clock clock,
            EngineSettings settings,
            MemoryGuard memory,
            QueueShards shards) {
        this.shards = shards;
        this.submitter = submitter;
        this.store = store;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
        this.settings = settings;
        this.memory = memory;
    }

    /** Checks a batch and gives it and its tasks their ids, storing nothing. */
    PreparedBatch prepare(List<Submission> tasks, Submission onComplete) {
        if (tasks == null || tasks.isEmpty()) {
            throw new InvalidRequestException("tasks", "a batch needs at least one task");
        }
        if (tasks.size() > MAX_TASKS) {
            throw new InvalidRequestException(
                    "tasks", "a batch holds at most " + MAX_TASKS + " tasks; this one has " + tasks.size());
        }
        long now = clock.millis();
        // All of a batch in one shard of its queue: its record is counted down in the same script
        // as each member ends. The shard of its first grouped task's group, if any, keeps that
        // group exact; others in turn.
        String shard = shardOf(tasks);
        List<NewTask> members = submitter.prepareEach(tasks, now, shard);
        String queue = members.get(0).queue();
        for (int i = 0; i < members.size(); i++) {
            NewTask t = members.get(i);
            if (!t.queue().equals(queue)) {
                throw new InvalidRequestException(
                        "tasks[" + i + "].queue",
                        "a batch's tasks and its onComplete must all be in one queue (the first task's is '"
                                + ShardNames.queueOf(queue) + "', this one's '" + ShardNames.queueOf(t.queue()) + "')");
            }
            if (t.idempotencyKey() != null) {
                throw new InvalidRequestException(
                        "tasks[" + i + "].idempotencyKey",
                        "the tasks of a batch cannot have idempotency keys: a repeat would not be a member of"
                                + " the batch");
            }
        }
        NewTask callback = onComplete == null ? null : callback(onComplete, queue, now);
        return new PreparedBatch(TaskIds.next(queue, now), queue, members, callback);
    }

    /** The shard a batch goes to. */
    private String shardOf(List<Submission> tasks) {
        if (tasks.get(0) == null || tasks.get(0).options() == null) {
            return null; // prepareEach names the problem
        }
        String queue = tasks.get(0).options().queueName();
        String shard = null;
        String firstGroup = null;
        for (int i = 0; i < tasks.size(); i++) {
            Submission t = tasks.get(i);
            if (t == null
                    || t.options() == null
                    || !queue.equals(t.options().queueName())
                    || t.options().group() == null) {
                continue; // prepareEach names what is wrong with it
            }
            String group = t.options().group();
            String itsShard = shards.pick(queue, QueueShards.keyOf(group, null));
            if (shard == null) {
                shard = itsShard;
                firstGroup = group;
            } else if (!shard.equals(itsShard)) {
                // A group's running count lives in its shard: a member counted in another shard
                // would let the group run more at once than its limit.
                throw new InvalidRequestException(
                        "tasks[" + i + "].group",
                        "group '" + group + "' lives in another shard of queue '" + queue + "' than group '"
                                + firstGroup + "' of an earlier task, and a batch's tasks share one shard: use one"
                                + " group per batch on a sharded queue");
            }
        }
        return shard != null ? shard : shards.pick(queue, null);
    }

    private NewTask callback(Submission s, String queue, long now) {
        // Its shape first: a payload that cannot take the summary is the problem to name.
        String json;
        try {
            json = PayloadCheck.toJson(codec, s.payload());
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("onComplete." + e.field(), e.getMessage(), e);
        }
        withSummary(json);
        NewTask t;
        try {
            t = submitter.prepare(s, now, queue);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("onComplete." + e.field(), e.getMessage(), e);
        }
        if (!t.queue().equals(queue)) {
            throw new InvalidRequestException(
                    "onComplete.queue",
                    "a batch's tasks and its onComplete must all be in one queue (the tasks' is '"
                            + ShardNames.queueOf(queue) + "', onComplete's '" + ShardNames.queueOf(t.queue()) + "')");
        }
        if (t.idempotencyKey() != null) {
            throw new InvalidRequestException(
                    "onComplete.idempotencyKey", "a batch's callback cannot have an idempotency key");
        }
        if (t.group() != null) {
            // Released by the script that ends the last task, straight into the ready set: it
            // would bypass its group's turn and limit.
            throw new InvalidRequestException(
                    "onComplete.group", "a batch's callback cannot be in a group (its tasks can)");
        }
        if (s.options().delay() != null || s.options().runAt() != null) {
            throw new InvalidRequestException(
                    "onComplete." + (s.options().delay() != null ? "delay" : "runAt"),
                    "a batch's callback runs when its last task ends; it cannot have a delay or run-at time");
        }
        // The handler must be able to read the payload it will get: its own with the summary in it.
        String withSummary = withSummary(t.payloadJson());
        PayloadCheck.readable(codec, withSummary, handlers.require(t.type()));
        return t;
    }

    /** The payload with a zero summary in it, as a check of its shape (the store writes the real one). */
    private static String withSummary(String json) {
        JsonValue v;
        try {
            v = json == null
                    ? JsonValue.NULL
                    : Json.createReader(new StringReader(json)).readValue();
        } catch (JsonParsingException e) {
            throw new InvalidRequestException("onComplete.payload", "is not JSON: " + e.getMessage(), e);
        }
        if (v.getValueType() == JsonValue.ValueType.NULL) {
            return "{\"" + SUMMARY_FIELD + "\":{\"id\":\"\",\"total\":0,\"succeeded\":0,\"dead\":0,\"cancelled\":0}}";
        }
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidRequestException(
                    "onComplete.payload",
                    "must be a JSON object or null: the batch's summary is added to it as '" + SUMMARY_FIELD + "'");
        }
        JsonObject o = v.asJsonObject();
        if (o.containsKey(SUMMARY_FIELD)) {
            throw new InvalidRequestException(
                    "onComplete.payload." + SUMMARY_FIELD,
                    "is where the batch's summary goes; name your own field otherwise");
        }
        return Json.createObjectBuilder(o)
                .add(
                        SUMMARY_FIELD,
                        Json.createObjectBuilder()
                                .add("id", "")
                                .add("total", 0)
                                .add("succeeded", 0)
                                .add("dead", 0)
                                .add("cancelled", 0))
                .build()
                .toString();
    }

    /** Stores a prepared batch. */
    BatchReceipt store(PreparedBatch b) {
        memory.check();
        store.create(
                b.queue(),
                b.id(),
                b.members(),
                b.callback(),
                b.members().get(0).submittedBy(),
                settings.keepSucceeded().toMillis(),
                clock.millis());
        return b.receipt();
    }

    Optional<BatchStatus> find(String id) {
        return store.find(id);
    }
}
