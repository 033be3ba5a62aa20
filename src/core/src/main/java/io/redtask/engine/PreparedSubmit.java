package io.redtask.engine;

import io.redtask.TaskState;
import io.redtask.store.NewTask;

/**
 * A submit that was checked and given its id but not stored yet: what a transactional submit
 * holds until its transaction commits ({@link RedTaskEngine#prepare}, {@link RedTaskEngine#store}).
 */
public final class PreparedSubmit {

    private final NewTask task;
    private final long preparedAt;

    PreparedSubmit(NewTask task, long preparedAt) {
        this.task = task;
        this.preparedAt = preparedAt;
    }

    /** The id the task will have once stored. */
    public String id() {
        return task.id();
    }

    /** The queue it goes to. */
    public String queue() {
        return io.redtask.store.ShardNames.queueOf(task.queue());
    }

    /** The shard of its queue it goes to (the queue itself unless the queue is sharded). */
    String shard() {
        return task.queue();
    }

    /** The idempotency key it was submitted with, or {@code null}. */
    public String idempotencyKey() {
        return task.idempotencyKey();
    }

    /** Who submits it, or {@code null}. */
    public String submittedBy() {
        return task.submittedBy();
    }

    /** The state it will be stored in: queued when due at once, scheduled otherwise. */
    public TaskState stateWhenStored() {
        return task.dueAt() > preparedAt ? TaskState.SCHEDULED : TaskState.QUEUED;
    }

    NewTask task() {
        return task;
    }
}
