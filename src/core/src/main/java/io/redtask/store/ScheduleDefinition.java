package io.redtask.store;

import io.redtask.Misfire;

/**
 * A recurring schedule as stored in Redis (JSON).
 *
 * @param name          its name
 * @param cron          cron expression
 * @param zone          time zone id
 * @param type          task type
 * @param queue         queue of its tasks
 * @param payload       payload JSON of its tasks
 * @param priority      priority of its tasks
 * @param maxAttempts   attempts of its tasks
 * @param timeoutMillis timeout of its tasks, 0 for none
 * @param misfire       what to do about missed slots
 */
public record ScheduleDefinition(
        String name,
        String cron,
        String zone,
        String type,
        String queue,
        String payload,
        int priority,
        int maxAttempts,
        long timeoutMillis,
        Misfire misfire) {}
