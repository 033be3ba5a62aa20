package io.redtask.store;

import io.redtask.TaskState;

/**
 * What storing one new task did.
 *
 * @param id        the task's id: the new one, or for a duplicate the first task's
 * @param state     the state it was stored in ({@code QUEUED} or {@code SCHEDULED}), or {@code null} for a duplicate
 * @param duplicate whether its idempotency key was already used within its window
 */
public record EnqueueResult(String id, TaskState state, boolean duplicate) {}
