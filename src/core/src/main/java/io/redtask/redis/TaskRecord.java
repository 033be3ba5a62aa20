package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The task hash in Redis and the Java types it maps to: the one place in Java that names its
 * fields (lib_fields.lua names them for the scripts, with the same short names). Lua scripts write
 * new tasks from the name/value pairs {@link #appendNew} sends and answer claims with the fields a
 * worker needs, so a new field touches this class, lib_fields.lua, the script that changes it, and
 * the API type that shows it.
 *
 * <p>The layout keeps a queued task small (see lib_fields.lua for the why): Redis stores a hash as
 * a compact listpack only while every name and value is at most {@code hash-max-listpack-value}
 * (64 bytes by default) long. So names are one or two characters; fields at their defaults are not
 * stored (attempts 0, fence 0, priority 0, maxAttempts {@link #DEFAULT_MAX_ATTEMPTS}, runAt equal
 * to createdAt, createdAt equal to the time in the id ({@link TaskIds#timeOf}), state queued for a
 * record that has a type but no state); the id and the queue are not stored (the key names the id,
 * which begins with the queue); and a payload longer than 64 bytes is stored in parts
 * ({@link #payloadField}).
 */
final class TaskRecord {

    private static final Logger LOG = Logger.getLogger(TaskRecord.class.getName());

    /** The id, in a claim's reply only (the task's key names it). */
    static final String ID = "id";

    static final String TYPE = "t";
    /** The payload, or its first part ({@link #payloadField}). */
    static final String PAYLOAD = "p";

    /** Absent in a record that has a type: queued (a new ready task stores none until it is claimed). */
    static final String STATE = "s";
    /** Absent: 0. */
    static final String ATTEMPTS = "a";
    /** Absent: {@link #DEFAULT_MAX_ATTEMPTS}. */
    static final String MAX_ATTEMPTS = "m";
    /** Absent: 0. */
    static final String PRIORITY = "pr";
    /** Absent: 0. */
    static final String FENCE = "f";

    /** Absent: the time in the task's id (its submitter made both from one clock reading). */
    static final String CREATED_AT = "c";
    /** Absent: the same as createdAt. */
    static final String RUN_AT = "ra";

    static final String STARTED_AT = "sa";
    static final String FINISHED_AT = "fa";
    static final String TIMEOUT_MS = "to";
    static final String IDEMPOTENCY_KEY = "ik";
    static final String BACKOFF_BASE = "bb";
    static final String BACKOFF_CAP = "bc";
    static final String RESULT = "re";
    static final String ERROR = "er";
    static final String SUBMITTED_BY = "by";
    /** The task's group (lib_limits.lua serves a queue's groups in turn). */
    static final String GROUP = "g";
    /** The submitter's W3C traceparent; absent (no memory) for tasks submitted outside a trace. */
    static final String TRACE = "tr";
    /** The batch a member belongs to (lib_batch.lua counts its end there). */
    static final String BATCH = "b";
    /** When the task took its place in the rate limit's window (lib_limits.lua). */
    static final String RATE_AT = "rt";
    /** Instructions to lib_add_task.lua, not stored: when the task is due, how long its dedupe key lives. */
    static final String DUE_AT = "du";

    static final String DEDUPE_MS = "dm";
    static final String FINGERPRINT = "fp";

    /**
     * The attempts of a task whose hash names none: {@link io.redtask.TaskType#maxAttempts()}'s
     * default (lib_fields.lua's DEFAULT_MAX_ATTEMPTS; a test checks they agree).
     */
    static final int DEFAULT_MAX_ATTEMPTS = 3;

    /**
     * Most parts a payload is stored in (lib_fields.lua's PAYLOAD_CHUNKS): a payload of more than
     * 64 bytes is cut, between characters, into parts of at most 64 bytes in the fields
     * {@code p, p1, p2, ...}; one that needs more parts is stored whole in {@code p}.
     */
    static final int PAYLOAD_CHUNKS = 16;

    /** The field of the payload's part {@code i} (0-based). */
    static String payloadField(int i) {
        return i == 0 ? PAYLOAD : PAYLOAD + i;
    }

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
        // lib_add_task.lua cuts the payload into parts (payloadField) as it stores it.
        put(args, PAYLOAD, t.payloadJson() == null ? "null" : t.payloadJson());
        if (t.maxAttempts() != DEFAULT_MAX_ATTEMPTS) {
            put(args, MAX_ATTEMPTS, Integer.toString(t.maxAttempts()));
        }
        if (t.priority() != 0) {
            put(args, PRIORITY, Integer.toString(t.priority()));
        }
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

    /**
     * A task just claimed, from the name/value pairs the claim script answers (lib_claim.lua's
     * claimed_record: the id, the payload joined, fields at their defaults left out).
     */
    static ClaimedTask claimed(Object reply, long now) {
        Map<String, String> h = RedisCalls.pairs((List<?>) reply);
        String id = h.get(ID);
        return new ClaimedTask(
                id,
                TaskIds.queueOf(id),
                h.get(TYPE),
                h.get(PAYLOAD),
                intOf(h.get(ATTEMPTS)),
                longOf(h.get(FENCE), 0),
                maxAttemptsOf(h),
                longOf(h.get(TIMEOUT_MS), 0),
                emptyToNull(h.get(IDEMPOTENCY_KEY)),
                longOf(h.get(BACKOFF_BASE), -1),
                longOf(h.get(BACKOFF_CAP), -1),
                longOf(h.get(RUN_AT), longOf(h.get(CREATED_AT), createdFromId(id, now))),
                emptyToNull(h.get(TRACE)));
    }

    /**
     * Task {@code id} as callers see it, from its hash; {@code null} when there is no such task,
     * or when its record is too damaged to show (an unknown state): one bad record must not break
     * a list.
     */
    static TaskStatus status(String id, Map<String, String> h) {
        // A record with neither is damaged past showing (a queued one that lost its type reads as
        // missing here until the next claim buries it as corrupt).
        if (h == null || h.isEmpty() || (!h.containsKey(STATE) && !h.containsKey(TYPE))) {
            return null;
        }
        try {
            return read(id, h);
        } catch (RuntimeException e) {
            LOG.warning("RedTask: task record " + id + " cannot be read (" + e.getMessage() + "); left out");
            return null;
        }
    }

    private static TaskStatus read(String id, Map<String, String> h) {
        long timeout = longOf(h.get(TIMEOUT_MS), 0);
        Instant created = instant(h.get(CREATED_AT));
        if (created == null) {
            created = instant(createdFromId(id, Long.MIN_VALUE));
        }
        Instant runAt = instant(h.get(RUN_AT));
        return new TaskStatus(
                id,
                h.get(TYPE),
                io.redtask.store.ShardNames.queueOf(TaskIds.queueOf(id)), // the queue, not its shard
                h.containsKey(STATE) ? TaskState.fromWireName(h.get(STATE)) : TaskState.QUEUED,
                intOf(h.get(ATTEMPTS)),
                maxAttemptsOf(h),
                h.get(RESULT),
                h.get(ERROR),
                created,
                instant(h.get(STARTED_AT)),
                instant(h.get(FINISHED_AT)),
                intOf(h.get(PRIORITY)),
                runAt != null ? runAt : created,
                timeout > 0 ? Duration.ofMillis(timeout) : null,
                emptyToNull(h.get(IDEMPOTENCY_KEY)),
                emptyToNull(h.get(SUBMITTED_BY)),
                emptyToNull(h.get(TRACE)),
                emptyToNull(h.get(GROUP)));
    }

    /** The time in {@code id}, or {@code fallback} for an id that carries none. */
    private static long createdFromId(String id, long fallback) {
        long t = id == null ? -1 : TaskIds.timeOf(id);
        return t < 0 ? fallback : t;
    }

    private static int maxAttemptsOf(Map<String, String> h) {
        return (int) longOf(h.get(MAX_ATTEMPTS), DEFAULT_MAX_ATTEMPTS);
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
        return instant(longOf(millis, Long.MIN_VALUE));
    }

    private static Instant instant(long ms) {
        return ms == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ms);
    }
}
