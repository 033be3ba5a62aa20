package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tasks an older version left in the queue's single ready set are claimed after an upgrade, in order. */
class LegacyReadySetTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void tasksInTheOldSingleReadySetAreMigratedAndClaimedInOrder() {
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("legacy")) {
            String q = "q";
            List<String> ids = List.of(TaskIds.next(q, t0), TaskIds.next(q, t0 + 1));
            for (String id : ids) {
                enqueue(storage, id, t0);
            }
            // Put them back where an older version kept them: one ready set for every type.
            Keys keys = storage.keys();
            var redis = storage.redis();
            for (String id : ids) {
                Double score = redis.zscore(keys.ready(q, "echo"), member(id));
                redis.zrem(keys.ready(q, "echo"), member(id));
                redis.zadd(keys.legacyReady(q), score, id);
            }
            redis.del(keys.types(q));

            List<ClaimedTask> claimed = storage.tasks()
                    .claim(q, 10, t0, 30_000, "a", List.of("echo"))
                    .tasks();
            assertEquals(ids, claimed.stream().map(ClaimedTask::id).toList());
            assertFalse(redis.exists(keys.legacyReady(q)), "the old set is emptied");
        }
    }

    @Test
    void tasksInAnOlderReadySetOfTheirTypeAreCountedListedCancelledAndClaimedInOrder() {
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older")) {
            String q = "q";
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(enqueue(storage, TaskIds.next(q, t0 + i), t0 + i));
            }
            // The first and the third where an earlier version kept them: whole ids, the old name.
            Keys keys = storage.keys();
            var redis = storage.redis();
            for (int i : new int[] {0, 2}) {
                toOlderSet(storage, q, ids.get(i));
            }
            assertEquals(4, storage.queues().stats(q, t0 + 10).ready());
            assertEquals(
                    ids,
                    storage.queues().tasks(q, TaskState.QUEUED, 0, 10).stream()
                            .map(TaskStatus::id)
                            .toList());
            // The next to run is the first: its wait counts from its creation.
            assertEquals(
                    Duration.ofMillis(10), storage.queues().stats(q, t0 + 10).nextWaiting());

            assertEquals(Optional.of(TaskState.QUEUED), storage.tasks().cancel(ids.get(2), t0 + 10));
            assertEquals(3, storage.queues().stats(q, t0 + 10).ready());

            List<ClaimedTask> claimed = storage.tasks()
                    .claim(q, 10, t0 + 10, 30_000, "a", List.of("echo"))
                    .tasks();
            assertEquals(
                    List.of(ids.get(0), ids.get(1), ids.get(3)),
                    claimed.stream().map(ClaimedTask::id).toList());
            assertFalse(redis.exists(keys.olderReady(q, "echo")), "the old set is emptied");
            assertEquals(0, storage.queues().stats(q, t0 + 10).ready());
        }
    }

    @Test
    void aTaskThatAServerOfAnEarlierVersionCancelledIsTakenOutOfLineNotRun() {
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older-cancel")) {
            String q = "q";
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ids.add(enqueue(storage, TaskIds.next(q, t0 + i), t0 + i));
            }
            // An earlier version's cancel: the record ends, but only the old set is looked at.
            Keys keys = storage.keys();
            var redis = storage.redis();
            String cancelled = keys.task(ids.get(0));
            redis.hset(cancelled, Map.of(TaskRecord.STATE, "cancelled", TaskRecord.FINISHED_AT, Long.toString(t0 + 5)));
            redis.hincrBy(cancelled, TaskRecord.FENCE, 1);
            redis.hdel(cancelled, TaskRecord.PAYLOAD);
            redis.zrem(keys.olderReady(q, "echo"), ids.get(0));

            List<ClaimedTask> claimed = storage.tasks()
                    .claim(q, 10, t0 + 10, 30_000, "a", List.of("echo"))
                    .tasks();
            assertEquals(
                    List.of(ids.get(1)), claimed.stream().map(ClaimedTask::id).toList());
            assertEquals(
                    TaskState.CANCELLED,
                    storage.tasks().find(ids.get(0)).orElseThrow().state());
            assertEquals(0, redis.zcard(keys.ready(q, "echo")), "out of line");
        }
    }

    @Test
    void aTaskAnEarlierVersionAddsWhileThisOneRunsIsTakenByTheNextClaim() {
        // A fetcher's claim always looks under the old names (completions only while tasks were
        // found there, and about once a second besides: LegacySweeps).
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older-later")) {
            String q = "q";
            assertEquals(
                    0,
                    storage.tasks()
                            .claim(q, 10, t0, 30_000, "a", List.of("echo"))
                            .tasks()
                            .size());
            String id = enqueue(storage, TaskIds.next(q, t0 + 1), t0 + 1);
            Keys keys = storage.keys();
            var redis = storage.redis();
            toOlderSet(storage, q, id);

            List<ClaimedTask> claimed = storage.tasks()
                    .claim(q, 10, t0 + 2, 30_000, "a", List.of("echo"))
                    .tasks();
            assertEquals(List.of(id), claimed.stream().map(ClaimedTask::id).toList());
            assertFalse(redis.exists(keys.olderReady(q, "echo")), "the old set is emptied");
        }
    }

    @Test
    void completionsTakeAnUpgradesBacklogFromTheOldSetOneAfterAnother() {
        // An upgrade leaves a queue's backlog in the old set. Once a claim found tasks there, each
        // completion's next claim looks there too (not once a second), so the backlog runs in
        // order as fast as the workers finish.
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older-backlog")) {
            String q = "q";
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(enqueue(storage, TaskIds.next(q, t0 + i), t0 + i));
            }
            for (String id : ids) {
                toOlderSet(storage, q, id);
            }
            TaskStore.NextClaim next = new TaskStore.NextClaim("a", 30_000, List.of("echo"));
            ClaimedTask current = storage.tasks()
                    .claim(q, 1, t0 + 10, 30_000, "a", List.of("echo"))
                    .tasks()
                    .get(0);
            List<String> ran = new ArrayList<>(List.of(current.id()));
            for (int i = 1; i < ids.size(); i++) {
                TaskStore.Completion done = storage.tasks().complete(current, "null", t0 + 10 + i, next);
                assertTrue(done.recorded());
                assertNotNull(done.next(), "completion " + i + " brings the next task of the old set");
                current = done.next();
                ran.add(current.id());
            }
            assertEquals(ids, ran);
            assertFalse(storage.redis().exists(storage.keys().olderReady(q, "echo")), "the old set is emptied");
        }
    }

    @Test
    void aClaimWithNoRoomDoesNotStopCompletionsTakingTheBacklog() {
        // A claim with no room (the queue's concurrency limit is full) looks at nothing under the
        // old names, so it must not make completions think the tasks there are gone.
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older-limited")) {
            String q = "q";
            List<String> types = List.of("echo");
            TaskStore.NextClaim next = new TaskStore.NextClaim("a", 30_000, types);
            storage.queues().setConcurrency(q, 2);
            // A first task and its completion, with nothing under the old names: the completion's
            // timed look (LegacySweeps) is used up for the next second.
            enqueue(storage, TaskIds.next(q, t0), t0);
            ClaimedTask alone = storage.tasks()
                    .claim(q, 1, t0 + 1, 30_000, "a", types)
                    .tasks()
                    .get(0);
            assertNull(storage.tasks().complete(alone, "null", t0 + 2, next).next());
            // A server of an earlier version adds three.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(enqueue(storage, TaskIds.next(q, t0 + 3 + i), t0 + 3 + i));
            }
            for (String id : ids) {
                toOlderSet(storage, q, id);
            }
            ClaimedTask first = storage.tasks()
                    .claim(q, 1, t0 + 10, 30_000, "a", types)
                    .tasks()
                    .get(0);
            ClaimedTask second = storage.tasks()
                    .claim(q, 1, t0 + 11, 30_000, "a", types)
                    .tasks()
                    .get(0);
            assertEquals(
                    0,
                    storage.tasks()
                            .claim(q, 1, t0 + 12, 30_000, "a", types)
                            .tasks()
                            .size(),
                    "no room");

            ClaimedTask third =
                    storage.tasks().complete(first, "null", t0 + 13, next).next();
            assertNotNull(third, "the completion after the claim with no room still takes from the old set");
            assertEquals(ids, List.of(first.id(), second.id(), third.id()));
        }
    }

    @Test
    void aSubmitsClaimTakesWhatAnEarlierVersionLeftBeforeTheNewTask() {
        // A single submit's claim takes the new task itself only when nothing waits before it,
        // under the old names included.
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = open("older-submit")) {
            String q = "q";
            String older = enqueue(storage, TaskIds.next(q, t0), t0);
            toOlderSet(storage, q, older);
            NewTask mine = NewTask.builder(TaskIds.next(q, t0 + 1), "echo", q)
                    .payloadJson("2")
                    .build();

            TaskStore.Enqueued r = storage.tasks()
                    .enqueue(q, List.of(mine), t0 + 1, new TaskStore.NextClaim("a", 30_000, List.of("echo")), 1);

            assertEquals(
                    List.of(older), r.claimed().stream().map(ClaimedTask::id).toList());
            assertEquals(1, storage.redis().zcard(storage.keys().ready(q, "echo")), "the new task waits in line");
        }
    }

    /** Moves a waiting task to where an earlier version kept it: its type's ready set of the old name. */
    private static void toOlderSet(RedisStorage storage, String q, String id) {
        Keys keys = storage.keys();
        var redis = storage.redis();
        Double score = redis.zscore(keys.ready(q, "echo"), member(id));
        redis.zrem(keys.ready(q, "echo"), member(id));
        redis.zadd(keys.olderReady(q, "echo"), score, id);
    }

    private static RedisStorage open(String prefix) {
        return RedisStorage.open(
                REDIS.url(),
                4,
                Duration.ofSeconds(2),
                new Keys(prefix + "-" + UUID.randomUUID()),
                EngineSettings.builder("s").build());
    }

    /** Stores task {@code id} (type echo, in the queue its id names) at {@code now}; returns the id. */
    private static String enqueue(RedisStorage storage, String id, long now) {
        String q = TaskIds.queueOf(id);
        storage.tasks()
                .enqueue(
                        q,
                        List.of(NewTask.builder(id, "echo", q).payloadJson("1").build()),
                        now);
        return id;
    }

    /** How a ready set names a task: its id without the queue part. */
    private static String member(String id) {
        return id.substring(id.lastIndexOf(':') + 1);
    }
}
