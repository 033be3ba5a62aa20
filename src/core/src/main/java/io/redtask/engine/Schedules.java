package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.SubmitOptions;
import io.redtask.cron.CronExpression;
import io.redtask.store.ScheduleDefinition;
import io.redtask.store.ScheduleStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** Recurring schedules as callers see them: saved after checking, listed, removed. */
final class Schedules {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());

    private final ScheduleStore store;
    private final HandlerCatalog handlers;
    private final JsonCodec codec;
    private final Clock clock;
    private final SubmitLimits.Limits limits;

    Schedules(ScheduleStore store, HandlerCatalog handlers, JsonCodec codec, Clock clock, SubmitLimits.Limits limits) {
        this.limits = limits;
        this.store = store;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
    }

    /** Saves a schedule; see {@link io.redtask.TaskScheduler#schedule}. */
    void save(Schedule s) {
        CronExpression cron;
        try {
            cron = CronExpression.parse(s.cron());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("cron", e.getMessage(), e);
        }
        HandlerRegistration handler = handlers.require(s.type());
        String json = PayloadCheck.toJson(codec, s.payload());
        SubmitLimits.check(s, json, limits);
        PayloadCheck.readable(codec, json, handler);
        SubmitOptions o = s.options();
        Duration timeout = o.timeout() != null ? o.timeout() : handler.timeout();
        ScheduleDefinition d = new ScheduleDefinition(
                s.name(),
                s.cron(),
                s.zone().getId(),
                s.type(),
                o.queueName(),
                json,
                o.priority(),
                o.maxAttempts() != null ? o.maxAttempts() : handler.maxAttempts(),
                timeout == null ? 0 : timeout.toMillis(),
                s.misfire());
        long next = CronTicker.next(cron, clock.millis(), s.zone());
        if (store.save(d, next)) {
            LOG.info(() -> "RedTask: schedule '" + s.name() + "' (" + s.cron() + " " + s.zone() + ") saved; next slot "
                    + Instant.ofEpochMilli(next));
        }
    }

    boolean remove(String name) {
        return store.remove(name);
    }

    List<ScheduleInfo> list() {
        List<ScheduleInfo> out = new ArrayList<>();
        store.all()
                .forEach((d, next) -> out.add(new ScheduleInfo(
                        d.name(),
                        d.cron(),
                        d.zone(),
                        d.type(),
                        d.queue(),
                        d.payload(),
                        d.misfire(),
                        next < 0 ? null : Instant.ofEpochMilli(next))));
        return out;
    }
}
