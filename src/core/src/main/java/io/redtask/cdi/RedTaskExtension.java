package io.redtask.cdi;

import io.redtask.Recurring;
import io.redtask.Schedule;
import io.redtask.SubmitOptions;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import io.redtask.cron.CronExpression;
import io.redtask.engine.HandlerRegistration;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DefinitionException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the handler beans of the whole application while CDI deploys it, in every module of an
 * EAR, so that an unknown task type is known to be unknown at submit time. A class with
 * {@link TaskType} that is not a {@link TaskHandler}, two handlers with one name, or a bad
 * {@link Recurring} schedule fail the deployment with a message that names them.
 */
public class RedTaskExtension implements Extension {

    private final Map<String, Bean<?>> handlers = new TreeMap<>();
    private final List<Schedule> schedules = new ArrayList<>();

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
        try {
            HandlerRegistration.annotated(type, (p, c) -> null);
        } catch (IllegalArgumentException e) {
            event.addDefinitionError(new DefinitionException(e.getMessage(), e));
            return;
        }
        synchronized (handlers) {
            Bean<?> previous = handlers.putIfAbsent(taskType.value(), event.getBean());
            if (previous != null && !previous.getBeanClass().equals(type)) {
                event.addDefinitionError(new DefinitionException("two handlers for task type '" + taskType.value()
                        + "': " + previous.getBeanClass().getName() + " and " + type.getName()));
            }
            for (Recurring r : type.getAnnotationsByType(Recurring.class)) {
                try {
                    schedules.add(schedule(r, taskType.value()));
                } catch (RuntimeException e) {
                    event.addDefinitionError(new DefinitionException(
                            "@Recurring(name = \"" + r.name() + "\") on " + type.getName() + ": " + e.getMessage(), e));
                }
            }
        }
    }

    private static Schedule schedule(Recurring r, String type) {
        CronExpression.parse(r.cron());
        JsonValue payload;
        try (JsonReader reader = Json.createReader(new StringReader(r.payload()))) {
            payload = reader.readValue();
        }
        return Schedule.builder(r.name(), r.cron(), type)
                .zone(ZoneId.of(r.zone()))
                .payload(payload)
                .options(SubmitOptions.queue(r.queue()))
                .misfire(r.misfire())
                .build();
    }

    /** The schedules declared with {@link Recurring}. */
    List<Schedule> schedules() {
        synchronized (handlers) {
            return List.copyOf(schedules);
        }
    }

    /** The handler beans by task type. */
    Map<String, Bean<?>> handlers() {
        synchronized (handlers) {
            return Map.copyOf(handlers);
        }
    }
}
