package io.redtask.cdi;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.redtask.TraceParent;
import io.redtask.engine.TaskTracing;
import io.redtask.store.ClaimedTask;

/**
 * Tasks in OpenTelemetry traces. A submit keeps the current span's context as a W3C traceparent;
 * the worker runs each attempt in a span {@code redtask.run <type>} (kind CONSUMER) that is a child
 * of the submitter's span, or, with {@code redtask.tracing.parent=link}, the root of a trace of its
 * own linked to it. Attributes {@code redtask.task.id}, {@code redtask.queue},
 * {@code redtask.attempt}, {@code redtask.outcome}; status ERROR unless the attempt succeeded.
 *
 * <p>The only class of RedTask that names OpenTelemetry types: {@link TracingSupport} loads it
 * only when the API is on the application's class path (and may define it in a loader of its own,
 * so it is public and made through {@link #of}).
 */
public final class OpenTelemetryTracing implements TaskTracing {

    static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("redtask.task.id");
    static final AttributeKey<String> QUEUE = AttributeKey.stringKey("redtask.queue");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("redtask.attempt");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("redtask.outcome");

    private final Tracer tracer;
    private final boolean link;

    /**
     * @param openTelemetry the application's OpenTelemetry (a no-op one when its SDK is disabled)
     * @param link          true: each attempt starts a trace of its own linked to the submitter's span
     */
    OpenTelemetryTracing(OpenTelemetry openTelemetry, boolean link) {
        this.tracer = openTelemetry.getTracer("io.redtask");
        this.link = link;
    }

    /**
     * The tracing of an application (called by reflection: the argument's type may come from a
     * class loader RedTask's own loader does not see).
     *
     * @param openTelemetry the application's {@code io.opentelemetry.api.OpenTelemetry}
     * @param link          true: each attempt starts a trace of its own linked to the submitter's span
     * @return the tracing; {@link TaskTracing#NONE} when the SDK is off
     */
    public static TaskTracing of(Object openTelemetry, boolean link) {
        OpenTelemetry otel = (OpenTelemetry) openTelemetry;
        // With the SDK off (otel.sdk.disabled, the default) every span is a no-op: then skip even
        // the cheap calls per submit and per attempt. A traceparent given with a submit is kept anyway.
        // The probe is never ended, so it is never exported.
        Span probe = otel.getTracer("io.redtask").spanBuilder("redtask.probe").startSpan();
        boolean recording = probe.getSpanContext().isValid();
        return recording ? new OpenTelemetryTracing(otel, link) : TaskTracing.NONE;
    }

    @Override
    public String currentTraceParent() {
        SpanContext c = Span.current().getSpanContext();
        if (!c.isValid()) {
            return null;
        }
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-"
                + c.getTraceFlags().asHex();
    }

    @Override
    public Attempt startAttempt(ClaimedTask task) {
        SpanBuilder b = tracer.spanBuilder("redtask.run " + task.type())
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(TASK_ID, task.id())
                .setAttribute(QUEUE, io.redtask.store.ShardNames.queueOf(task.queue()))
                .setAttribute(ATTEMPT, (long) task.attempt());
        SpanContext submitter = remote(task.trace());
        if (submitter == null) {
            // Submitted outside a trace: a trace of its own, not whatever this thread had.
            b.setNoParent();
        } else if (link) {
            b.setNoParent().addLink(submitter);
        } else {
            b.setParent(Context.root().with(Span.wrap(submitter)));
        }
        Span span = b.startSpan();
        Scope scope = span.makeCurrent();
        return (outcome, error) -> {
            try {
                span.setAttribute(OUTCOME, outcome);
                if (!"succeeded".equals(outcome)) {
                    span.setStatus(StatusCode.ERROR, error == null ? outcome : error);
                }
            } finally {
                scope.close();
                span.end();
            }
        };
    }

    /** The submitter's span as a remote parent, or {@code null} without a usable traceparent. */
    static SpanContext remote(String traceparent) {
        if (!TraceParent.isValid(traceparent)) {
            return null;
        }
        return SpanContext.createFromRemoteParent(
                TraceParent.traceId(traceparent),
                TraceParent.spanId(traceparent),
                TraceFlags.fromHex(traceparent, 53),
                TraceState.getDefault());
    }
}
