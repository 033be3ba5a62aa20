package io.redtask.engine;

/**
 * A task about to be stored.
 *
 * @param id                  its id ({@link TaskIds})
 * @param type                handler name
 * @param queue               queue name
 * @param payloadJson         payload as JSON
 * @param maxAttempts         attempts allowed, at least 1
 * @param priority            -1000..1000, higher first
 * @param dueAt               when it may run (epoch ms); at or before now means ready at once
 * @param timeoutMillis       longest time an attempt may run, 0 for no limit
 * @param idempotencyKey      the idempotency key, or {@code null}
 * @param idempotencyWindowMs how long the key is remembered
 * @param backoffBaseMillis   wait after the first failure, or -1 for the engine's default
 * @param backoffCapMillis    longest wait, or -1 for the engine's default
 */
public record NewTask(String id, String type, String queue, String payloadJson, int maxAttempts, int priority,
                      long dueAt, long timeoutMillis, String idempotencyKey, long idempotencyWindowMs,
                      long backoffBaseMillis, long backoffCapMillis) {

    /** A task that runs at {@code dueAt} with no timeout, idempotency key or own backoff. */
    public static NewTask simple(String id, String type, String queue, String payloadJson, int maxAttempts,
                                 int priority, long dueAt) {
        return new NewTask(id, type, queue, payloadJson, maxAttempts, priority, dueAt, 0, null, 0, -1, -1);
    }
}
