package io.redtask.store;

/**
 * A task a worker holds under a lease.
 *
 * @param id                task id
 * @param queue             its queue
 * @param type              handler name
 * @param payloadJson       payload as JSON
 * @param attempt           this attempt's number, from 1
 * @param token             owner token and fencing token: it grows with every claim of the task
 * @param maxAttempts       attempts allowed
 * @param timeoutMillis     longest time this attempt may run, 0 for no limit
 * @param idempotencyKey    the idempotency key, or {@code null}
 * @param backoffBaseMillis the task's own backoff, or -1
 * @param backoffCapMillis  the task's own backoff cap, or -1
 * @param dueAt             when it became due (submit time, run-at time or retry time, ms)
 * @param trace             the W3C traceparent of the submitter's span, or {@code null}
 */
public record ClaimedTask(
        String id,
        String queue,
        String type,
        String payloadJson,
        int attempt,
        long token,
        int maxAttempts,
        long timeoutMillis,
        String idempotencyKey,
        long backoffBaseMillis,
        long backoffCapMillis,
        long dueAt,
        String trace) {}
