package io.redtask.redis;

/**
 * The keys of batches, beside a queue's other keys ({@link Keys}) and under its hash tag, so a
 * batch's record, members and callback share the queue's cluster slot. lib_batch.lua derives the
 * same names from a task's key.
 *
 * <pre>
 * &lt;prefix&gt;:{q}:batch:&lt;id&gt;      hash  total, pending, succeeded, dead, cancelled, state, callback,
 *                               createdAt, finishedAt, keepMs (expires keepMs after it is done)
 * &lt;prefix&gt;:{q}:batches:running zset  ids of batches still running; score = createdAt (ms)
 * &lt;prefix&gt;:{q}:batches:done    zset  ids of batches done and kept; score = finishedAt (ms)
 * </pre>
 */
final class BatchKeys {

    private final Keys keys;

    BatchKeys(Keys keys) {
        this.keys = keys;
    }

    private String queueKey(String queue, String suffix) {
        return keys.prefix() + ":{" + queue + "}:" + suffix;
    }

    /** The record of batch {@code id} of {@code queue}. */
    String batch(String queue, String id) {
        return queueKey(queue, "batch:" + id);
    }

    String running(String queue) {
        return queueKey(queue, "batches:running");
    }

    String done(String queue) {
        return queueKey(queue, "batches:done");
    }
}
