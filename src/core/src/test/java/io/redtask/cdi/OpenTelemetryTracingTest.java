package io.redtask.cdi;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.TraceParent;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.engine.RetryBackoff;
import io.redtask.engine.TaskTracing;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks in traces, with the OpenTelemetry SDK and spans collected in memory: the submitter's
 * trace context is stored with the task, the worker's span {@code redtask.run <type>} is its child
 * (or the root of a linked trace), carries the task's id, queue, attempt and outcome, is current
 * while the handler runs, and has status ERROR when the attempt failed. Without the API nothing
 * is traced.
 */
class OpenTelemetryTracingTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** The spans that ended, as an in-memory exporter receives them. */
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<RedTaskEngine> engines = new ArrayList<>();
    /** The span current on the handler's thread while it ran. */
    private final List<String> handlerSpans = new CopyOnWriteArrayList<>();

    private OpenTelemetrySdk sdk() {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                        ended.addAll(spans);
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                }))
                .build();
        OpenTelemetrySdk sdk =
                OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        closing.add(sdk::close);
        return sdk;
    }

    private RedTaskEngine engine(TaskTracing tracing) {
        EngineSettings settings = EngineSettings.builder("tracing-" + UUID.randomUUID())
                .pollInterval(Duration.ofMillis(200))
                .backoff(new RetryBackoff(Duration.ZERO, Duration.ZERO, 0))
                .shutdownGrace(Duration.ofSeconds(5))
                .build();
        RedisStorage storage =
                RedisStorage.open(REDIS.url(), 8, Duration.ofSeconds(2), new Keys("t" + UUID.randomUUID()), settings);
        closing.add(storage::close);
        ExecutorService workers = Executors.newCachedThreadPool();
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);
        closing.add(workers::shutdownNow);
        closing.add(housekeeping::shutdownNow);
        RedTaskEngine engine = RedTaskEngine.builder()
                .storage(storage)
                .settings(settings)
                .workers(workers)
                .housekeeping(housekeeping)
                .tracing(tracing)
                .handler(HandlerRegistration.of("ok", (p, c) -> {
                    handlerSpans.add(Span.current().getSpanContext().getSpanId());
                    return p;
                }))
                .handler(HandlerRegistration.of("boom", (p, c) -> {
                    throw new IllegalStateException("boom " + p);
                }))
                .build();
        engines.add(engine);
        engine.start();
        return engine;
    }

    @AfterEach
    void close() throws Exception {
        engines.forEach(RedTaskEngine::stop);
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static TaskStatus awaitEnd(RedTaskEngine engine, String id, TaskState state) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow(), s -> s.state() == state);
    }

    private SpanData awaitRunSpan(String taskId, String outcome) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> ended.stream()
                                .filter(s -> taskId.equals(s.getAttributes().get(OpenTelemetryTracing.TASK_ID)))
                                .filter(s -> outcome.equals(s.getAttributes().get(OpenTelemetryTracing.OUTCOME)))
                                .findFirst()
                                .orElse(null),
                        s -> s != null);
    }

    @Test
    void theWorkersSpanIsAChildOfTheSubmittersAndCarriesTheTask() {
        OpenTelemetrySdk sdk = sdk();
        RedTaskEngine engine = engine(new OpenTelemetryTracing(sdk, false));
        Span submitter = sdk.getTracer("test").spanBuilder("POST /api/tasks").startSpan();
        String id;
        try (Scope s = submitter.makeCurrent()) {
            id = engine.submit("ok", "hello");
        } finally {
            submitter.end();
        }
        TaskStatus done = awaitEnd(engine, id, TaskState.SUCCEEDED);
        assertEquals(submitter.getSpanContext().getTraceId(), done.traceId());
        assertEquals(
                "00-" + submitter.getSpanContext().getTraceId() + "-"
                        + submitter.getSpanContext().getSpanId() + "-"
                        + submitter.getSpanContext().getTraceFlags().asHex(),
                done.trace());

        SpanData run = awaitRunSpan(id, "succeeded");
        assertEquals("redtask.run ok", run.getName());
        assertEquals(SpanKind.CONSUMER, run.getKind());
        assertEquals(submitter.getSpanContext().getTraceId(), run.getTraceId(), "same trace");
        assertEquals(submitter.getSpanContext().getSpanId(), run.getParentSpanId(), "child of the submitter's span");
        Attributes a = run.getAttributes();
        assertEquals("default", a.get(OpenTelemetryTracing.QUEUE));
        assertEquals(1L, a.get(OpenTelemetryTracing.ATTEMPT));
        assertEquals(StatusCode.UNSET, run.getStatus().getStatusCode());
        assertEquals(List.of(run.getSpanId()), handlerSpans, "the handler ran inside the worker's span");
    }

    @Test
    void aFailedAttemptIsAnErrorSpanAndEachAttemptHasItsOwn() {
        OpenTelemetrySdk sdk = sdk();
        RedTaskEngine engine = engine(new OpenTelemetryTracing(sdk, false));
        Span submitter = sdk.getTracer("test").spanBuilder("submit").startSpan();
        String id;
        try (Scope s = submitter.makeCurrent()) {
            id = engine.submit(
                    "boom", "x", SubmitOptions.builder().maxAttempts(2).build());
        } finally {
            submitter.end();
        }
        awaitEnd(engine, id, TaskState.DEAD);
        SpanData first = awaitRunSpan(id, "retry");
        SpanData last = awaitRunSpan(id, "dead");
        assertEquals(1L, first.getAttributes().get(OpenTelemetryTracing.ATTEMPT));
        assertEquals(2L, last.getAttributes().get(OpenTelemetryTracing.ATTEMPT));
        for (SpanData span : List.of(first, last)) {
            assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
            assertTrue(span.getStatus().getDescription().contains("boom x"), span.getStatus()::getDescription);
            assertEquals(submitter.getSpanContext().getSpanId(), span.getParentSpanId());
        }
    }

    @Test
    void withLinkEachRunStartsATraceOfItsOwnLinkedToTheSubmitters() {
        OpenTelemetrySdk sdk = sdk();
        RedTaskEngine engine = engine(new OpenTelemetryTracing(sdk, true));
        Span submitter = sdk.getTracer("test").spanBuilder("submit").startSpan();
        String id;
        try (Scope s = submitter.makeCurrent()) {
            id = engine.submit("ok", "linked");
        } finally {
            submitter.end();
        }
        awaitEnd(engine, id, TaskState.SUCCEEDED);
        SpanData run = awaitRunSpan(id, "succeeded");
        assertNotEquals(submitter.getSpanContext().getTraceId(), run.getTraceId());
        assertFalse(run.getParentSpanContext().isValid(), "a root span");
        assertEquals(1, run.getLinks().size());
        assertEquals(
                submitter.getSpanContext().getTraceId(),
                run.getLinks().get(0).getSpanContext().getTraceId());
        assertEquals(
                submitter.getSpanContext().getSpanId(),
                run.getLinks().get(0).getSpanContext().getSpanId());
    }

    @Test
    void aGivenTraceparentIsUsedWhenTheThreadHasNoSpanAndNothingElseIsStored() {
        OpenTelemetrySdk sdk = sdk();
        RedTaskEngine engine = engine(new OpenTelemetryTracing(sdk, false));
        String header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String id = engine.submit(
                "ok", "header", SubmitOptions.builder().trace(header).build());
        awaitEnd(engine, id, TaskState.SUCCEEDED);
        assertEquals(header, engine.status(id).orElseThrow().trace());
        assertEquals(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                engine.status(id).orElseThrow().traceId());
        SpanData run = awaitRunSpan(id, "succeeded");
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", run.getTraceId());
        assertEquals("00f067aa0ba902b7", run.getParentSpanId());

        String untraced = engine.submit("ok", "none");
        TaskStatus s = awaitEnd(engine, untraced, TaskState.SUCCEEDED);
        assertNull(s.trace());
        assertNull(s.traceId());
        assertFalse(awaitRunSpan(untraced, "succeeded").getParentSpanContext().isValid());
    }

    @Test
    void withoutTheApiNothingIsTracedAndTheEngineWorks() throws Exception {
        // A class loader that sees everything but io.opentelemetry, as an application on a server
        // without the mpTelemetry feature.
        ClassLoader parent = getClass().getClassLoader();
        try (URLClassLoader withoutOtel = new URLClassLoader(new URL[0], parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("io.opentelemetry.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        }) {
            assertFalse(TracingSupport.apiVisible(withoutOtel));
        }
        // The SDK off (a no-op OpenTelemetry, as Liberty gives by default): no tracing at all.
        assertSame(TaskTracing.NONE, OpenTelemetryTracing.of(io.opentelemetry.api.OpenTelemetry.noop(), false));
        assertTrue(OpenTelemetryTracing.of(sdk(), false) instanceof OpenTelemetryTracing);
        // No CDI container here: nothing to trace with, and no failure.
        assertSame(TaskTracing.NONE, TracingSupport.forApplication(false));
        assertTrue(TracingSupport.apiVisible(parent));

        RedTaskEngine engine = engine(TaskTracing.NONE);
        String id = engine.submit("ok", "plain");
        assertNull(awaitEnd(engine, id, TaskState.SUCCEEDED).trace());
        assertTrue(ended.isEmpty());
    }

    @Test
    void aTracerThatFailsCostsNeitherTheSubmitNorTheRun() {
        RedTaskEngine engine = engine(new TaskTracing() {
            @Override
            public String currentTraceParent() {
                throw new IllegalStateException("tracer broken");
            }

            @Override
            public Attempt startAttempt(io.redtask.store.ClaimedTask task) {
                throw new IllegalStateException("tracer broken");
            }
        });
        String id = engine.submit("ok", "anyway");
        assertNull(awaitEnd(engine, id, TaskState.SUCCEEDED).trace());
        // The slot came back: the next task runs too.
        awaitEnd(engine, engine.submit("ok", "again"), TaskState.SUCCEEDED);
    }

    @Test
    void traceparentsAreCheckedAsW3CSaysAndABadOneIsRefusedNamingIt() {
        assertTrue(TraceParent.isValid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        for (String bad : new String[] {
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "garbage"
        }) {
            assertFalse(TraceParent.isValid(bad), bad);
            io.redtask.InvalidRequestException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.redtask.InvalidRequestException.class,
                    () -> SubmitOptions.builder().trace(bad));
            assertEquals("traceparent", e.field());
        }
    }
}
