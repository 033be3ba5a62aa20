package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.EnqueueResult;
import io.redtask.store.FailOutcome;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import io.redtask.store.TaskStore.ClaimBatch;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Lua scripts' state changes, one by one, against a real redis-server. */
class RedisTaskStoreTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long T0 = 1_800_000_000_000L;
    private static final long LEASE = 30_000;
    private static final List<String> TYPES = List.of("echo");

    private RedisStorage storage;
    private TaskStore store;
    private final String q = "q";

    @BeforeEach
    void open() {
        storage = RedisStorage.open(
                REDIS.url(),
                8,
                Duration.ofSeconds(2),
                new Keys("t" + UUID.randomUUID()),
                EngineSettings.builder("store")
                        .retention(Duration.ofHours(1), Duration.ofDays(1))
                        .maxStalls(2)
                        .build());
        store = storage.tasks();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private String enqueue(String payload, int maxAttempts, int priority, long dueAt) {
        String id = TaskIds.next(q, T0);
        store.enqueue(
                q,
                List.of(NewTask.builder(id, "echo", q)
                        .payloadJson(payload)
                        .maxAttempts(maxAttempts)
                        .priority(priority)
                        .dueAt(dueAt)
                        .build()),
                T0);
        return id;
    }

    private ClaimedTask claimOne(long now, String owner) {
        List<ClaimedTask> tasks = store.claim(q, 1, now, LEASE, owner, TYPES).tasks();
        assertEquals(1, tasks.size(), "one task should be claimable");
        return tasks.get(0);
    }

    @Test
    void submitClaimCompleteRecordsEveryStep() {
        String id = enqueue("{\"x\":1}", 1, 0, T0);
        assertEquals(TaskState.QUEUED, store.find(id).orElseThrow().state());

        ClaimedTask task = claimOne(T0 + 5, "node-a");
        assertEquals(id, task.id());
        assertEquals("{\"x\":1}", task.payloadJson());
        assertEquals(1, task.attempt());
        TaskStatus running = store.find(id).orElseThrow();
        assertEquals(TaskState.RUNNING, running.state());
        assertEquals(T0 + 5, running.startedAt().toEpochMilli());

        assertTrue(store.complete(task, "{\"ok\":true}", T0 + 10));
        TaskStatus done = store.find(id).orElseThrow();
        assertEquals(TaskState.SUCCEEDED, done.state());
        assertEquals("{\"ok\":true}", done.result());
        assertEquals(1, done.attempts());
        assertEquals(T0, done.createdAt().toEpochMilli());
        assertEquals(T0 + 10, done.finishedAt().toEpochMilli());
        assertEquals(0, storage.redis().zcard(storage.keys().active(q)), "nothing left in flight");
        assertTrue(storage.redis().pttl(storage.keys().task(id)) > 0, "finished tasks expire");
        assertTrue(store.claim(q, 10, T0 + 20, LEASE, "node-a", TYPES).tasks().isEmpty());
    }

    @Test
    void aRepeatedCompleteIsAnsweredAsTheFirstAndAStaleTokenChangesNothing() {
        enqueue("1", 1, 0, T0);
        ClaimedTask task = claimOne(T0, "a");
        ClaimedTask forged = new ClaimedTask(
                task.id(), q, task.type(), task.payloadJson(), 1, task.token() + 1, 1, 0, null, -1, -1, T0, null);
        assertFalse(store.complete(forged, "\"forged\"", T0));
        assertTrue(store.complete(task, "\"real\"", T0));
        assertTrue(
                store.complete(task, "\"again\"", T0),
                "a repeat by the holder (its reply was lost) is answered as the first");
        assertEquals(FailOutcome.STALE, store.fail(task, "late", -1, T0, false));
        assertEquals("\"real\"", store.find(task.id()).orElseThrow().result());
    }

    @Test
    void anExpiredLeaseIsRecoveredAndTheOldOwnersAckIsRefused() {
        String id = enqueue("1", 1, 0, T0);
        ClaimedTask first = claimOne(T0, "node-a");

        assertEquals(0, store.recoverExpired(q, T0 + LEASE - 1, 100).requeued(), "lease still valid");
        assertEquals(1, store.recoverExpired(q, T0 + LEASE + 1, 100).requeued());
        assertEquals(TaskState.QUEUED, store.find(id).orElseThrow().state());

        ClaimedTask second = claimOne(T0 + LEASE + 2, "node-b");
        assertEquals(id, second.id());
        assertEquals(1, second.attempt(), "the lost lease gave its attempt back");
        assertTrue(second.token() > first.token(), "fencing token grows with each claim");

        assertFalse(store.complete(first, "\"from a\"", T0 + LEASE + 3), "the old owner's ack is stale");
        assertEquals(
                List.of(false), store.extend(q, List.of(first), T0 + 2 * LEASE), "the old owner cannot extend either");
        assertTrue(store.complete(second, "\"from b\"", T0 + LEASE + 4));
        assertEquals("\"from b\"", store.find(id).orElseThrow().result());
    }

    @Test
    void aHeartbeatKeepsTheLeaseAlive() {
        String id = enqueue("1", 1, 0, T0);
        ClaimedTask task = claimOne(T0, "a");
        assertEquals(List.of(true), store.extend(q, List.of(task), T0 + 2 * LEASE));
        assertEquals(0, store.recoverExpired(q, T0 + LEASE + 1, 100).requeued());
        assertEquals(TaskState.RUNNING, store.find(id).orElseThrow().state());
    }

    @Test
    void aTaskThatKeepsLosingItsLeaseEndsDead() {
        String id = enqueue("1", 5, 0, T0);
        long now = T0;
        for (int stall = 1; stall <= 3; stall++) {
            claimOne(now, "a");
            now += LEASE + 1;
            store.recoverExpired(q, now, 100);
        }
        TaskStatus status = store.find(id).orElseThrow();
        assertEquals(TaskState.DEAD, status.state(), "max stalls is 2 here");
        assertTrue(status.error().contains("lease expired"));
        assertEquals(1, storage.redis().zcard(storage.keys().dead(q)));
    }

    @Test
    void failRetriesUntilAttemptsAreUsedUpThenBuries() {
        String id = enqueue("1", 2, 0, T0);
        ClaimedTask first = claimOne(T0, "a");
        assertEquals(FailOutcome.SCHEDULED, store.fail(first, "boom 1", T0 + 1_000, T0, false));
        assertEquals(TaskState.SCHEDULED, store.find(id).orElseThrow().state());
        assertTrue(store.claim(q, 1, T0 + 999, LEASE, "a", TYPES).tasks().isEmpty(), "not before its retry time");

        ClaimedTask second = claimOne(T0 + 1_000, "a");
        assertEquals(2, second.attempt());
        assertEquals(FailOutcome.DEAD, store.fail(second, "boom 2", T0 + 5_000, T0 + 1_001, false));
        TaskStatus dead = store.find(id).orElseThrow();
        assertEquals(TaskState.DEAD, dead.state());
        assertEquals("boom 2", dead.error());
        assertEquals(2, dead.attempts());
        assertNotNull(storage.redis().zscore(storage.keys().dead(q), id));
    }

    @Test
    void aNonRetryableFailureIsDeadAtOnce() {
        String id = enqueue("1", 5, 0, T0);
        assertEquals(FailOutcome.DEAD, store.fail(claimOne(T0, "a"), "bad payload", -1, T0, false));
        assertEquals(TaskState.DEAD, store.find(id).orElseThrow().state());
    }

    @Test
    void higherPriorityFirstAndFifoWithinAPriority() {
        String low1 = enqueue("1", 1, -5, T0);
        String mid1 = enqueue("2", 1, 0, T0);
        String high = enqueue("3", 1, 1000, T0);
        String mid2 = enqueue("4", 1, 0, T0);
        String low2 = enqueue("5", 1, -5, T0);
        List<String> order = store.claim(q, 10, T0, LEASE, "a", TYPES).tasks().stream()
                .map(ClaimedTask::id)
                .toList();
        assertEquals(List.of(high, mid1, mid2, low1, low2), order);
    }

    @Test
    void aScheduledTaskIsPromotedWhenDueAndTheNextDueTimeIsReported() {
        String id = enqueue("1", 1, 0, T0 + 60_000);
        assertEquals(TaskState.SCHEDULED, store.find(id).orElseThrow().state());
        ClaimBatch early = store.claim(q, 1, T0 + 59_999, LEASE, "a", TYPES);
        assertTrue(early.tasks().isEmpty());
        assertEquals(T0 + 60_000, early.nextDueAt());
        assertEquals(id, claimOne(T0 + 60_000, "a").id());
    }

    @Test
    void withinAPriorityTasksRunInTheOrderTheyBecameReady() {
        String delayed = enqueue("1", 1, 0, T0 + 1_000); // submitted first, ready at T0 + 1 s
        String ready = enqueue("2", 1, 0, T0); // submitted second, ready at once
        String urgent = enqueue("3", 1, 5, T0 + 1_000); // delayed, but of a higher priority
        List<String> order = store.claim(q, 10, T0 + 1_000, LEASE, "a", TYPES).tasks().stream()
                .map(ClaimedTask::id)
                .toList();
        assertEquals(List.of(urgent, ready, delayed), order);
    }

    @Test
    void releaseGivesTheTaskBackWithoutCountingTheAttempt() {
        String id = enqueue("1", 1, 0, T0);
        ClaimedTask task = claimOne(T0, "a");
        assertTrue(store.release(task));
        assertEquals(0, store.find(id).orElseThrow().attempts());
        ClaimedTask again = claimOne(T0, "b");
        assertEquals(1, again.attempt());
        assertFalse(store.release(task), "stale token");
    }

    @Test
    void unknownAndMalformedIdsAreNotFound() {
        assertTrue(store.find("q:NOPE").isEmpty());
        assertTrue(store.find("no-colon").isEmpty());
        assertTrue(store.find("bad queue!:X").isEmpty());
        assertNull(store.find("q:").orElse(null));
    }

    @Test
    void anIdTakenByAnotherTaskIsRefusedAndTheFirstTaskKept() {
        String id = TaskIds.next(q, T0);
        store.enqueue(
                q,
                List.of(NewTask.builder(id, "echo", q)
                        .payloadJson("1")
                        .maxAttempts(1)
                        .priority(0)
                        .dueAt(T0)
                        .build()),
                T0);
        assertThrows(
                IllegalStateException.class,
                () -> store.enqueue(
                        q,
                        List.of(NewTask.builder(id, "other", q)
                                .payloadJson("2")
                                .maxAttempts(1)
                                .priority(0)
                                .dueAt(T0)
                                .build()),
                        T0));
        assertEquals(1, storage.redis().zcard(storage.keys().ready(q, "echo")));
        assertEquals("1", claimOne(T0, "a").payloadJson());
    }

    @Test
    void aBatchWrittenAgainStoresEachTaskOnceInOrderAndAnIdNamedTwiceOnce() {
        // A batch's tasks share one EXISTS and one ZADD per ready set (lib_add_task's batch plan):
        // a repeat of part of a batch, and an id named twice in one batch, must still be told apart.
        String a = TaskIds.next(q, T0);
        String b = TaskIds.next(q, T0);
        String c = TaskIds.next(q, T0);
        List<EnqueueResult> first = store.enqueue(q, List.of(task(a, "1"), task(b, "2")), T0);
        assertEquals(
                List.of(TaskState.QUEUED, TaskState.QUEUED),
                first.stream().map(EnqueueResult::state).toList());
        List<EnqueueResult> again = store.enqueue(q, List.of(task(a, "1"), task(b, "2")), T0);
        assertEquals(a, again.get(0).id());
        assertNull(again.get(0).state(), "a task stored already is answered as stored by an earlier try");
        assertNull(again.get(1).state());
        // None of this batch is stored yet, so its tasks skip their own EXISTS: the repeat must still count.
        List<EnqueueResult> twice = store.enqueue(q, List.of(task(c, "3"), task(c, "3")), T0);
        assertEquals(TaskState.QUEUED, twice.get(0).state());
        assertNull(twice.get(1).state(), "the second of an id named twice is the first one again");
        assertEquals(3, storage.redis().zcard(storage.keys().ready(q, "echo")));
        assertEquals(
                List.of("1", "2", "3"),
                List.of(
                        claimOne(T0, "x").payloadJson(),
                        claimOne(T0, "x").payloadJson(),
                        claimOne(T0, "x").payloadJson()));
    }

    @Test
    void aBatchOverOneCommandsWorthKeepsItsOrderAndAGroupedTaskItsPlace() {
        // Over 1,000 tasks the batch plan checks and adds in several commands (PLAN_CHUNK); a
        // grouped task is added at once, not with the others.
        List<NewTask> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            batch.add(task(TaskIds.next(q, T0), Integer.toString(i)));
        }
        batch.add(NewTask.builder(TaskIds.next(q, T0), "echo", q)
                .payloadJson("\"grouped\"")
                .maxAttempts(1)
                .dueAt(T0)
                .group("g")
                .build());
        List<EnqueueResult> results = store.enqueue(q, batch, T0);
        assertTrue(results.stream().allMatch(r -> r.state() == TaskState.QUEUED));
        assertEquals(1_002, storage.redis().zcard(storage.keys().ready(q, "echo")));
        List<ClaimedTask> all = store.claim(q, 1_002, T0, LEASE, "x", TYPES).tasks();
        assertEquals(1_002, all.size());
        assertEquals("0", all.get(0).payloadJson());
        assertEquals("1000", all.get(1_000).payloadJson());
        assertEquals("\"grouped\"", all.get(1_001).payloadJson());
    }

    @Test
    void aBatchWithATaskThatCannotBeStoredIsRefusedBeforeAnythingIsWritten() {
        // The Java side never sends one; a hand-made call could. A script that fails half-way keeps
        // what it wrote, so the whole batch is checked first.
        enqueue("\"first\"", 1, 0, T0); // loads the function library
        String fit = TaskIds.next(q, T0);
        String unfit = TaskIds.next(q, T0);
        Keys k = storage.keys();
        String ready = k.ready(q, "echo");
        List<String> keys = List.of(
                k.types(q),
                k.scheduled(q),
                k.sequence(q),
                k.wake(q),
                k.task(fit),
                k.settings(q),
                ready,
                k.task(unfit),
                k.settings(q),
                ready);
        String now = Long.toString(T0);
        List<String> args = List.of(
                now, "0", "4", "id", fit, "t", "echo", "p", "1", "du", now, "5", "id", unfit, "t", "echo", "p", "2",
                "du", now, "pr", "high");
        JedisDataException e = assertThrows(
                JedisDataException.class,
                () -> storage.redis().fcall(ScriptLibrary.get().functionOf("enqueue"), keys, args));
        assertTrue(e.getMessage().contains("task 2 of the batch has no valid priority"), e.getMessage());
        assertFalse(storage.redis().exists(k.task(fit)), "nothing of the batch is stored");
        assertEquals(1, storage.redis().zcard(ready));
    }

    private NewTask task(String id, String payload) {
        return NewTask.builder(id, "echo", q)
                .payloadJson(payload)
                .maxAttempts(1)
                .priority(0)
                .dueAt(T0)
                .build();
    }
}
