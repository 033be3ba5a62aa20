package io.redtask;

/**
 * What a submit did.
 *
 * @param id        the task's id: the new task's, or for a duplicate the first task's
 * @param state     the new task's state ({@code QUEUED} or {@code SCHEDULED}); for a duplicate the
 *                  first task's current state, or {@code null} when its record has expired
 * @param duplicate whether the idempotency key had been used in the queue within its window, so
 *                  nothing new was stored
 */
public record SubmitReceipt(String id, TaskState state, boolean duplicate) {}
