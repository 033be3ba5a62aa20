package io.redtask.engine;

/**
 * A task a worker holds under a lease.
 *
 * @param id          task id
 * @param queue       its queue
 * @param type        handler name
 * @param payloadJson payload as JSON
 * @param attempt     this attempt's number, from 1
 * @param token       owner token and fencing token: it grows with every claim of the task
 * @param maxAttempts attempts allowed
 */
public record ClaimedTask(String id, String queue, String type, String payloadJson, int attempt, long token,
                          int maxAttempts) {
}
