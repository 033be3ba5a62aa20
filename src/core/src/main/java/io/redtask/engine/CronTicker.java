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
 * fired by whichever server first moves the schedule on from it (a compare-and-set on the slot,
 * which also records the firing as pending), and only that server stores the slot's task, under
 * a dedupe key made of the schedule's name and slot, then clears the pending firing. A server
 * that dies in between leaves the firing pending, and any server finishes it a few rounds later
 * ({@link #recoverPending}): each slot creates one task.
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
    private final QueueShards shards;
    private final Map<String, CronExpression> parsed = new ConcurrentHashMap<>();
    private final Set<String> unknownTypesLogged = ConcurrentHashMap.newKeySet();
    private final Set<String> badSchedulesLogged = ConcurrentHashMap.newKeySet();
    private volatile long pendingCheckedAt = Long.MIN_VALUE / 2;

    CronTicker(
            ScheduleStore schedules,
            TaskStore tasks,
            HandlerCatalog handlers,
            Clock clock,
            EngineSettings settings,
            QueueShards shards) {
        this.shards = shards;
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
        return fired + recoverPending(now);
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
        boolean fires = !missed || d.misfire() == Misfire.FIRE_ONCE;
        // First the slot, then its task: only the server whose compare-and-set moves the slot on
        // creates the task, so two servers that read the same slot (even while a save moves the
        // schedule to another queue) cannot both fire it. The move records a pending firing,
        // cleared once the task is stored; a server that dies in between leaves it for
        // recoverPending, which stores the task under the same dedupe key.
        boolean moved = schedules.advance(d.name(), slot, next, fires ? d.queue() : null, now);
        boolean created = false;
        if (moved && fires) {
            created = store(d, d.queue(), slot, now);
            schedules.fired(d.name(), slot);
        }
        if (moved && missed) {
            LOG.warning("RedTask: schedule '" + d.name() + "' missed its slot " + Instant.ofEpochMilli(slot)
                    + " and any after it while no server ran it; " + (created ? "fired once now" : "skipped")
                    + ", next " + Instant.ofEpochMilli(next));
        }
        return new FireResult(true, created);
    }

    /** Stores the task of one slot, under a dedupe key of the slot. @return whether it was new */
    private boolean store(ScheduleDefinition d, String queue, long slot, long now) {
        // A schedule's tasks all go to one shard of a sharded queue: its slot's dedupe key lives
        // there, so a slot still creates one task however many servers fire it.
        String shard = shards.pick(queue, "cron:" + d.name());
        NewTask task = NewTask.builder(TaskIds.next(shard, now), d.type(), shard)
                .payloadJson(d.payload())
                .maxAttempts(d.maxAttempts())
                .priority(d.priority())
                .dueAt(now)
                .timeoutMillis(d.timeoutMillis())
                // Remembered well past the time a pending firing could still be recovered.
                .dedupe(
                        "cron:" + d.name() + ":" + slot,
                        settings.idempotencyWindow().toMillis())
                .build();
        return !tasks.enqueue(shard, List.of(task), now).get(0).duplicate();
    }

    /**
     * Stores the tasks of slots whose firing was recorded but not finished (the server that moved
     * the slot died, or Redis failed, before its task was stored), once they are older than a
     * few cron rounds. The dedupe key makes a late duplicate impossible.
     *
     * @return the tasks created
     */
    int recoverPending(long now) {
        long age = Math.max(10_000, settings.cronInterval().toMillis() * 20);
        // Looked at once per that age, not on every tick: one round trip less per cron round.
        if (now - pendingCheckedAt < age && now >= pendingCheckedAt) {
            return 0;
        }
        pendingCheckedAt = now;
        List<ScheduleStore.PendingFiring> old =
                schedules.pending().stream().filter(p -> p.since() <= now - age).toList();
        if (old.isEmpty()) {
            return 0;
        }
        Map<String, ScheduleDefinition> byName = new java.util.HashMap<>();
        schedules.all().keySet().forEach(d -> byName.put(d.name(), d));
        int created = 0;
        for (ScheduleStore.PendingFiring p : old) {
            ScheduleDefinition d = byName.get(p.name());
            if (d != null && handlers.find(d.type()) != null) {
                created += store(d, p.queue(), p.slot(), now) ? 1 : 0;
                LOG.warning("RedTask: schedule '" + p.name() + "': the firing of slot " + Instant.ofEpochMilli(p.slot())
                        + " was left half done; its task is stored now");
            }
            if (d == null || handlers.find(d.type()) != null) {
                schedules.fired(p.name(), p.slot());
            }
        }
        return created;
    }

    static long next(CronExpression cron, long afterMillis, ZoneId zone) {
        return cron.nextAfter(ZonedDateTime.ofInstant(Instant.ofEpochMilli(afterMillis), zone))
                .toInstant()
                .toEpochMilli();
    }
}
