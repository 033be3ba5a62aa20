package io.redtask.redis;

import io.redtask.TaskState;
import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fetcher's claim repeated under its id after its reply was lost (claim.lua, claim_repeat):
 * the tasks the first try took come again, with the same attempt and fence, and no others; a
 * first try that never ran claims afresh; a task that has moved on since (completed, handed back
 * and claimed again) is not answered again.
 */
class ClaimRepeatTest {

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
                4,
                Duration.ofSeconds(2),
                new Keys("t" + UUID.randomUUID()),
                EngineSettings.builder("store").build());
        store = storage.tasks();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private List<String> enqueue(int n) {
        List<NewTask> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(NewTask.builder(TaskIds.next(q, T0), "echo", q)
                    .payloadJson(Integer.toString(i))
                    .build());
        }
        store.enqueue(q, tasks, T0);
        return tasks.stream().map(NewTask::id).toList();
    }

    private static List<String> ids(List<ClaimedTask> tasks) {
        return tasks.stream().map(ClaimedTask::id).toList();
    }

    @Test
    void aRepeatAnswersWhatTheFirstTryTookAndNothingMore() {
        List<String> ids = enqueue(5);
        List<ClaimedTask> first = store.claim(q, 2, T0 + 1, LEASE, "n", TYPES, "c1", T0 + 1 + LEASE)
                .tasks();
        assertEquals(ids.subList(0, 2), ids(first));

        // Its reply was lost: the repeat, later, with the first try's time.
        List<ClaimedTask> again = store.claim(q, 2, T0 + 900, LEASE, "n", TYPES, "c1", T0 + 1 + LEASE)
                .tasks();
        assertEquals(ids(first), ids(again), "the same tasks");
        assertEquals(
                first.stream().map(ClaimedTask::token).toList(),
                again.stream().map(ClaimedTask::token).toList());
        assertEquals(List.of(1, 1), again.stream().map(ClaimedTask::attempt).toList(), "the same attempt");
        assertEquals("0", again.get(0).payloadJson());
        assertEquals(3, storage.redis().zcard(storage.keys().ready(q, "echo")), "nothing more taken");
        assertTrue(store.complete(again.get(0), "null", T0 + 950), "the repeat's token is the task's");

        // Another server's claim or another claim id of this server is not answered.
        assertEquals(
                ids.subList(2, 3),
                ids(store.claim(q, 1, T0 + 1000, LEASE, "other", TYPES, "c1", T0 + 1 + LEASE)
                        .tasks()),
                "another owner's repeat claims afresh");
        assertEquals(
                ids.subList(3, 4),
                ids(store.claim(q, 1, T0 + 1000, LEASE, "n", TYPES, "c2", T0 + 1 + LEASE)
                        .tasks()),
                "another claim's repeat claims afresh");
    }

    @Test
    void aRepeatOfATryThatNeverRanClaimsAfreshUntilTheFirstTrysDeadline() {
        List<String> ids = enqueue(3);
        List<ClaimedTask> got = store.claim(q, 2, T0 + 500, LEASE, "n", TYPES, "c9", T0 + 1 + LEASE)
                .tasks();
        assertEquals(ids.subList(0, 2), ids(got));
        assertEquals(TaskState.RUNNING, store.find(ids.get(0)).orElseThrow().state());
        assertEquals(
                (double) (T0 + 1 + LEASE),
                storage.redis().zscore(storage.keys().active(q), ids.get(0)),
                "every try of a claim leases until its first try's time + lease");
        // That reply lost too: the next repeat finds them.
        assertEquals(
                ids(got),
                ids(store.claim(q, 2, T0 + 900, LEASE, "n", TYPES, "c9", T0 + 1 + LEASE)
                        .tasks()));
    }

    @Test
    void aClaimSentTwiceUnchangedTakesTasksOnceOnACluster() {
        // As Jedis's Cluster client sends a command again after a timeout: same arguments. The
        // store says "Cluster" to its scripts as it would on one (the scripts see no other
        // difference here: every key of the queue is on this node).
        List<String> ids = enqueue(4);
        ScriptRunner scripts = new ScriptRunner(storage.redis(), true);
        StoreSettings clustered =
                StoreSettings.of(EngineSettings.builder("store").build(), true);
        TaskStore onCluster = new RedisTaskStore(
                storage.redis(),
                scripts,
                storage.keys(),
                new RedisQueueStore(storage.redis(), scripts, storage.keys(), clustered),
                clustered);
        List<ClaimedTask> first = onCluster
                .claim(q, 2, T0 + 1, LEASE, "n", TYPES, "c7", T0 + 1 + LEASE)
                .tasks();
        List<ClaimedTask> second = onCluster
                .claim(q, 2, T0 + 1, LEASE, "n", TYPES, "c7", T0 + 1 + LEASE)
                .tasks();
        assertEquals(ids.subList(0, 2), ids(first));
        assertEquals(ids(first), ids(second));
        assertEquals(2, storage.redis().zcard(storage.keys().ready(q, "echo")), "nothing more taken");
    }

    @Test
    void aTaskThatMovedOnSinceIsNotAnsweredAgain() {
        List<String> ids = enqueue(1);
        String key = storage.keys().task(ids.get(0));
        ClaimedTask first = store.claim(q, 1, T0 + 1, LEASE, "n", TYPES, "c1", T0 + 1 + LEASE)
                .tasks()
                .get(0);
        assertEquals("c1/1", storage.redis().hget(key, "ci"), "the claim's mark: its id and the task's fence");
        assertTrue(store.release(first));
        assertFalse(storage.redis().hexists(key, "ci"), "a task handed back loses the mark");
        // Claimed again, under the same lease deadline, in a way that marks no claim (as a
        // completion's next claim). Were the first claim's mark still there, its fence is old.
        ClaimedTask second =
                store.claim(q, 1, T0 + 1, LEASE, "n", TYPES).tasks().get(0);
        assertEquals(first.id(), second.id());
        storage.redis().hset(key, "ci", "c1/1");
        assertEquals(
                List.of(),
                ids(store.claim(q, 1, T0 + 2, LEASE, "n", TYPES, "c1", T0 + 1 + LEASE)
                        .tasks()),
                "the first claim's repeat finds nothing it still holds, and nothing else is ready");

        // A completed task is not answered again either, and loses the mark.
        assertTrue(store.complete(second, "null", T0 + 3));
        assertFalse(storage.redis().hexists(key, "ci"));
        assertEquals(
                List.of(),
                ids(store.claim(q, 1, T0 + 4, LEASE, "n", TYPES, "c1", T0 + 1 + LEASE)
                        .tasks()));
        assertEquals(TaskState.SUCCEEDED, store.find(ids.get(0)).orElseThrow().state());
    }
}
