package io.redtask.demo;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonValue;

/** {@code echo}: returns its payload. */
@ApplicationScoped
@TaskType("echo")
public class EchoHandler implements TaskHandler<JsonValue, JsonValue> {

    @Override
    public JsonValue handle(JsonValue payload, TaskContext context) {
        return payload == null ? JsonValue.NULL : payload;
    }
}
