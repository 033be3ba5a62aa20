package io.redtask.engine;

import io.redtask.InvalidTaskException;
import io.redtask.Schedule;
import io.redtask.StoreUnavailableException;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.Submission;
import io.redtask.TaskStatus;
import io.redtask.UnknownTaskTypeException;
import io.redtask.cron.CronExpression;
import jakarta.json.bind.JsonbException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Turns submits and schedules into stored tasks: finds the handler, writes and checks the
 * payload, applies the handler's and the server's defaults, and stores batches one round trip
 * per queue.
 */
final class Submitter {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());

    private final RedTaskEngine engine;
    private final Map<String, Long> servedChecks = new ConcurrentHashMap<>();
    private final Map<String, Long> unservedWarnings = new ConcurrentHashMap<>();

    Submitter(RedTaskEngine engine) {
        this.engine = engine;
    }

    /** Stores one task; see {@link RedTaskEngine#submitForReceipt}. */
    SubmitReceipt submit(Submission submission) {
        long now = engine.clock().millis();
        NewTask task = prepare(submission, now);
        EnqueueResult r = engine.store().enqueue(task.queue(), List.of(task), now).get(0);
        warnIfUnserved(task.queue(), now);
        if (!r.duplicate()) {
            return new SubmitReceipt(r.id(), r.state(), false);
        }
        return new SubmitReceipt(r.id(), engine.store().find(r.id()).map(TaskStatus::state).orElse(null), true);
    }

    /** Stores many tasks, one round trip per queue; see {@link RedTaskEngine#submitAll}. */
    List<String> submitAll(List<Submission> submissions) {
        long now = engine.clock().millis();
        // Check and convert everything first: an invalid task stores nothing of the batch.
        List<NewTask> tasks = new ArrayList<>(submissions.size());
        for (int i = 0; i < submissions.size(); i++) {
            try {
                tasks.add(prepare(submissions.get(i), now));
            } catch (InvalidTaskException e) {
                throw new InvalidTaskException("tasks[" + i + "]." + e.field(), e.getMessage(), e);
            }
        }
        Map<String, List<Integer>> positionsByQueue = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            positionsByQueue.computeIfAbsent(tasks.get(i).queue(), q -> new ArrayList<>()).add(i);
        }
        String[] ids = new String[tasks.size()];
        for (Map.Entry<String, List<Integer>> e : positionsByQueue.entrySet()) {
            List<NewTask> batch = e.getValue().stream().map(tasks::get).toList();
            List<EnqueueResult> results = engine.store().enqueue(e.getKey(), batch, now);
            warnIfUnserved(e.getKey(), now);
            for (int j = 0; j < results.size(); j++) {
                ids[e.getValue().get(j)] = results.get(j).id();
            }
        }
        return List.of(ids);
    }

    private NewTask prepare(Submission s, long now) {
        HandlerRegistration handler = handlerFor(s.type());
        String json = payloadJson(s.payload());
        if (handler.payloadType() != Object.class) {
            // Refuse now what the handler could never read, rather than let it die at run time.
            try {
                engine.codec().fromJson(json, handler.payloadType());
            } catch (JsonbException e) {
                throw new InvalidTaskException("payload", JsonCodec.readProblem(json, handler.payloadType(), e), e);
            }
        }
        SubmitOptions o = s.options();
        int maxAttempts = o.maxAttempts() != null ? o.maxAttempts() : handler.maxAttempts();
        Duration timeout = o.timeout() != null ? o.timeout() : handler.timeout();
        long base = -1;
        long cap = -1;
        if (o.backoff() != null) {
            base = o.backoff().toMillis();
            cap = o.backoffCap().toMillis();
        } else if (handler.backoff() != null) {
            base = handler.backoff().base().toMillis();
            cap = handler.backoff().cap().toMillis();
        }
        Duration window = o.idempotencyWindow() != null ? o.idempotencyWindow() : engine.settings().idempotencyWindow();
        return newTask(s.type(), o.queueName(), json, maxAttempts, o.priority(),
                o.dueAt(Instant.ofEpochMilli(now)).toEpochMilli(), timeout == null ? 0 : timeout.toMillis(),
                o.idempotencyKey(), window.toMillis(), base, cap);
    }

    /**
     * Tasks of a queue that no server takes tasks from wait forever: say so in the log, once per
     * queue and hour, rather than let the submitter wonder (a queue must be in some server's
     * {@code redtask.queues}). Servers are looked up at most once a minute per queue.
     */
    private void warnIfUnserved(String queue, long now) {
        if (engine.isRunning() && engine.settings().queues().contains(queue)) {
            return;
        }
        Long checked = servedChecks.get(queue);
        if (checked != null && now - checked < 60_000) {
            return;
        }
        servedChecks.put(queue, now);
        try {
            if (engine.store().nodes(now).stream().noneMatch(n -> n.queues().contains(queue))) {
                Long warned = unservedWarnings.get(queue);
                if (warned == null || now - warned > 3_600_000) {
                    unservedWarnings.put(queue, now);
                    LOG.warning("RedTask: tasks were submitted to queue '" + queue + "', which no running server takes "
                            + "tasks from; they wait until one does. Add the queue to redtask.queues (REDTASK_QUEUES) "
                            + "on the servers that should run them");
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.fine(() -> "RedTask: could not check who serves queue '" + queue + "': " + e.getMessage());
        }
    }

    /** The handler of {@code type}. @throws InvalidTaskException naming the type when there is none */
    private HandlerRegistration handlerFor(String type) {
        HandlerRegistration handler = engine.handler(type);
        if (handler == null) {
            if (type == null || type.isBlank()) {
                throw new InvalidTaskException("type", "is required");
            }
            throw new UnknownTaskTypeException(type, engine.handlers().keySet());
        }
        return handler;
    }

    private String payloadJson(Object payload) {
        try {
            return engine.codec().toJson(payload);
        } catch (JsonbException e) {
            throw new InvalidTaskException("payload", "cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    NewTask newTask(String type, String queue, String payloadJson, int maxAttempts, int priority, long dueAt,
                    long timeoutMillis, String idempotencyKey, long idempotencyWindowMs, long backoffBase,
                    long backoffCap) {
        return new NewTask(TaskIds.next(queue, engine.clock().millis()), type, queue, payloadJson, maxAttempts, priority, dueAt,
                timeoutMillis, idempotencyKey, idempotencyWindowMs, backoffBase, backoffCap);
    }

    /** Saves a recurring schedule; see {@link RedTaskEngine#schedule}. */
    void schedule(Schedule s) {
        CronExpression cron;
        try {
            cron = CronExpression.parse(s.cron());
        } catch (IllegalArgumentException e) {
            throw new InvalidTaskException("cron", e.getMessage(), e);
        }
        HandlerRegistration handler = handlerFor(s.type());
        String json = payloadJson(s.payload());
        SubmitOptions o = s.options();
        Duration timeout = o.timeout() != null ? o.timeout() : handler.timeout();
        ScheduleDefinition d = new ScheduleDefinition(s.name(), s.cron(), s.zone().getId(), s.type(), o.queueName(), json,
                o.priority(), o.maxAttempts() != null ? o.maxAttempts() : handler.maxAttempts(),
                timeout == null ? 0 : timeout.toMillis(), s.misfire());
        long next = CronTicker.next(cron, engine.clock().millis(), s.zone());
        if (engine.store().saveSchedule(d, next)) {
            LOG.info(() -> "RedTask: schedule '" + s.name() + "' (" + s.cron() + " " + s.zone() + ") saved; next slot "
                    + Instant.ofEpochMilli(next));
        }
    }
}
