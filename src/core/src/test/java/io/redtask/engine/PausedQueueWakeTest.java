package io.redtask.engine;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks that become ready in a paused queue leave no wake-up token: a fetcher woken for them would
 * claim nothing (the resume wakes the fetchers). Batches and grouped tasks let into line, as single
 * and bulk submits (SubmitClaimTest, ControlTest). The engine here is never started, so no fetcher
 * takes a token before it is counted.
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

    @Test
    void aBatchSubmittedToAPausedQueueLeavesNoTokenAndTheResumeWakes() {
        engine.admin().pause("default");
        engine.submitBatch(
                List.of(Submission.of("work", 1), Submission.of("work", 2), Submission.of("work", 3)),
                Submission.of("work", null));
        assertEquals(3, engine.admin().queue("default").ready(), "the members are ready");
        assertEquals(0, wakeTokens(), "no token while paused");
        engine.admin().resume("default");
        assertTrue(wakeTokens() >= 1, "the resume wakes the fetchers");
    }

    @Test
    void aBatchCallbackReleasedWhileTheQueueIsPausedLeavesNoToken() {
        String callback = engine.submitBatchForReceipt(List.of(Submission.of("work", 1)), Submission.of("work", null))
                .onComplete();
        long now = System.currentTimeMillis();
        List<ClaimedTask> member =
                tasks.claim("default", 2, now, 30_000, "here", Set.of("work")).tasks();
        assertEquals(1, member.size(), "the callback waits for its batch");
        RedisProbe.client(store).del(store.keys().wake("default"));

        engine.admin().pause("default");
        assertTrue(tasks.complete(member.get(0), "null", now + 1, null).recorded());
        assertEquals(
                io.redtask.TaskState.QUEUED,
                engine.status(callback).orElseThrow().state(),
                "the batch's last member released its callback");
        assertEquals(0, wakeTokens(), "no token while paused");
        engine.admin().resume("default");
        assertTrue(wakeTokens() >= 1, "the resume wakes the fetchers");
    }

    @Test
    void aGroupedTaskLetIntoLineWhileTheQueueIsPausedLeavesNoToken() {
        engine.admin().setGroupConcurrency("default", 1);
        SubmitOptions inGroup = SubmitOptions.builder().group("g").build();
        engine.submit("work", 1, inGroup);
        String second = engine.submit("work", 2, inGroup);
        long now = System.currentTimeMillis();
        List<ClaimedTask> first =
                tasks.claim("default", 2, now, 30_000, "here", Set.of("work")).tasks();
        assertEquals(1, first.size(), "the group's limit of 1 holds the second back");
        RedisProbe.client(store).del(store.keys().wake("default"));

        engine.admin().pause("default");
        assertTrue(tasks.complete(first.get(0), "null", now + 1, null).recorded());
        assertEquals(
                1L,
                RedisProbe.client(store).zcard(store.keys().ready("default", "work")),
                "the completion let the second task into line");
        assertEquals(
                io.redtask.TaskState.QUEUED, engine.status(second).orElseThrow().state());
        assertEquals(0, wakeTokens(), "no token while paused");
        engine.admin().resume("default");
        assertTrue(wakeTokens() >= 1, "the resume wakes the fetchers");
    }
}
