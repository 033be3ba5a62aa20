package io.redtask;

/** No task has this id (or its record has expired). */
public class TaskNotFoundException extends RedTaskException {

    public TaskNotFoundException(String id) {
        super("no task with id '" + id + "'");
    }
}
