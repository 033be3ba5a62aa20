package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The task hash in Redis and the Java types it maps to: the one place that names its fields.
 * Lua scripts write new tasks from the name/value pairs {@link #appendNew} sends and answer claims
 * with the hash itself (HGETALL), so a new field touches this class, the script that changes it,
 * and the API type that shows it.
 */
final class TaskRecord {

    private static final Logger LOG = Logger.getLogger(TaskRecord.class.getName());

    static final String ID = "id";
    static final String TYPE = "type";
    static final String QUEUE = "queue";
    static final String PAYLOAD = "payload";
    static final String STATE = "state";
    static final String ATTEMPTS = "attempts";
    static final String MAX_ATTEMPTS = "maxAttempts";
    static final String PRIORITY = "priority";
    static final String FENCE = "fence";
    static final String CREATED_AT = "createdAt";
    static final String RUN_AT = "runAt";
    static final String STARTED_AT = "startedAt";
    static final String FINISHED_AT = "finishedAt";
    static final String TIMEOUT_MS = "timeoutMs";
    static final String IDEMPOTENCY_KEY = "idemKey";
    static final String BACKOFF_BASE = "backoffBase";
    static final String BACKOFF_CAP = "backoffCap";
    static final String RESULT = "result";
    static final String ERROR = "error";
    static final String SUBMITTED_BY = "submittedBy";
    /** The task's group (lib_limits.lua serves a queue's groups in turn). */
    static final String GROUP = "group";
    /** The submitter's W3C traceparent; absent (no memory) for tasks submitted outside a trace. */
    static final String TRACE = "trace";
    /** Instructions to lib_add_task.lua, not stored: when the task is due, how long its dedupe key lives. */
    static final String DUE_AT = "dueAt";

    static final String DEDUPE_MS = "dedupeMs";
    static final String FINGERPRINT = "fingerprint";

    private TaskRecord() {}

    /**
     * Appends a new task as lib_add_task.lua reads it: a count, then name/value pairs. Fields at
     * their defaults are left out, so they cost no memory in Redis.
     */
    static void appendNew(List<String> args, NewTask t) {
        int countAt = args.size();
        args.add("");
        put(args, ID, t.id());
        put(args, TYPE, t.type());
        put(args, QUEUE, t.queue());
        put(args, PAYLOAD, t.payloadJson() == null ? "null" : t.payloadJson());
        put(args, MAX_ATTEMPTS, Integer.toString(t.maxAttempts()));
        put(args, PRIORITY, Integer.toString(t.priority()));
        put(args, DUE_AT, Long.toString(t.dueAt()));
        if (t.timeoutMillis() > 0) {
            put(args, TIMEOUT_MS, Long.toString(t.timeoutMillis()));
        }
        if (t.idempotencyKey() != null) {
            put(args, IDEMPOTENCY_KEY, t.idempotencyKey());
        }
        if (t.dedupeKey() != null) {
            put(args, DEDUPE_MS, Long.toString(Math.max(1, t.dedupeWindowMs())));
            if (t.fingerprint() != null) {
                put(args, FINGERPRINT, t.fingerprint());
            }
        }
        if (t.submittedBy() != null) {
            put(args, SUBMITTED_BY, t.submittedBy());
        }
        if (t.group() != null) {
            put(args, GROUP, t.group());
        }
        if (t.trace() != null) {
            put(args, TRACE, t.trace());
        }
        if (t.backoffBaseMillis() >= 0 && t.backoffCapMillis() >= 0) {
            put(args, BACKOFF_BASE, Long.toString(t.backoffBaseMillis()));
            put(args, BACKOFF_CAP, Long.toString(t.backoffCapMillis()));
        }
        args.set(countAt, Integer.toString((args.size() - countAt - 1) / 2));
    }

    private static void put(List<String> args, String name, String value) {
        args.add(name);
        args.add(value);
    }

    /** A task just claimed, from its hash as the claim script answers it (name/value pairs). */
    static ClaimedTask claimed(Object reply, long now) {
        Map<String, String> h = RedisCalls.pairs((List<?>) reply);
        return new ClaimedTask(
                h.get(ID),
                h.get(QUEUE),
                h.get(TYPE),
                h.get(PAYLOAD),
                intOf(h.get(ATTEMPTS)),
                longOf(h.get(FENCE), 0),
                intOf(h.get(MAX_ATTEMPTS)),
                longOf(h.get(TIMEOUT_MS), 0),
                emptyToNull(h.get(IDEMPOTENCY_KEY)),
                longOf(h.get(BACKOFF_BASE), -1),
                longOf(h.get(BACKOFF_CAP), -1),
                longOf(h.get(RUN_AT), now),
                emptyToNull(h.get(TRACE)));
    }

    /**
     * A task as callers see it, from its hash; {@code null} when there is no such task, or when
     * its record is too damaged to show (an unknown state): one bad record must not break a list.
     */
    static TaskStatus status(Map<String, String> h) {
        if (h == null || h.isEmpty() || !h.containsKey(STATE)) {
            return null;
        }
        try {
            return read(h);
        } catch (RuntimeException e) {
            LOG.warning("RedTask: task record " + h.get(ID) + " cannot be read (" + e.getMessage() + "); left out");
            return null;
        }
    }

    private static TaskStatus read(Map<String, String> h) {
        long timeout = longOf(h.get(TIMEOUT_MS), 0);
        return new TaskStatus(
                h.get(ID),
                h.get(TYPE),
                io.redtask.store.ShardNames.queueOf(h.get(QUEUE)), // the queue, not its shard
                TaskState.fromWireName(h.get(STATE)),
                intOf(h.get(ATTEMPTS)),
                intOf(h.get(MAX_ATTEMPTS)),
                h.get(RESULT),
                h.get(ERROR),
                instant(h.get(CREATED_AT)),
                instant(h.get(STARTED_AT)),
                instant(h.get(FINISHED_AT)),
                intOf(h.get(PRIORITY)),
                instant(h.get(RUN_AT)),
                timeout > 0 ? Duration.ofMillis(timeout) : null,
                emptyToNull(h.get(IDEMPOTENCY_KEY)),
                emptyToNull(h.get(SUBMITTED_BY)),
                emptyToNull(h.get(TRACE)),
                emptyToNull(h.get(GROUP)));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // Lenient: a field that is not a number reads as absent. The claim script buries records whose
    // fields a worker needs are damaged; a reader shows what it can.
    private static int intOf(String s) {
        return (int) longOf(s, 0);
    }

    private static long longOf(String s, long fallback) {
        if (s == null || s.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Instant instant(String millis) {
        long ms = longOf(millis, Long.MIN_VALUE);
        return ms == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ms);
    }
}
