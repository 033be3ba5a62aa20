package io.redtask.engine;

/**
 * A task about to be stored.
 *
 * @param id          its id ({@link TaskIds})
 * @param type        handler name
 * @param queue       queue name
 * @param payloadJson payload as JSON
 * @param maxAttempts attempts allowed, at least 1
 * @param priority    -1000..1000, higher first
 * @param dueAt       when it may run (epoch ms); at or before now means ready at once
 */
public record NewTask(String id, String type, String queue, String payloadJson, int maxAttempts, int priority,
                      long dueAt) {
}
