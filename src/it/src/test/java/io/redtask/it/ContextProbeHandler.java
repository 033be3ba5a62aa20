package io.redtask.it;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import javax.naming.InitialContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reports what a handler sees of the Jakarta EE environment: a {@code java:comp} lookup only works
 * on a thread that carries the application's component context, i.e. a Liberty managed thread
 * (ManagedExecutorService), not a plain Java thread.
 */
@ApplicationScoped
@TaskType(ContextProbeHandler.TYPE)
public class ContextProbeHandler implements TaskHandler<Map<String, Object>, Map<String, Object>> {

    static final String TYPE = "it-context";

    @Override
    public Map<String, Object> handle(Map<String, Object> payload, TaskContext context) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("thread", Thread.currentThread().getName());
        try {
            Object executor = new InitialContext().lookup("java:comp/DefaultManagedExecutorService");
            result.put("lookup", executor != null ? "ok" : "null");
        } catch (Exception | LinkageError e) {
            result.put("lookup", e.toString());
        }
        try {
            // The application's class loader is the thread context class loader.
            Class.forName(
                    ContextProbeHandler.class.getName(),
                    false,
                    Thread.currentThread().getContextClassLoader());
            result.put("classLoader", "ok");
        } catch (Exception | LinkageError e) {
            result.put("classLoader", e.toString());
        }
        result.put("attempt", context.attempt());
        result.put("payload", payload);
        return result;
    }
}
