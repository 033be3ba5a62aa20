package io.redtask.engine;

import io.redtask.IdempotencyConflictException;
import io.redtask.InvalidRequestException;
import io.redtask.StoreUnavailableException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.EnqueueResult;
import io.redtask.store.NewTask;
import io.redtask.store.NodeRegistry;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Turns submits into stored tasks: finds the handler, writes and checks the payload, applies the
 * handler's and the server's defaults, and stores batches one round trip per queue.
 */
final class Submitter {

    private static final Logger LOG = Logger.getLogger(RedTaskEngine.class.getName());
    /** A queue nobody serves is warned about at most once per this many served-checks. */
    private static final int CHECKS_PER_WARNING = 60;

    private final TaskStore tasks;
    private final NodeRegistry nodes;
    private final HandlerCatalog handlers;
    private final JsonCodec codec;
    private final Clock clock;
    private final EngineSettings settings;
    private final Lifecycle lifecycle;
    private final MemoryGuard memory;
    private final TaskTracing tracing;
    private final SubmitClaims claims;
    private final QueueShards shards;
    private final Map<String, Long> servedChecks = new ConcurrentHashMap<>();
    private final Map<String, Long> unservedWarnings = new ConcurrentHashMap<>();

    Submitter(
            TaskStore tasks,
            NodeRegistry nodes,
            HandlerCatalog handlers,
            JsonCodec codec,
            Clock clock,
            EngineSettings settings,
            Lifecycle lifecycle,
            MemoryGuard memory,
            TaskTracing tracing,
            QueueShards shards,
            SubmitClaims claims) {
        this.shards = shards;
        this.claims = claims;
        this.memory = memory;
        this.tracing = tracing;
        this.tasks = tasks;
        this.nodes = nodes;
        this.handlers = handlers;
        this.codec = codec;
        this.clock = clock;
        this.settings = settings;
        this.lifecycle = lifecycle;
    }

    /** Stores one task; see {@link io.redtask.TaskScheduler#submitForReceipt}. */
    SubmitReceipt submit(Submission submission) {
        long now = clock.millis();
        // Stored at the time its id was made at: the record need not keep createdAt then (the
        // id tells it), which is 13 bytes of every queued task.
        return store(new PreparedSubmit(prepare(submission, now), now), now);
    }

    /** Checks a submit and gives it its id, storing nothing (a transaction stores it at commit). */
    PreparedSubmit prepareOnly(Submission submission) {
        long now = clock.millis();
        return new PreparedSubmit(prepare(submission, now), now);
    }

    /** Stores a prepared submit (at commit: a transactional submit is created when it is stored). */
    SubmitReceipt store(PreparedSubmit prepared) {
        return store(prepared, clock.millis());
    }

    private SubmitReceipt store(PreparedSubmit prepared, long now) {
        NewTask task = prepared.task();
        memory.check();
        EnqueueResult r = enqueue(task, now);
        warnIfUnserved(ShardNames.queueOf(task.queue()), now);
        if (!r.duplicate()) {
            // No state: stored by an earlier try of this submit whose reply was lost.
            TaskState state = r.state() != null
                    ? r.state()
                    : tasks.find(r.id()).map(TaskStatus::state).orElse(null);
            return new SubmitReceipt(r.id(), state, false);
        }
        return new SubmitReceipt(
                r.id(), tasks.find(r.id()).map(TaskStatus::state).orElse(null), true);
    }

    /**
     * Stores many tasks, one round trip per queue shard (each task has its shard from
     * {@link #prepare}; within a shard they keep their order); see {@link io.redtask.TaskScheduler#submitAll}.
     */
    List<String> submitAll(List<Submission> submissions) {
        long now = clock.millis();
        // Check and convert everything first: an invalid task stores nothing of the batch.
        List<NewTask> prepared = prepareEach(submissions, now);
        Map<String, List<Integer>> positionsByQueue = new LinkedHashMap<>();
        for (int i = 0; i < prepared.size(); i++) {
            positionsByQueue
                    .computeIfAbsent(prepared.get(i).queue(), q -> new ArrayList<>())
                    .add(i);
        }
        memory.check();
        String[] ids = new String[prepared.size()];
        for (Map.Entry<String, List<Integer>> e : positionsByQueue.entrySet()) {
            List<NewTask> batch = e.getValue().stream().map(prepared::get).toList();
            List<EnqueueResult> results;
            try {
                // No claim on submit for bulk submits: they come with a backlog that the workers'
                // own completions keep claiming from, and a claim would only make each call longer.
                results = tasks.enqueue(e.getKey(), batch, now);
            } catch (IdempotencyConflictException conflict) {
                throw positionedIn(conflict, e.getValue(), prepared.size());
            }
            warnIfUnserved(ShardNames.queueOf(e.getKey()), now);
            for (int j = 0; j < results.size(); j++) {
                ids[e.getValue().get(j)] = results.get(j).id();
            }
        }
        return List.of(ids);
    }

