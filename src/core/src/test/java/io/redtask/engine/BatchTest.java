package io.redtask.engine;

import io.redtask.BatchDone;
import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.BatchSummary;
import io.redtask.InvalidRequestException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ends a batch's member and what does not: cancelling, a repeated completion, a lease lost
 * for good, a retry from the dead set before and after the batch is done; the callback's payload;
 * and the batches refused at submit.
 */
class BatchTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** A callback payload of the application's own, with a field for the summary. */
    public record Report(String title, BatchSummary batch) {}

    static final class ReportHandler implements TaskHandler<Report, Void> {
        final List<Report> runs = new CopyOnWriteArrayList<>();

        @Override
        public Void handle(Report payload, TaskContext context) {
            runs.add(payload);
            return null;
        }
    }

    static final class Done implements TaskHandler<BatchDone, Void> {
        final List<BatchSummary> runs = new CopyOnWriteArrayList<>();

        @Override
        public Void handle(BatchDone payload, TaskContext context) {
            runs.add(payload.batch());
            return null;
        }
    }

    private static EngineBuilder handlers(EngineBuilder b, Object callback, AtomicBoolean fail, CountDownLatch gate) {
        return b.handler(HandlerRegistration.of("ok", (p, c) -> p))
                .handler(HandlerRegistration.of("flaky", (p, c) -> {
                    if (fail.get()) {
                        throw new IllegalStateException("told to fail");
                    }
                    return "fine";
                }))
                .handler(HandlerRegistration.of("gated", (p, c) -> {
                    if (!gate.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the gate never opened");
                    }
                    return "through";
                }))
                .handler(
                        callback instanceof ReportHandler r
                                ? HandlerRegistration.of("report", r)
                                : HandlerRegistration.of("done", (Done) callback));
    }

    @Test
    void aCancelledMemberEndsItAndTheCallbackKeepsItsOwnPayloadWithTheSummaryAdded() throws Exception {
        ReportHandler report = new ReportHandler();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a"),
                    b -> handlers(b, report, new AtomicBoolean(), new CountDownLatch(0)));
            BatchReceipt r = engine.submitBatchForReceipt(
                    List.of(
                            Submission.of("ok", 1),
                            Submission.of("ok", 2),
                            new Submission(
                                    "ok",
                                    3,
                                    SubmitOptions.builder()
                                            .delay(Duration.ofHours(1))
                                            .build())),
                    Submission.of("report", new Report("nightly", null)));
            assertEquals(
                    TaskState.SCHEDULED,
                    engine.status(r.onComplete()).orElseThrow().state(),
                    "held");
            assertTrue(engine.cancel(r.tasks().get(0)));
            assertTrue(engine.cancel(r.tasks().get(2)));
            assertTrue(!engine.cancel(r.tasks().get(2)), "a second cancel changes nothing");
            BatchStatus before = engine.batch(r.id()).orElseThrow();
            assertEquals(List.of(3, 1, 0, 0, 2), counts(before));
            assertEquals("running", before.state());

            engine.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> report.runs.size() == 1);
            assertEquals(new Report("nightly", new BatchSummary(r.id(), 3, 1, 0, 2)), report.runs.get(0));
            BatchStatus after = engine.batch(r.id()).orElseThrow();
            assertEquals(List.of(3, 0, 1, 0, 2), counts(after));
            assertEquals("done", after.state());
            FetchRounds.await(engine.health(), 3);
            assertEquals(1, report.runs.size());
        }
    }

    @Test
    void aRepeatedCompletionOrALateFailureCountsTheMemberOnce() throws Exception {
        Done done = new Done();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a"),
                    b -> handlers(b, done, new AtomicBoolean(), new CountDownLatch(0)));
            BatchReceipt r = engine.submitBatchForReceipt(
                    List.of(Submission.of("ok", 1), Submission.of("ok", 2)), Submission.of("done", null));
            TaskStore tasks = engine.storage().tasks();
            long now = System.currentTimeMillis();
            ClaimedTask first = tasks.claim("default", 1, now, 60_000, "a", List.of("ok"))
                    .tasks()
                    .get(0);
            assertTrue(tasks.complete(first, "1", now));
            assertTrue(tasks.complete(first, "1", now), "the repeat answers as the first did");
            assertTrue(tasks.fail(first, "late", -1, now, false) == io.redtask.store.FailOutcome.STALE);
            assertTrue(!engine.cancel(first.id()));
            assertEquals(List.of(2, 1, 1, 0, 0), counts(engine.batch(r.id()).orElseThrow()));
            assertEquals(
                    TaskState.SCHEDULED,
                    engine.status(r.onComplete()).orElseThrow().state());

            ClaimedTask second = tasks.claim("default", 1, now, 60_000, "a", List.of("ok"))
                    .tasks()
                    .get(0);
            assertTrue(tasks.complete(second, "2", now));
            assertTrue(tasks.complete(second, "2", now));
            assertEquals(List.of(2, 0, 2, 0, 0), counts(engine.batch(r.id()).orElseThrow()));
            assertEquals(
                    TaskState.QUEUED,
                    engine.status(r.onComplete()).orElseThrow().state(),
                    "released once");
            engine.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> done.runs.size() == 1);
            assertEquals(new BatchSummary(r.id(), 2, 2, 0, 0), done.runs.get(0));
        }
    }

    @Test
    void aMemberWhoseLeaseIsLostForGoodEndsDead() throws Exception {
        Done done = new Done();
        MutableClock clock = new MutableClock(Instant.now());
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    clock,
                    EngineFixture.settings("a").maxStalls(0),
                    b -> handlers(b, done, new AtomicBoolean(), new CountDownLatch(0)));
            BatchReceipt r = engine.submitBatchForReceipt(List.of(Submission.of("ok", 1)), Submission.of("done", null));
            // A server claims the member and dies: no completion, no renewal.
            engine.storage().tasks().claim("default", 1, clock.millis(), 1_000, "ghost", List.of("ok"));
            clock.advance(Duration.ofSeconds(2));
            engine.recoverExpiredLeases();
            assertEquals(
                    TaskState.DEAD,
                    engine.status(r.tasks().get(0)).orElseThrow().state());
            assertEquals(List.of(1, 0, 0, 1, 0), counts(engine.batch(r.id()).orElseThrow()));
            assertEquals(
                    TaskState.QUEUED,
                    engine.status(r.onComplete()).orElseThrow().state());
        }
    }

    @Test
    void aDeadMemberRetriedWhileItsBatchRunsIsCountedAgainButADoneBatchStaysDone() throws Exception {
        Done done = new Done();
        AtomicBoolean fail = new AtomicBoolean(true);
        CountDownLatch gate = new CountDownLatch(1);
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.engine(
                    "a", Clock.systemUTC(), EngineFixture.settings("a"), b -> handlers(b, done, fail, gate));
            BatchReceipt running = engine.submitBatchForReceipt(
                    List.of(Submission.of("flaky", null), Submission.of("gated", null)), Submission.of("done", null));
            String flaky = running.tasks().get(0);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.status(flaky).orElseThrow().state() == TaskState.DEAD);
            assertEquals(
                    List.of(2, 1, 0, 1, 0), counts(engine.batch(running.id()).orElseThrow()));

            fail.set(false);
            assertTrue(engine.admin().retryDeadTask(flaky));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> engine.status(flaky).orElseThrow().state() == TaskState.SUCCEEDED);
            assertEquals(
                    List.of(2, 1, 1, 0, 0), counts(engine.batch(running.id()).orElseThrow()));
            gate.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> done.runs.size() == 1);
            assertEquals(new BatchSummary(running.id(), 2, 2, 0, 0), done.runs.get(0));

            // Once a batch is done, a retried member's new outcome is its own.
            fail.set(true);
            BatchReceipt finished =
                    engine.submitBatchForReceipt(List.of(Submission.of("flaky", null)), Submission.of("done", null));
            await().atMost(Duration.ofSeconds(20)).until(() -> done.runs.size() == 2);
            assertEquals(new BatchSummary(finished.id(), 1, 0, 1, 0), done.runs.get(1));
            fail.set(false);
            assertTrue(engine.admin().retryDeadTask(finished.tasks().get(0)));
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            engine.status(finished.tasks().get(0)).orElseThrow().state() == TaskState.SUCCEEDED);
            BatchStatus s = engine.batch(finished.id()).orElseThrow();
            assertEquals(List.of(1, 0, 0, 1, 0), counts(s));
            assertEquals("done", s.state());
            FetchRounds.await(engine.health(), 3);
            assertEquals(2, done.runs.size(), "no second callback");
        }
    }

    @Test
    void batchesThatCannotWorkAreRefusedNamingTheFieldAndNothingIsStored() throws Exception {
        Done done = new Done();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a").queues(List.of("default", "other")),
                    b -> handlers(b, done, new AtomicBoolean(), new CountDownLatch(0)));
            SubmitOptions other = SubmitOptions.builder().queue("other").build();
            assertField("tasks", () -> engine.submitBatch(List.of(), null));
            assertField(
                    "tasks[1].queue",
                    () -> engine.submitBatch(List.of(Submission.of("ok", 1), new Submission("ok", 2, other)), null));
            assertField(
                    "onComplete.queue",
                    () -> engine.submitBatch(List.of(Submission.of("ok", 1)), new Submission("done", null, other)));
            assertField(
                    "tasks[0].idempotencyKey",
                    () -> engine.submitBatch(
                            List.of(new Submission(
                                    "ok",
                                    1,
                                    SubmitOptions.builder().idempotencyKey("k").build())),
                            null));
            assertField(
                    "onComplete.delay",
                    () -> engine.submitBatch(
                            List.of(Submission.of("ok", 1)),
                            new Submission(
                                    "done",
                                    null,
                                    SubmitOptions.builder()
                                            .delay(Duration.ofMinutes(1))
                                            .build())));
            assertField(
                    "onComplete.group",
                    () -> engine.submitBatch(
                            List.of(Submission.of("ok", 1)),
                            new Submission(
                                    "done",
                                    null,
                                    SubmitOptions.builder().group("g").build())));
            assertField(
                    "onComplete.payload",
                    () -> engine.submitBatch(List.of(Submission.of("ok", 1)), Submission.of("done", List.of(1))));
            assertField(
                    "onComplete.payload.batch",
                    () -> engine.submitBatch(
                            List.of(Submission.of("ok", 1)), Submission.of("done", java.util.Map.of("batch", 1))));
            assertField("tasks[0].type", () -> engine.submitBatch(List.of(Submission.of("nope", 1)), null));
            assertEquals(0, engine.admin().queue("default").ready(), "nothing stored");
        }
    }

    private static void assertField(String field, org.junit.jupiter.api.function.Executable submit) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, submit);
        assertEquals(field, e.field(), e.getMessage());
    }

    /** total, pending, succeeded, dead, cancelled. */
    private static List<Integer> counts(BatchStatus s) {
        return List.of(s.total(), s.pending(), s.succeeded(), s.dead(), s.cancelled());
    }
}
