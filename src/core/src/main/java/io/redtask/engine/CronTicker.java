package io.redtask.engine;

import io.redtask.Misfire;
import io.redtask.cron.CronExpression;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Fires the due slots of the recurring schedules of this server's queues. Every server runs one;
 * the slot is fired by whichever gets there first ({@link TaskStore#fireSchedule} is atomic), so
 * each slot creates one task however many servers are up. A slot found more than the misfire
 * threshold late was missed while no server ran: it is fired once or skipped, as the schedule says,
 * and the schedule carries on from now rather than firing once per missed slot.
 */
final class CronTicker {

    private static final Logger LOG = Logger.getLogger(CronTicker.class.getName());
    private static final int MAX_FIRINGS_PER_TICK = 1_000;

    private final RedTaskEngine engine;
    private final Map<String, CronExpression> parsed = new ConcurrentHashMap<>();
    private final java.util.Set<String> unknownTypesLogged = ConcurrentHashMap.newKeySet();

    CronTicker(RedTaskEngine engine) {
        this.engine = engine;
    }

    /** Fires what is due now. @return the number of tasks this server created */
    int tick() {
        int fired = 0;
        long now = engine.clock().millis();
        long threshold = engine.settings().misfireThreshold().toMillis();
        for (String queue : engine.settings().queues()) {
            for (int round = 0; round < MAX_FIRINGS_PER_TICK; round++) {
                Map<ScheduleDefinition, Long> due = engine.store().dueSchedules(queue, now, 100);
                if (due.isEmpty()) {
                    break;
                }
                int before = fired;
                boolean anyRunnable = false;
                for (Map.Entry<ScheduleDefinition, Long> e : due.entrySet()) {
                    anyRunnable |= engine.handler(e.getKey().type()) != null;
                    fired += fire(queue, e.getKey(), e.getValue(), now, threshold);
                }
                if (!anyRunnable && fired == before) {
                    break; // only schedules for other servers are due: nothing more to do here
                }
            }
        }
        return fired;
    }

    private int fire(String queue, ScheduleDefinition d, long slot, long now, long threshold) {
        if (engine.handler(d.type()) == null) {
            // Another application (or a newer version) shares the queue: leave the slot to a
            // server that can run it, rather than create a task that can only die here.
            if (unknownTypesLogged.add(d.name())) {
                LOG.info(() -> "RedTask: schedule '" + d.name() + "' creates '" + d.type()
                        + "' tasks, which this server has no handler for; left to servers that have one");
            }
            return 0;
        }
        CronExpression cron = parsed.computeIfAbsent(d.cron(), CronExpression::parse);
        ZoneId zone = ZoneId.of(d.zone());
        boolean missed = now - slot > threshold;
        long next = next(cron, missed ? now : slot, zone);
        NewTask task = null;
        if (!missed || d.misfire() == Misfire.FIRE_ONCE) {
            task = engine.submitter().newTask(d.type(), d.queue(), d.payload(), d.maxAttempts(), d.priority(), now,
                    d.timeoutMillis(), null, 0, -1, -1);
        }
        boolean won = engine.store().fireSchedule(queue, d.name(), slot, next, task, now);
        if (won && missed) {
            LOG.warning("RedTask: schedule '" + d.name() + "' missed its slot " + Instant.ofEpochMilli(slot)
                    + " and any after it while no server ran it; " + (task != null ? "fired once now" : "skipped")
                    + ", next " + Instant.ofEpochMilli(next));
        }
        return won && task != null ? 1 : 0;
    }

    static long next(CronExpression cron, long afterMillis, ZoneId zone) {
        return cron.nextAfter(ZonedDateTime.ofInstant(Instant.ofEpochMilli(afterMillis), zone)).toInstant().toEpochMilli();
    }
}
