package io.redtask.it;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** {@code it-other-work}: returns the queue and attempt it ran with (ServersIT: the work of "another server"). */
@ApplicationScoped
@TaskType(OtherServerWork.TYPE)
public class OtherServerWork implements TaskHandler<Object, Map<String, Object>> {

    static final String TYPE = "it-other-work";

    @Override
    public Map<String, Object> handle(Object payload, TaskContext context) {
        return Map.of("queue", context.queue(), "attempt", context.attempt());
    }
}
