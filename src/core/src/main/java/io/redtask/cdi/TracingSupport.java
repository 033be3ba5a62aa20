package io.redtask.cdi;

import io.redtask.engine.TaskTracing;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.util.logging.Logger;

/**
 * Chooses the engine's {@link TaskTracing}: OpenTelemetry when CDI offers an {@code OpenTelemetry}
 * bean (on Liberty: the {@code mpTelemetry} feature is on), else {@link TaskTracing#NONE}.
 * Nothing here names an OpenTelemetry type, so this class loads without the API;
 * {@link OpenTelemetryTracing} is loaded only once the API was found.
 *
 * <p>Liberty marks the OpenTelemetry API "third-party": an application's class loaders see it only
 * with {@code <classloader apiTypeVisibility="+third-party"/>}, which an application in
 * {@code dropins/} cannot have. So when RedTask's own loader does not see the API, the API's
 * classes are taken from the {@code OpenTelemetry} bean's own types, and
 * {@link OpenTelemetryTracing} is defined in a small loader that resolves {@code io.opentelemetry}
 * from there and everything else from RedTask's loader (so it is the engine's {@link TaskTracing}).
 */
final class TracingSupport {

    private static final Logger LOG = Logger.getLogger(TracingSupport.class.getName());
    static final String API_CLASS = "io.opentelemetry.api.OpenTelemetry";
    private static final String IMPL = "io.redtask.cdi.OpenTelemetryTracing";

    private TracingSupport() {}

    /**
     * The tracing of this application's engine.
     *
     * @param link {@code redtask.tracing.parent=link}
     */
    static TaskTracing forApplication(boolean link) {
        ClassLoader own = TracingSupport.class.getClassLoader();
        try {
            Object openTelemetry;
            ClassLoader impl;
            if (apiVisible(own)) {
                openTelemetry = CDI.current()
                        .select(Class.forName(API_CLASS, false, own))
                        .get();
                impl = own;
            } else {
                BeanManager beans = CDI.current().getBeanManager();
                Bean<?> bean = null;
                Class<?> api = null;
                for (Bean<?> b : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
                    for (Type t : b.getTypes()) {
                        if (t instanceof Class<?> c && c.getName().equals(API_CLASS)) {
                            bean = b;
                            api = c;
                        }
                    }
                }
                if (bean == null) {
                    LOG.fine("RedTask: no OpenTelemetry bean (no mpTelemetry feature); tasks are not traced");
                    return TaskTracing.NONE;
                }
                openTelemetry = beans.getReference(bean, api, beans.createCreationalContext(bean));
                impl = new WithApi(own, api.getClassLoader());
            }
            Class<?> tracing = Class.forName(IMPL, true, impl);
            return (TaskTracing)
                    tracing.getMethod("of", Object.class, boolean.class).invoke(null, openTelemetry, link);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("RedTask: OpenTelemetry could not be used (" + e + "); tasks are not traced");
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

    /**
     * Defines {@link OpenTelemetryTracing} itself from RedTask's jar, takes {@code io.opentelemetry}
     * from the loader of the API the container handed out, and everything else from RedTask's loader.
     */
    static final class WithApi extends ClassLoader {
        private final ClassLoader api;

        WithApi(ClassLoader redtask, ClassLoader api) {
            super(redtask);
            this.api = api;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.opentelemetry.")) {
                return api.loadClass(name);
            }
            if (!name.equals(IMPL)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String file = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(file)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length, TracingSupport.class.getProtectionDomain());
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
