package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.Misfire;
import io.redtask.cron.CronExpression;
import io.redtask.store.NewTask;
import io.redtask.store.ScheduleDefinition;
import io.redtask.store.ScheduleStore;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Fires the due slots of recurring schedules. Every server with workers runs one; a slot is
 * fired in two steps that any number of servers may race through: the slot's task is stored under
 * a dedupe key made of the schedule's name and slot (so only the first store creates a task), then
 * the schedule is moved on to its next slot if it still stands at this one. A server that dies
 * between the two leaves the slot due, and whoever fires it next finds the task already stored.
 *
 * <p>A slot found more than the misfire threshold late was missed while no server ran: it is
 * fired once or skipped, as the schedule says, and the schedule carries on from now rather than
 * firing once per missed slot. A schedule whose type this server has no handler for is left to
 * servers that have one.
 */
final class CronTicker {

    private static final Logger LOG = Logger.getLogger(CronTicker.class.getName());
    /** Schedules read per round trip, and rounds per tick: bounds one tick's work. */
    private static final int BATCH = 100;

    private static final int MAX_ROUNDS = 1_000;

    private final ScheduleStore schedules;
    private final TaskStore tasks;
    private final HandlerCatalog handlers;
    private final Clock clock;
    private final EngineSettings settings;
    private final Map<String, CronExpression> parsed = new ConcurrentHashMap<>();
    private final Set<String> unknownTypesLogged = ConcurrentHashMap.newKeySet();
    private final Set<String> badSchedulesLogged = ConcurrentHashMap.newKeySet();

    CronTicker(
            ScheduleStore schedules, TaskStore tasks, HandlerCatalog handlers, Clock clock, EngineSettings settings) {
        this.schedules = schedules;
        this.tasks = tasks;
        this.handlers = handlers;
        this.clock = clock;
        this.settings = settings;
    }

    /** Fires what is due now. @return the number of tasks this server created */
    int tick() {
        int fired = 0;
        long now = clock.millis();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Map<ScheduleDefinition, Long> due = schedules.due(now, BATCH);
            boolean movedAny = false;
            for (Map.Entry<ScheduleDefinition, Long> e : due.entrySet()) {
                FireResult r;
                try {
                    r = fire(e.getKey(), e.getValue(), now);
                } catch (InvalidRequestException | IllegalArgumentException | DateTimeException ex) {
                    // A schedule whose cron, zone or task cannot be used (damaged, or saved by
                    // another version) is skipped and logged once; the others still fire.
                    if (badSchedulesLogged.add(e.getKey().name())) {
                        LOG.warning("RedTask: schedule '" + e.getKey().name() + "' cannot fire (" + ex.getMessage()
                                + "); skipped until it is saved again");
                    }
                    r = new FireResult(false, false);
                }
                fired += r.created ? 1 : 0;
                movedAny |= r.handled;
            }
            if (due.size() < BATCH || !movedAny) {
                break; // all due slots seen, or only slots for other servers are left
            }
        }
        return fired;
    }

    private record FireResult(boolean handled, boolean created) {}

    private FireResult fire(ScheduleDefinition d, long slot, long now) {
        if (handlers.find(d.type()) == null) {
            // Another application (or a newer version) shares the Redis: leave the slot to a
            // server that can run it, rather than create a task that can only die here.
            if (unknownTypesLogged.add(d.name())) {
                LOG.info(() -> "RedTask: schedule '" + d.name() + "' creates '" + d.type()
                        + "' tasks, which this server has no handler for; left to servers that have one");
            }
            return new FireResult(false, false);
        }
        CronExpression cron = parsed.computeIfAbsent(d.cron(), CronExpression::parse);
        ZoneId zone = ZoneId.of(d.zone());
        boolean missed = now - slot > settings.misfireThreshold().toMillis();
        long next = next(cron, missed ? now : slot, zone);
        boolean created = false;
        if (!missed || d.misfire() == Misfire.FIRE_ONCE) {
            NewTask task = NewTask.builder(TaskIds.next(d.queue(), now), d.type(), d.queue())
                    .payloadJson(d.payload())
                    .maxAttempts(d.maxAttempts())
                    .priority(d.priority())
                    .dueAt(now)
                    .timeoutMillis(d.timeoutMillis())
                    // Remembered well past the time any server could still be firing this slot.
                    .dedupe(
                            "cron:" + d.name() + ":" + slot,
                            settings.idempotencyWindow().toMillis())
                    .build();
            created = !tasks.enqueue(d.queue(), List.of(task), now).get(0).duplicate();
        }
        boolean moved = schedules.advance(d.name(), slot, next);
        if (moved && missed) {
            LOG.warning("RedTask: schedule '" + d.name() + "' missed its slot " + Instant.ofEpochMilli(slot)
                    + " and any after it while no server ran it; " + (created ? "fired once now" : "skipped")
                    + ", next " + Instant.ofEpochMilli(next));
        }
        return new FireResult(true, created);
    }

    static long next(CronExpression cron, long afterMillis, ZoneId zone) {
        return cron.nextAfter(ZonedDateTime.ofInstant(Instant.ofEpochMilli(afterMillis), zone))
                .toInstant()
                .toEpochMilli();
    }
}
