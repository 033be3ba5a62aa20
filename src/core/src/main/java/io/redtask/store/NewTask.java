package io.redtask.store;

import java.util.Objects;

/**
 * A task about to be stored. Build one with {@link #builder(String, String, String)}.
 *
 * @param id                task id ({@link TaskIds})
 * @param type              handler name
 * @param queue             queue name
 * @param payloadJson       payload as JSON
 * @param maxAttempts       attempts allowed, at least 1
 * @param priority          -1000..1000, higher first
 * @param dueAt             when it may run (epoch ms); at or before now means ready at once
 * @param timeoutMillis     longest time an attempt may run, 0 for no limit
 * @param idempotencyKey    the caller's idempotency key, shown with the task, or {@code null}
 * @param dedupeKey         the key under which a second task is refused: {@code "idem:<key>"}
 *                          for an idempotency key, {@code "cron:<name>:<slot>"} for a schedule's
 *                          slot, or {@code null}
 * @param dedupeWindowMs    how long the dedupe key is remembered
 * @param fingerprint       a digest of type and payload stored with the dedupe key, so a key reused
 *                          for a different task is told from a repeat; or {@code null}
 * @param submittedBy       who submitted it, or {@code null}
 * @param backoffBaseMillis wait after the first failure, or -1 for the engine's default
 * @param backoffCapMillis  longest wait, or -1 for the engine's default
 * @param group             the task's group (served in turn with the queue's other groups), or {@code null}
 * @param trace             the W3C traceparent of the submitter's span, or {@code null} (not stored then)
 */
public record NewTask(
        String id,
        String type,
        String queue,
        String payloadJson,
        int maxAttempts,
        int priority,
        long dueAt,
        long timeoutMillis,
        String idempotencyKey,
        String dedupeKey,
        long dedupeWindowMs,
        String fingerprint,
        String submittedBy,
        long backoffBaseMillis,
        long backoffCapMillis,
        String group,
        String trace) {

    public NewTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(queue, "queue");
    }

    /**
     * The dedupe key of an idempotency key: {@code idem:<key>}, or {@code idem@<submitter>:<key>}
     * when a submitter is named (each submitter's keys are its own); {@code null} without a key.
     */
    public static String dedupeKeyOf(String submittedBy, String key) {
        if (key == null) {
            return null;
        }
        return submittedBy == null ? "idem:" + key : "idem@" + submittedBy + ":" + key;
    }

    /** A task of {@code type} in {@code queue}: payload null, one attempt, priority 0, due now. */
    public static Builder builder(String id, String type, String queue) {
        return new Builder(id, type, queue);
    }

    /** Builds a {@link NewTask}; every field but the three it starts with has a default. */
    public static final class Builder {
        private final String id;
        private final String type;
        private final String queue;
        private String payloadJson = "null";
        private int maxAttempts = 1;
        private int priority;
        private long dueAt;
        private long timeoutMillis;
        private String idempotencyKey;
        private String dedupeKey;
        private long dedupeWindowMs;
        private String fingerprint;
        private String submittedBy;
        private long backoffBaseMillis = -1;
        private long backoffCapMillis = -1;
        private String group;
        private String trace;

        private Builder(String id, String type, String queue) {
            this.id = id;
            this.type = type;
            this.queue = queue;
        }

        public Builder payloadJson(String v) {
            payloadJson = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        /** When it may run (epoch ms); 0 or any past time means now. */
        public Builder dueAt(long v) {
            dueAt = v;
            return this;
        }

        public Builder timeoutMillis(long v) {
            timeoutMillis = v;
            return this;
        }

        /**
         * The caller's idempotency key: shown with the task, and a second submit with it is
         * refused. Set {@link #submittedBy} first: a submitter's keys are its own.
         */
        public Builder idempotencyKey(String key, long windowMs) {
            idempotencyKey = key;
            return dedupe(dedupeKeyOf(submittedBy, key), windowMs);
        }

        /** Who submits the task, or {@code null}. */
        public Builder submittedBy(String v) {
            submittedBy = v;
            return this;
        }

        /** Refuses a second task under {@code key} for {@code windowMs}, without showing the key. */
        public Builder dedupe(String key, long windowMs) {
            dedupeKey = key;
            dedupeWindowMs = Math.max(1, windowMs);
            return this;
        }

        /** A digest of type and payload kept with the dedupe key. */
        public Builder fingerprint(String v) {
            fingerprint = v;
            return this;
        }

        /** The task's own backoff; -1 for the engine's default. */
        public Builder backoff(long baseMillis, long capMillis) {
            backoffBaseMillis = baseMillis;
            backoffCapMillis = capMillis;
            return this;
        }

        /** The task's group, or {@code null}. */
        public Builder group(String v) {
            group = v;
            return this;
        }

        /** The W3C traceparent of the submitter's span, or {@code null}. */
        public Builder trace(String v) {
            trace = v;
            return this;
        }

        public NewTask build() {
            return new NewTask(
                    id,
                    type,
                    queue,
                    payloadJson,
                    maxAttempts,
                    priority,
                    dueAt,
                    timeoutMillis,
                    idempotencyKey,
                    dedupeKey,
                    dedupeWindowMs,
                    fingerprint,
                    submittedBy,
                    backoffBaseMillis,
                    backoffCapMillis,
                    group,
                    trace);
        }
    }
}
