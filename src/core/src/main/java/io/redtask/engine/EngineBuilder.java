package io.redtask.engine;

import io.redtask.store.Storage;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds a {@link RedTaskEngine}: its storage, settings and executors, its handlers and event
 * listeners, and optionally a clock (tests move one by hand) and a JSON codec.
 */
public final class EngineBuilder {
    Storage storage;
    Clock clock = Clock.systemUTC();
    EngineSettings settings;
    JsonCodec codec;
    Executor workers;
    ScheduledExecutorService housekeeping;
    TaskTracing tracing = TaskTracing.NONE;
    final Map<String, HandlerRegistration> handlers = new LinkedHashMap<>();
    final List<TaskListener> listeners = new ArrayList<>();

    EngineBuilder() {}

    /** Where tasks, queues, schedules and servers are kept. */
    public EngineBuilder storage(Storage storage) {
        this.storage = storage;
        return this;
    }

    public EngineBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public EngineBuilder settings(EngineSettings settings) {
        this.settings = settings;
        return this;
    }

    public EngineBuilder codec(JsonCodec codec) {
        this.codec = codec;
        return this;
    }

    /** Where handlers run: a {@code ManagedExecutorService} in Jakarta EE. */
    public EngineBuilder workers(Executor workers) {
        this.workers = workers;
        return this;
    }

    /** Where the fetch, lease, timeout, reaper and cron loops run. */
    public EngineBuilder housekeeping(ScheduledExecutorService housekeeping) {
        this.housekeeping = housekeeping;
        return this;
    }

    /**
     * Adds a handler.
     *
     * @throws IllegalArgumentException when its name is already taken
     */
    public EngineBuilder handler(HandlerRegistration registration) {
        HandlerRegistration previous = handlers.putIfAbsent(registration.name(), registration);
        if (previous != null) {
            throw new IllegalArgumentException("two handlers for task type '" + registration.name() + "'");
        }
        return this;
    }

    /** Adds a listener for task events. */
    public EngineBuilder listener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Trace context captured at submit and a span per attempt ({@link TaskTracing#NONE} unless set). */
    public EngineBuilder tracing(TaskTracing tracing) {
        this.tracing = Objects.requireNonNull(tracing);
        return this;
    }

    /** The engine, not started yet. */
    public RedTaskEngine build() {
        return new RedTaskEngine(this);
    }
}
