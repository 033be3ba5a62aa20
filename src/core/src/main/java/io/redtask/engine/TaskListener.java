package io.redtask.engine;

import io.redtask.TaskEvent;

/** Hears what happens to tasks on this server, after Redis recorded it. */
@FunctionalInterface
public interface TaskListener {
    void onEvent(TaskEvent event);
}
