package io.redtask;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one task, as {@link TaskScheduler#status(String)} reads it.
 *
 * @param id          the task's id
 * @param type        its handler's name
 * @param queue       its queue
 * @param state       where it is in its life
 * @param attempts    how many times a worker has started it
 * @param maxAttempts how many attempts it may have
 * @param result      the handler's result as JSON, once it succeeded (else {@code null})
 * @param error       the last failure's message (else {@code null})
 * @param createdAt   when it was submitted
 * @param startedAt   when its last attempt started, or {@code null}
 * @param finishedAt  when it reached a final state, or {@code null}
 * @param priority       its priority (higher runs first)
 * @param runAt          when it became (or becomes) due: submit time, run-at time, or retry time
 * @param timeout        the longest time an attempt may run, or {@code null} for none
 * @param idempotencyKey the idempotency key it was submitted with, or {@code null}
 * @param submittedBy    who submitted it ({@link SubmitOptions.Builder#submittedBy}), or {@code null}
 * @param trace          the W3C traceparent of the span that submitted it, or {@code null}
 * @param group          its group ({@link SubmitOptions.Builder#group}), or {@code null}
 */
public record TaskStatus(
        String id,
        String type,
        String queue,
        TaskState state,
        int attempts,
        int maxAttempts,
        String result,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        int priority,
        Instant runAt,
        Duration timeout,
        String idempotencyKey,
        String submittedBy,
        String trace,
        String group) {

    /**
     * The trace the task belongs to.
     *
     * @return the 32 hex digits of its trace id, or {@code null} when it was submitted outside a trace
     */
    public String traceId() {
        return TraceParent.traceId(trace);
    }
}
