package io.redtask.engine;

import io.redtask.store.ClaimedTask;

/**
 * Where the engine meets a tracer, without depending on one: a submit asks for the calling
 * thread's trace context as a W3C {@code traceparent} (stored with the task as text), and a worker
 * opens a span around each attempt. {@link #NONE} does nothing and costs nothing; the CDI layer
 * installs an OpenTelemetry one only when the OpenTelemetry API is there
 * ({@code io.redtask.cdi.OpenTelemetryTracing}).
 */
public interface TaskTracing {

    /** No tracing: no context captured, no spans. */
    TaskTracing NONE = new TaskTracing() {
        @Override
        public String currentTraceParent() {
            return null;
        }

        @Override
        public Attempt startAttempt(ClaimedTask task) {
            return Attempt.NONE;
        }
    };

    /**
     * The trace context of the calling thread.
     *
     * @return a W3C traceparent of its current span, or {@code null} when it has none
     */
    String currentTraceParent();

    /**
     * Opens the span of one attempt (a child of, or linked to, {@code task.trace()}) and makes it
     * current on the calling thread, where the handler runs.
     *
     * @param task the task about to run
     * @return what the worker ends when the attempt is over
     */
    Attempt startAttempt(ClaimedTask task);

    /** One attempt's span: ended once, on the thread that started it. */
    interface Attempt {

        /** Nothing to end. */
        Attempt NONE = (outcome, error) -> {};

        /**
         * Records how the attempt ended and closes the span.
         *
         * @param outcome {@code succeeded}, {@code retry}, {@code dead}, {@code cancelled},
         *                {@code stale} (the lease was lost) or {@code unknown}
         * @param error   the failure's message, or {@code null}
         */
        void end(String outcome, String error);
    }
}
