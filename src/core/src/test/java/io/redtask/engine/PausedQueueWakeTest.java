package io.redtask.engine;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.ClaimedTask;
import io.redtask.store.FailOutcome;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wake-up tokens are hints that a task is ready, one per task: none while its queue is paused (a
 * fetcher woken would claim nothing; the resume wakes the fetchers), for batches, grouped tasks let
 * into line, failed attempts retried at once, released tasks, recovered leases, dead tasks retried
 * and changed limits, as for single and bulk submits (SubmitClaimTest, ControlTest); and one, not
 * two, for a grouped task, whose group's steps push its token when they let it into line. The
 * engine here is never started, so no fetcher takes a token before it is counted.
 */
class PausedQueueWakeTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private RedisStorage store;
    private TaskStore tasks;
    private RedTaskEngine engine;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        store = fixture.store();
        tasks = store.tasks();
        engine = fixture.unstarted(
                "admin",
                Clock.systemUTC(),
                EngineFixture.settings("admin"),
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> null)));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private long wakeTokens() {
        return RedisProbe.client(store).llen(store.keys().wake("default"));
    }

    /** Claims the one task ready now (saying why it is the only one) and drops the tokens left so far. */
    private ClaimedTask theOnlyReadyTask(String why) {
        List<ClaimedTask> claimed = tasks.claim(
                        "default", 2, System.currentTimeMillis(), 30_000, "here", Set.of("work"))
                .tasks();
        assertEquals(1, claimed.size(), why);
        RedisProbe.client(store).del(store.keys().wake("default"));
        return claimed.get(0);
    }

    /** Pauses the queue and records {@code task}'s success. */
    private void completeWhilePaused(ClaimedTask task) {
        engine.admin().pause("default");
        assertTrue(
                tasks.complete(task, "null", System.currentTimeMillis(), null).recorded());
    }

    private void assertNoTokenUntilTheResume() {
        assertEquals(0, wakeTokens(), "no token while paused");
        engine.admin().resume("default");
        assertTrue(wakeTokens() >= 1, "the resume wakes the fetchers");
    }

    @Test
    void aBatchSubmittedToAPausedQueueLeavesNoTokenAndTheResumeWakes() {
        engine.admin().pause("default");
        engine.submitBatch(
                List.of(Submission.of("work", 1), Submission.of("work", 2), Submission.of("work", 3)),
                Submission.of("work", null));
        assertEquals(3, engine.admin().queue("default").ready(), "the members are ready");
        assertNoTokenUntilTheResume();
    }

    @Test
    void aBatchCallbackReleasedWhileTheQueueIsPausedLeavesNoToken() {
        String callback = engine.submitBatchForReceipt(List.of(Submission.of("work", 1)), Submission.of("work", null))
                .onComplete();
        ClaimedTask member = theOnlyReadyTask("the callback waits for its batch");
        completeWhilePaused(member);
        assertEquals(
                io.redtask.TaskState.QUEUED,
                engine.status(callback).orElseThrow().state(),
                "the batch's last member released its callback");
        assertNoTokenUntilTheResume();
    }

    @Test
    void aGroupedTaskLetIntoLineWhileTheQueueIsPausedLeavesNoToken() {
        engine.admin().setGroupConcurrency("default", 1);
        SubmitOptions inGroup = SubmitOptions.builder().group("g").build();
        engine.submit("work", 1, inGroup);
        String second = engine.submit("work", 2, inGroup);
        ClaimedTask first = theOnlyReadyTask("the group's limit of 1 holds the second back");
        completeWhilePaused(first);
        assertEquals(
                1L,
                RedisProbe.client(store).zcard(store.keys().ready("default", "work")),
                "the completion let the second task into line");
        assertEquals(
                io.redtask.TaskState.QUEUED, engine.status(second).orElseThrow().state());
        assertNoTokenUntilTheResume();
    }

    /**
     * After {@code makeReady} made a task ready again: while paused, no token until the resume;
     * else at least one (the wake-up is still there when it is wanted).
     */
    private void assertWokenOnlyWhenNotPaused(boolean paused) {
        assertEquals(1, engine.admin().queue("default").ready(), "ready again");
        if (paused) {
            assertNoTokenUntilTheResume();
        } else {
            assertTrue(wakeTokens() >= 1, "a token for the task ready again");
        }
    }

    private void pauseIf(boolean paused) {
        if (paused) {
            engine.admin().pause("default");
        }
    }

    @ParameterizedTest(name = "paused: {0}")
    @ValueSource(booleans = {true, false})
    void aFailedAttemptRetriedAtOnceWakesOnlyAQueueNotPaused(boolean paused) {
        engine.submit("work", 1, SubmitOptions.builder().maxAttempts(3).build());
        ClaimedTask task = theOnlyReadyTask("one task submitted");
        pauseIf(paused);
        long now = System.currentTimeMillis();
        assertEquals(FailOutcome.RETRY, tasks.fail(task, "boom", now, now, false));
        assertWokenOnlyWhenNotPaused(paused);
    }

    @ParameterizedTest(name = "paused: {0}")
    @ValueSource(booleans = {true, false})
    void aReleasedTaskWakesOnlyAQueueNotPaused(boolean paused) {
        engine.submit("work", 1);
        ClaimedTask task = theOnlyReadyTask("one task submitted");
        pauseIf(paused);
        assertTrue(tasks.release(task));
        assertWokenOnlyWhenNotPaused(paused);
    }

    @ParameterizedTest(name = "paused: {0}")
    @ValueSource(booleans = {true, false})
    void aRecoveredLeaseWakesOnlyAQueueNotPaused(boolean paused) {
        engine.submit("work", 1);
        theOnlyReadyTask("one task submitted");
        pauseIf(paused);
        // Its 30-second lease has run out by then.
        assertEquals(
                1,
                tasks.recoverExpired("default", System.currentTimeMillis() + 60_000, 10)
                        .requeued());
        assertWokenOnlyWhenNotPaused(paused);
    }

    @ParameterizedTest(name = "paused: {0}")
    @ValueSource(booleans = {true, false})
    void aDeadTaskRetriedWakesOnlyAQueueNotPaused(boolean paused) {
        engine.submit("work", 1);
        ClaimedTask task = theOnlyReadyTask("one task submitted");
        long now = System.currentTimeMillis();
        assertEquals(FailOutcome.DEAD, tasks.fail(task, "boom", -1, now, false));
        pauseIf(paused);
        assertEquals(1, engine.admin().retryDead("default"));
        assertWokenOnlyWhenNotPaused(paused);
    }

    @Test
    void aLimitChangedWhileTheQueueIsPausedLeavesNoToken() {
        engine.admin().pause("default");
        engine.admin().setGroupConcurrency("default", 2);
        assertNoTokenUntilTheResume();
    }

    @Test
    void aGroupedTaskRetriedAtOnceGetsOneTokenFromItsGroupAndNoSecond() {
        engine.submit(
                "work", 1, SubmitOptions.builder().group("g").maxAttempts(3).build());
        ClaimedTask task = theOnlyReadyTask("one task submitted");
        long now = System.currentTimeMillis();
        assertEquals(FailOutcome.RETRY, tasks.fail(task, "boom", now, now, false));
        assertEquals(1, engine.admin().queue("default").ready(), "let into line again");
        assertEquals(1, wakeTokens(), "one token for one task ready again");
    }

    @Test
    void aGroupedDeadTaskRetriedGetsOneTokenFromItsGroupAndNoSecond() {
        engine.submit("work", 1, SubmitOptions.builder().group("g").build());
        ClaimedTask task = theOnlyReadyTask("one task submitted");
        assertEquals(FailOutcome.DEAD, tasks.fail(task, "boom", -1, System.currentTimeMillis(), false));
        RedisProbe.client(store).del(store.keys().wake("default"));
        assertEquals(1, engine.admin().retryDead("default"));
        assertEquals(1, engine.admin().queue("default").ready(), "let into line again");
        assertEquals(1, wakeTokens(), "one token for one task ready again");
    }

    @Test
    void aGroupedTaskSubmittedGetsOneTokenFromItsGroupAndNoSecond() {
        engine.submit("work", 1, SubmitOptions.builder().group("g").build());
        assertEquals(1, engine.admin().queue("default").ready());
        assertEquals(1, wakeTokens(), "one token for one task ready");
    }

    @Test
    void aBatchWithAGroupedMemberGetsOneTokenPerMemberReady() {
        engine.submitBatch(
                List.of(
                        new Submission(
                                "work", 1, SubmitOptions.builder().group("g").build()),
                        Submission.of("work", 2)),
                Submission.of("work", null));
        assertEquals(2, engine.admin().queue("default").ready());
        assertEquals(2, wakeTokens(), "one token per member ready");
    }
}
