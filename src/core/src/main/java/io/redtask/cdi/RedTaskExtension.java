package io.redtask.cdi;

import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;

import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the handler beans of the whole application while CDI deploys it, in every module of an
 * EAR, so that an unknown task type is known to be unknown at submit time. A class with
 * {@link TaskType} that is not a {@link TaskHandler}, or two handlers with one name, fail the
 * deployment with a message that names them.
 */
public class RedTaskExtension implements Extension {

    private final Map<String, Bean<?>> handlers = new TreeMap<>();

    <T> void onManagedBean(@Observes ProcessManagedBean<T> event) {
        Class<?> type = event.getAnnotatedBeanClass().getJavaClass();
        TaskType taskType = type.getAnnotation(TaskType.class);
        if (taskType == null) {
            return;
        }
        if (!TaskHandler.class.isAssignableFrom(type)) {
            event.addDefinitionError(new DefinitionException(type.getName() + " is annotated @TaskType(\""
                    + taskType.value() + "\") but does not implement " + TaskHandler.class.getName()));
            return;
        }
        if (taskType.value() == null || taskType.value().isBlank()) {
            event.addDefinitionError(new DefinitionException("@TaskType on " + type.getName() + " has an empty name"));
            return;
        }
        synchronized (handlers) {
            Bean<?> previous = handlers.putIfAbsent(taskType.value(), event.getBean());
            if (previous != null && !previous.getBeanClass().equals(type)) {
                event.addDefinitionError(new DefinitionException("two handlers for task type '" + taskType.value()
                        + "': " + previous.getBeanClass().getName() + " and " + type.getName()));
            }
        }
    }

    /** The handler beans by task type. */
    Map<String, Bean<?>> handlers() {
        synchronized (handlers) {
            return Map.copyOf(handlers);
        }
    }
}
