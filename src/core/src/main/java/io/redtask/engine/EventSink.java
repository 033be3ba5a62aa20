package io.redtask.engine;

import io.redtask.TaskEvent;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Hands task events to the listeners; a listener that throws is logged and changes nothing. */
final class EventSink {

    private static final Logger LOG = Logger.getLogger(EventSink.class.getName());

    private final List<TaskListener> listeners;

    EventSink(List<TaskListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    void publish(TaskEvent event) {
        for (TaskListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "RedTask: a task event listener failed on " + event.kind() + " of " + event.taskId()
                                + "; the task is not affected",
                        e);
            }
        }
    }
}
