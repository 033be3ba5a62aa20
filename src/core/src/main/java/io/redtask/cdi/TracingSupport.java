package io.redtask.cdi;

import io.redtask.engine.TaskTracing;

import java.util.logging.Logger;

/**
 * Chooses the engine's {@link TaskTracing}: OpenTelemetry when the application sees its API (on
 * Liberty: the {@code mpTelemetry} feature is on) and CDI offers an {@code OpenTelemetry} bean,
 * else {@link TaskTracing#NONE}. Nothing here names an OpenTelemetry type, so this class loads
 * without the API; {@link OpenTelemetryTracing} is touched only after the API was found.
 */
final class TracingSupport {

    private static final Logger LOG = Logger.getLogger(TracingSupport.class.getName());
    static final String API_CLASS = "io.opentelemetry.api.OpenTelemetry";

    private TracingSupport() {}

    /**
     * The tracing of this application's engine.
     *
     * @param loader the application's class loader
     * @param link   {@code redtask.tracing.parent=link}
     */
    static TaskTracing forApplication(ClassLoader loader, boolean link) {
        if (!apiVisible(loader)) {
            LOG.fine("RedTask: no OpenTelemetry API; tasks are not traced");
            return TaskTracing.NONE;
        }
        try {
            return OpenTelemetryBean.tracing(link);
        } catch (RuntimeException | LinkageError e) {
            LOG.info("RedTask: OpenTelemetry is there but no OpenTelemetry bean could be had (" + e
                    + "); tasks are not traced");
            return TaskTracing.NONE;
        }
    }

    /** Whether {@code loader} sees the OpenTelemetry API, without initializing anything. */
    static boolean apiVisible(ClassLoader loader) {
        try {
            Class.forName(API_CLASS, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Kept apart so that its reference to OpenTelemetry is resolved only when it runs. */
    private static final class OpenTelemetryBean {
        static TaskTracing tracing(boolean link) {
            io.opentelemetry.api.OpenTelemetry otel = jakarta.enterprise.inject.spi.CDI.current()
                    .select(io.opentelemetry.api.OpenTelemetry.class)
                    .get();
            return new OpenTelemetryTracing(otel, link);
        }
    }
}
