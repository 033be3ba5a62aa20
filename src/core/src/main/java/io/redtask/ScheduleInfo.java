package io.redtask;

import java.time.Instant;

/**
 * A stored recurring schedule.
 *
 * @param name        its name
 * @param cron        its cron expression
 * @param zone        its time zone id
 * @param type        the task type it creates
 * @param queue       the queue it creates tasks in
 * @param payloadJson the payload of each task, as JSON
 * @param misfire     what it does about missed slots
 * @param nextFireAt  its next slot
 */
public record ScheduleInfo(
        String name,
        String cron,
        String zone,
        String type,
        String queue,
        String payloadJson,
        Misfire misfire,
        Instant nextFireAt) {}
