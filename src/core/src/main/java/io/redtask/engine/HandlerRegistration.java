package io.redtask.engine;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A task type this application can run: its name, the Java type its JSON payload is read into,
 * its defaults, and how to call it.
 *
 * @param name        the task type
 * @param payloadType what the payload JSON is read into
 * @param maxAttempts attempts a task of this type gets unless its submit says otherwise
 * @param timeout     longest time an attempt may run unless its submit says otherwise, or {@code null}
 * @param backoff     waits between attempts, or {@code null} for the engine's
 * @param noRetryFor  exceptions that make a task dead at once
 * @param invoker     runs the handler
 */
public record HandlerRegistration(
        String name,
        Type payloadType,
        int maxAttempts,
        Duration timeout,
        RetryBackoff backoff,
        List<Class<? extends Throwable>> noRetryFor,
        Invoker invoker) {

    /** Calls a handler; the CDI layer's version obtains the bean for each call. */
    @FunctionalInterface
    public interface Invoker {
        Object invoke(Object payload, TaskContext context) throws Exception;
    }

    public HandlerRegistration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payloadType, "payloadType");
        Objects.requireNonNull(invoker, "invoker");
        noRetryFor = List.copyOf(noRetryFor);
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts of handler '" + name + "' must be at least 1");
        }
    }

    /** A registration for {@code handlerClass} with the defaults of its {@link TaskType}. */
    public static HandlerRegistration annotated(Class<?> handlerClass, Invoker invoker) {
        TaskType t = handlerClass.getAnnotation(TaskType.class);
        if (t == null) {
            throw new IllegalArgumentException(handlerClass.getName() + " has no @TaskType");
        }
        Duration timeout = duration(t.timeout(), "timeout", handlerClass);
        Duration base = duration(t.backoff(), "backoff", handlerClass);
        Duration cap = duration(t.backoffCap(), "backoffCap", handlerClass);
        RetryBackoff backoff = null;
        if (base != null || cap != null) {
            Duration b = base != null ? base : RetryBackoff.DEFAULT.base();
            Duration c =
                    cap != null ? cap : RetryBackoff.DEFAULT.cap().compareTo(b) < 0 ? b : RetryBackoff.DEFAULT.cap();
            backoff = new RetryBackoff(b, c, RetryBackoff.DEFAULT.jitter());
        }
        return new HandlerRegistration(
                t.value(),
                payloadTypeOf(handlerClass),
                t.maxAttempts(),
                timeout,
                backoff,
                List.of(t.noRetryFor()),
                invoker);
    }

    /** A registration for a plain handler object, named and configured by its {@link TaskType}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static HandlerRegistration of(TaskHandler<?, ?> handler) {
        return annotated(handler.getClass(), (payload, context) -> ((TaskHandler) handler).handle(payload, context));
    }

    /** A registration for a plain handler object under {@code name}, one attempt, no timeout. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static HandlerRegistration of(String name, TaskHandler<?, ?> handler) {
        return new HandlerRegistration(
                name,
                payloadTypeOf(handler.getClass()),
                1,
                null,
                null,
                List.of(),
                (payload, context) -> ((TaskHandler) handler).handle(payload, context));
    }

    /** Whether {@code e} is one of the exceptions this handler does not retry. */
    public boolean isNonRetryable(Throwable e) {
        return e instanceof io.redtask.NonRetryableException
                || noRetryFor.stream().anyMatch(c -> c.isInstance(e));
    }

    private static Duration duration(String text, String field, Class<?> type) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "@TaskType(" + field + " = \"" + text + "\") on " + type.getName()
                            + " is not an ISO-8601 duration such as PT30S",
                    e);
        }
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
            Class<?> raw =
                    t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : t instanceof Class<?> c ? c : null;
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
