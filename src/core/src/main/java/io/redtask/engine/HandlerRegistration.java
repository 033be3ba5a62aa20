package io.redtask.engine;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A task type this application can run: its name, the Java type its JSON payload is read into,
 * its default number of attempts, and how to call it.
 *
 * @param name        the task type
 * @param payloadType what the payload JSON is read into
 * @param maxAttempts attempts a task of this type gets unless its submit says otherwise
 * @param invoker     runs the handler
 */
public record HandlerRegistration(String name, Type payloadType, int maxAttempts, Invoker invoker) {

    /** Calls a handler; the CDI layer's version obtains the bean for each call. */
    @FunctionalInterface
    public interface Invoker {
        Object invoke(Object payload, TaskContext context) throws Exception;
    }

    public HandlerRegistration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payloadType, "payloadType");
        Objects.requireNonNull(invoker, "invoker");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts of handler '" + name + "' must be at least 1");
        }
    }

    /** A registration for a plain handler object, named and configured by its {@link TaskType}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static HandlerRegistration of(TaskHandler<?, ?> handler) {
        TaskType annotation = handler.getClass().getAnnotation(TaskType.class);
        if (annotation == null) {
            throw new IllegalArgumentException(handler.getClass().getName() + " has no @TaskType; use of(name, handler)");
        }
        return new HandlerRegistration(annotation.value(), payloadTypeOf(handler.getClass()), annotation.maxAttempts(),
                (payload, context) -> ((TaskHandler) handler).handle(payload, context));
    }

    /** A registration for a plain handler object under {@code name}, one attempt. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static HandlerRegistration of(String name, TaskHandler<?, ?> handler) {
        return new HandlerRegistration(name, payloadTypeOf(handler.getClass()), 1,
                (payload, context) -> ((TaskHandler) handler).handle(payload, context));
    }

    /**
     * The {@code P} of {@code TaskHandler<P, R>} as {@code handlerClass} binds it; {@code Object}
     * (JSON read into maps, lists, strings, numbers) when it is left open, as in a lambda.
     */
    public static Type payloadTypeOf(Class<?> handlerClass) {
        Deque<Type> todo = new ArrayDeque<>();
        todo.add(handlerClass);
        while (!todo.isEmpty()) {
            Type t = todo.poll();
            Class<?> raw = t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : t instanceof Class<?> c ? c : null;
            if (raw == null) {
                continue;
            }
            if (t instanceof ParameterizedType p && raw == TaskHandler.class) {
                Type arg = p.getActualTypeArguments()[0];
                return arg instanceof Class<?> || arg instanceof ParameterizedType ? arg : Object.class;
            }
            for (Type i : raw.getGenericInterfaces()) {
                todo.add(i);
            }
            if (raw.getGenericSuperclass() != null) {
                todo.add(raw.getGenericSuperclass());
            }
        }
        return Object.class;
    }
}
