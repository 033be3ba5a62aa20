package io.redtask;

/** What a running handler may know about its task. */
public interface TaskContext {

    /** The task's id. */
    String taskId();

    /** The task's type. */
    String type();

    /** The queue it was claimed from. */
    String queue();

    /** This attempt's number, from 1. */
    int attempt();

    /**
     * A number that grows with every claim of this task. A handler that writes elsewhere can
     * store it next to what it wrote and refuse writes carrying a smaller one, so a worker that
     * lost its lease cannot overwrite the work of the one that took the task over.
     */
    long fencingToken();
}
