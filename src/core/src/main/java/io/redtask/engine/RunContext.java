package io.redtask.engine;

import io.redtask.TaskContext;

/** The {@link TaskContext} a handler gets for one attempt. */
record RunContext(ClaimedTask task) implements TaskContext {

    @Override
    public String taskId() {
        return task.id();
    }

    @Override
    public String type() {
        return task.type();
    }

    @Override
    public String queue() {
        return task.queue();
    }

    @Override
    public int attempt() {
        return task.attempt();
    }

    @Override
    public long fencingToken() {
        return task.token();
    }
}
