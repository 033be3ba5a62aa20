package io.redtask.jmx;

import io.redtask.InvalidRequestException;
import io.redtask.NotFoundException;
import io.redtask.RedTaskAdmin;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Where RedTask's exceptions meet JMX. A remote client such as JConsole has none of RedTask's
 * classes, so an exception it cannot load would reach it as an unmarshalling error; JDK
 * exceptions with the same message reach it as the reason: a refused value becomes
 * {@link IllegalArgumentException}, anything else {@link IllegalStateException}.
 */
final class JmxBoundary {

    private JmxBoundary() {}

    /** {@code admin}, with every exception it throws turned into a JDK one. */
    static RedTaskAdmin guard(RedTaskAdmin admin) {
        return (RedTaskAdmin) Proxy.newProxyInstance(
                RedTaskAdmin.class.getClassLoader(), new Class<?>[] {RedTaskAdmin.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(admin, args);
                    } catch (InvocationTargetException e) {
                        throw translate(e.getCause());
                    }
                });
    }

    static RuntimeException translate(Throwable e) {
        if (e instanceof InvalidRequestException || e instanceof NotFoundException) {
            return new IllegalArgumentException(e.getMessage());
        }
        if (e instanceof io.redtask.RedTaskException) {
            return new IllegalStateException(e.getMessage());
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
