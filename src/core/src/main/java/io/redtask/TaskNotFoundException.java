package io.redtask;

/** No task has this id (or its record has expired). */
public class TaskNotFoundException extends NotFoundException {

    /**
     * The exception for an id no task has.
     *
     * @param id the id that was asked for
     */
    public TaskNotFoundException(String id) {
        super("no task with id '" + id + "'");
    }
}