    /**
     * A conflict named by its position in one queue shard's part of a {@code submitAll}, renamed
     * by its position among all the submitted tasks.
     */
    private static IdempotencyConflictException positionedIn(
            IdempotencyConflictException conflict, List<Integer> positions, int submitted) {
        if (submitted == 1) {
            return conflict;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tasks\\[(\\d+)]\\.idempotencyKey")
                .matcher(conflict.field());
        int inPart = m.matches() ? Integer.parseInt(m.group(1)) : 0;
        return new IdempotencyConflictException(
                "tasks[" + positions.get(inPart) + "].idempotencyKey", conflict.firstTaskId());
    }

    /**
     * Stores a submit's task; while this server has idle workers for its queue and the task is due,
     * the same round trip claims the queue's next tasks for them and starts them here
     * ({@link SubmitClaims}).
     */
    private EnqueueResult enqueue(NewTask task, long now) {
        int reserved = claims.reserve(task.queue(), task.dueAt() <= now ? 1 : 0);
        TaskStore.Enqueued r;
        try {
            r = tasks.enqueue(task.queue(), List.of(task), now, reserved > 0 ? claims.claim() : null, reserved);
        } catch (RuntimeException | Error e) {
            claims.giveBack(reserved);
            throw e;
        }
        claims.start(r.claimed(), reserved, now);
        return r.results().get(0);
    }

    /**
     * Checks and converts each submission, storing nothing.
     *
     * @throws InvalidRequestException naming {@code tasks[i].<field>} of the first invalid one
     */
    List<NewTask> prepareEach(List<Submission> submissions, long now) {
        return prepareEach(submissions, now, null);
    }

    /**
     * The same, all in {@code shard} when it is a shard of their queue (a batch's tasks share one:
     * its record is counted down by the scripts that end them), else each in its own.
     */
    List<NewTask> prepareEach(List<Submission> submissions, long now, String shard) {
        List<NewTask> prepared = new ArrayList<>(submissions.size());
        for (int i = 0; i < submissions.size(); i++) {
            try {
                prepared.add(prepare(submissions.get(i), now, shard));
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("tasks[" + i + "]." + e.field(), e.getMessage(), e);
            }
        }
        return prepared;
    }

    /** Checks and converts one submission, storing nothing. */
    NewTask prepare(Submission s, long now) {
        return prepare(s, now, null);
    }

    /**
     * Checks and converts one submission, storing nothing; in {@code shard} when that is a shard
     * of its queue, else in the shard {@link QueueShards#pick} chooses.
     */
    NewTask prepare(Submission s, long now, String shard) {
        HandlerRegistration handler = handlers.require(s.type());
        String json = PayloadCheck.toJson(codec, s.payload());
        SubmitLimits.check(s, json, now, nodes, settings);
        PayloadCheck.readable(codec, json, handler);
        SubmitOptions o = s.options();
        Duration timeout = o.timeout() != null ? o.timeout() : handler.timeout();
        Duration window = o.idempotencyWindow() != null ? o.idempotencyWindow() : settings.idempotencyWindow();
        long dueAt = o.dueAt(Instant.ofEpochMilli(now)).toEpochMilli();
        String queue = o.queueName();
        String into = shard != null && ShardNames.queueOf(shard).equals(queue)
                ? shard
                : shards.pick(
                        queue, QueueShards.keyOf(o.group(), NewTask.dedupeKeyOf(o.submittedBy(), o.idempotencyKey())));
        NewTask.Builder b = NewTask.builder(TaskIds.next(into, now), s.type(), into)
                .payloadJson(json)
                .maxAttempts(o.maxAttempts() != null ? o.maxAttempts() : handler.maxAttempts())
                .priority(o.priority())
                .dueAt(dueAt)
                .timeoutMillis(timeout == null ? 0 : timeout.toMillis())
                .submittedBy(o.submittedBy())
                .group(o.group())
                // The submitting thread's own trace context wins (a traced request, a bean called
                // in one); a traceparent the caller passed is used when there is none.
                .trace(traceOf(o))
                // The window counts from when the task is due: a key must not be forgotten while
                // its task still waits (a resubmit would make a second task).
                .idempotencyKey(o.idempotencyKey(), Math.max(0, dueAt - now) + window.toMillis());
        if (o.idempotencyKey() != null) {
            b.fingerprint(Fingerprint.of(s.type(), json));
        }
        if (o.backoff() != null) {
            b.backoff(o.backoff().toMillis(), o.backoffCap().toMillis());
        } else if (handler.backoff() != null) {
            b.backoff(
                    handler.backoff().base().toMillis(), handler.backoff().cap().toMillis());
        }
        return b.build();
    }

    private String traceOf(SubmitOptions o) {
        String current = null;
        try {
            current = tracing.currentTraceParent();
        } catch (RuntimeException | LinkageError e) {
            // A tracer that fails must not fail the submit.
        }
        return current != null ? current : o.trace();
    }

    /**
     * Tasks of a queue that no server takes tasks from wait forever: say so in the log, rather
     * than let the submitter wonder (a queue must be in some server's {@code redtask.queues}).
     * Servers are looked up at most once per served-check interval per queue.
     *
     * <p>A submit made before this engine started (a {@code @Startup} bean's, while the application
     * starts) to one of this server's own queues is not judged at once: the engine is about to
     * serve it, and its heartbeat is not in Redis yet. The next submit after a served-check
     * interval is judged as usual, so a server whose workers are off still warns.
     */
    private void warnIfUnserved(String queue, long now) {
        if (lifecycle.isRunning() && settings.queues().contains(queue)) {
            return;
        }
        long every = settings.servedCheck().toMillis();
        Long checked = servedChecks.get(queue);
        if (checked != null && now - checked < every) {
            return;
        }
        servedChecks.put(queue, now);
        if (checked == null && settings.queues().contains(queue)) {
            return;
        }
        try {
            if (nodes.nodes(now).stream().noneMatch(n -> n.queues().contains(queue))) {
                Long warned = unservedWarnings.get(queue);
                if (warned == null || now - warned > every * CHECKS_PER_WARNING) {
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
}
