package io.redtask.cdi;

import io.redtask.SubmitOptions;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/** The {@link TaskScheduler} that {@code @Inject TaskScheduler} gets. */
@ApplicationScoped
public class CdiTaskScheduler implements TaskScheduler {

    @Inject
    RedTaskRuntime runtime;

    @Override
    public String submit(String type, Object payload, SubmitOptions options) {
        return runtime.engine().submit(type, payload, options);
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return runtime.engine().status(id);
    }
}
