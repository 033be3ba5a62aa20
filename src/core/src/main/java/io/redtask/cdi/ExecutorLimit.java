package io.redtask.cdi;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;
import java.util.logging.Logger;

/**
 * How many tasks the worker executor runs at once: the {@code concurrencyPolicy max} of the
 * {@code managedExecutorService} in server.xml, whether it is written as a number or as
 * {@code ${redtask.workers.max}}. RedTask's concurrency ceiling (JMX {@code MaxConcurrency},
 * REST {@code maxConcurrency}) is this number, so an operator can never be offered a concurrency
 * the executor would only queue.
 *
 * <p>Jakarta Concurrency has no API for it; Open Liberty's executor answers through its public
 * interfaces {@code WSManagedExecutorService.getNormalPolicyExecutor()} and
 * {@code PolicyExecutor.getMaxConcurrency()}, called here by reflection so that nothing of
 * Liberty is needed to compile or to run elsewhere. Where they are missing (another server, a
 * later Liberty), the limit is unknown and {@code redtask.workers.max} stands in for it.
 */
final class ExecutorLimit {

    private static final Logger LOG = Logger.getLogger(ExecutorLimit.class.getName());

    private ExecutorLimit() {}

    /**
     * The executor's limit of concurrent tasks.
     *
     * @return the limit, or empty when the executor does not tell or has none
     */
    static OptionalInt of(Object executor) {
        try {
            Object policy = call(executor, "getNormalPolicyExecutor");
            Object max = policy == null ? null : call(policy, "getMaxConcurrency");
            if (max instanceof Integer m && m > 0 && m < Integer.MAX_VALUE) {
                return OptionalInt.of(m);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.fine(() -> "RedTask: the worker executor's concurrency limit could not be read: " + e);
        }
        return OptionalInt.empty();
    }

    /**
     * Calls the public no-argument method {@code name} as a public interface of the object's class
     * declares it (the implementing class itself need not be public), or returns null when none does.
     */
    private static Object call(Object target, String name) throws ReflectiveOperationException {
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            todo.addAll(java.util.List.of(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> type = todo.poll();
            if (Modifier.isPublic(type.getModifiers())) {
                for (Method m : type.getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == 0) {
                        return m.invoke(target);
                    }
                }
            }
            todo.addAll(java.util.List.of(type.getInterfaces()));
        }
        return null;
    }
}
