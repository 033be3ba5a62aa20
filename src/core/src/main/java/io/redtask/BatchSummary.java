package io.redtask;

/**
 * What a batch's callback finds in the {@code "batch"} field of its payload once every member has
 * ended. A callback handler declares a {@code BatchSummary batch} field in its payload type (or
 * takes {@link BatchDone}, which has only that field).
 *
 * @param id        the batch's id
 * @param total     how many members it had
 * @param succeeded members that succeeded
 * @param dead      members that ended dead
 * @param cancelled members that were cancelled
 */
public record BatchSummary(String id, int total, int succeeded, int dead, int cancelled) {}
