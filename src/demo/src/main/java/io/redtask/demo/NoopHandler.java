package io.redtask.demo;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code noop}: does nothing; for measuring RedTask itself. */
@ApplicationScoped
@TaskType("noop")
public class NoopHandler implements TaskHandler<Object, Void> {

    @Override
    public Void handle(Object payload, TaskContext context) {
        return null;
    }
}
