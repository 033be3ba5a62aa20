package io.redtask.engine;

import io.redtask.RateLimit;
import io.redtask.TaskEvent;
import io.redtask.TaskState;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.store.TaskStore;
import io.redtask.store.TaskStore.NextClaim;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A submit made while this server has idle workers claims the queue's next tasks in its own round
 * trip: in queue order, under the queue's pause and concurrency limit, leaving wake-up tokens only
 * for what it did not take; and a fetcher woken while its workers are busy passes the token on.
 */
class SubmitClaimTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final NextClaim HERE = new NextClaim("here", 30_000, Set.of("work"));
    /**
     * Fetchers' blocking wait, far beyond each test's bounds, so that only a wake-up token ends it
     * (with a read timeout above it: a shorter one would end the wait too).
     */
    private static final Duration LONG_POLL = Duration.ofSeconds(30);

    private EngineFixture fixture;
    private RedisStorage store;
    private TaskStore tasks;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        store = fixture.store();
        tasks = store.tasks();
    }

    /** A started engine whose fetchers wait for tokens only (see {@link #LONG_POLL}). */
    private RedTaskEngine engine(
            String node, EngineSettings.Builder settings, java.util.function.Consumer<EngineBuilder> setup) {
        RedTaskEngine e = fixture.unstarted(
                REDIS.url(),
                LONG_POLL.plusSeconds(30),
                node,
                Clock.systemUTC(),
                settings.pollInterval(LONG_POLL),
                setup);
        e.start();
        return e;
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private static NewTask task(int priority, long now) {
        return due("work", now).maxAttempts(3).priority(priority).build();
    }

    /** A task of {@code type} for queue "default", due at {@code now}, with a null payload. */
    private static NewTask.Builder due(String type, long now) {
        return NewTask.builder(TaskIds.next("default", now), type, "default")
                .payloadJson("null")
                .dueAt(now);
    }

    /** An engine that is not started, for its admin operations on queue "default". */
    private RedTaskEngine admin() {
        return fixture.unstarted(
                "admin",
                Clock.systemUTC(),
                EngineFixture.settings("admin"),
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> null)));
    }

    private long wakeTokens() {
        return wakeTokens("default");
    }

    private long wakeTokens(String queue) {
        return RedisProbe.client(store).llen(store.keys().wake(queue));
    }

    @Test
    void theClaimTakesTheQueuesNextTaskNotTheNewOne() {
        long now = System.currentTimeMillis();
        NewTask first = task(0, now);
        NewTask urgent = task(9, now);
        NewTask second = task(0, now);
        tasks.enqueue("default", List.of(first, second), now);

        TaskStore.Enqueued r = tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertEquals(
                List.of(first.id()), r.claimed().stream().map(ClaimedTask::id).toList(), "oldest first");

        tasks.enqueue("default", List.of(urgent), now);
        r = tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertEquals(
                List.of(urgent.id()), r.claimed().stream().map(ClaimedTask::id).toList(), "priority first");
        ClaimedTask claimed = r.claimed().get(0);
        assertEquals(1, claimed.attempt());
        assertEquals(TaskState.RUNNING, tasks.find(urgent.id()).orElseThrow().state());
        assertEquals(TaskState.QUEUED, tasks.find(second.id()).orElseThrow().state());
    }

    @Test
    void wakeTokensAreLeftOnlyForTasksNotClaimed() {
        long now = System.currentTimeMillis();
        tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertEquals(0, wakeTokens(), "the task claimed needs no fetcher");

        tasks.enqueue("default", List.of(task(0, now), task(0, now), task(0, now)), now, HERE, 1);
        assertEquals(2, wakeTokens(), "one token per task left ready");
    }

    @Test
    void aNewTaskKeepsItsTokenWhenTheClaimTookAnOlderOne() {
        long now = System.currentTimeMillis();
        tasks.enqueue("default", List.of(task(0, now)), now);
        RedisProbe.client(store).del(store.keys().wake("default"));
        // The claim takes the older task; the new one, maybe of a type only another server runs,
        // must still wake a fetcher.
        TaskStore.Enqueued r = tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertEquals(1, r.claimed().size());
        assertEquals(1, wakeTokens());
    }

    /** A task with every option a claim answers set away from its default. */
    private static NewTask detailed(long now) {
        return due("work", now)
                .payloadJson("{\"order\":\"" + "x".repeat(150) + "\"}")
                .maxAttempts(5)
                .priority(2)
                .timeoutMillis(4_000)
                .idempotencyKey("order-" + now + "-" + System.nanoTime(), 60_000)
                .backoff(100, 2_000)
                .trace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build();
    }

    @Test
    void aSubmitToAQueueWithNothingWaitingIsStoredAsClaimedAsAFetcherWouldClaimIt() {
        long now = System.currentTimeMillis();
        // The same task claimed the usual way: stored, then taken by a fetcher's claim.
        NewTask viaFetcher = detailed(now);
        tasks.enqueue("default", List.of(viaFetcher), now);
        ClaimedTask fetched = tasks.claim("default", 1, now, 30_000, "here", Set.of("work"))
                .tasks()
                .get(0);

        // The token the first task's store pushed (its claim took all it asked for).
        RedisProbe.client(store).del(store.keys().wake("default"));
        NewTask submitted = detailed(now);
        var redis = RedisProbe.client(store);
        long zremsBefore = RedisProbe.calls(redis, "zrem");
        TaskStore.Enqueued r = tasks.enqueue("default", List.of(submitted), now, HERE, 1);
        assertEquals(zremsBefore, RedisProbe.calls(redis, "zrem"), "stored as claimed: nothing taken out of line");

        assertEquals(1, r.claimed().size());
        ClaimedTask direct = r.claimed().get(0);
        assertEquals(submitted.id(), direct.id());
        assertEquals(
                new ClaimedTask(
                        submitted.id(),
                        fetched.queue(),
                        fetched.type(),
                        fetched.payloadJson(),
                        fetched.attempt(),
                        fetched.token(),
                        fetched.maxAttempts(),
                        fetched.timeoutMillis(),
                        submitted.idempotencyKey(),
                        fetched.backoffBaseMillis(),
                        fetched.backoffCapMillis(),
                        fetched.dueAt(),
                        fetched.trace()),
                direct,
                "answered as a fetcher's claim answers the same task");
        Map<String, String> fetchedRecord = redis.hgetAll(store.keys().task(viaFetcher.id()));
        Map<String, String> directRecord = redis.hgetAll(store.keys().task(submitted.id()));
        // Each has its own idempotency key, and its own place in line (the score): where a release
        // puts it back, behind the first in its priority's band.
        fetchedRecord.remove("ik");
        directRecord.remove("ik");
        assertEquals(withoutScore(fetchedRecord), withoutScore(directRecord), "stored as a claim stores it");
        long band = -2L * (1L << 42);
        long fetchedScore = Long.parseLong(fetchedRecord.get("sc"));
        long directScore = Long.parseLong(directRecord.get("sc"));
        assertTrue(
                fetchedScore > band && directScore > fetchedScore && directScore < band + (1L << 42), directScore + "");
        assertEquals(
                30_000 + now,
                redis.zscore(store.keys().active("default"), submitted.id()).longValue(),
                "in flight, with the claim's lease");
        assertEquals(0, redis.zcard(store.keys().ready("default", "work")), "no place in line to take back");
        assertEquals(0, wakeTokens(), "no fetcher woken for it");

        assertTrue(tasks.complete(direct, "\"done\"", now + 1, null).recorded(), "completed as any claimed task");
        assertEquals(
                TaskState.SUCCEEDED, tasks.find(submitted.id()).orElseThrow().state());
    }

    /** The record without its score (where a release puts it back), which differs by its sequence. */
    private static Map<String, String> withoutScore(Map<String, String> record) {
        Map<String, String> copy = new HashMap<>(record);
        assertTrue(copy.remove("sc") != null, "the score it would have stood in line with is kept");
        return copy;
    }

    @Test
    void aTaskThatWaitsGoesFirstWhateverItsType() {
        long now = System.currentTimeMillis();
        NewTask other = due("other", now).build();
        tasks.enqueue("default", List.of(other), now);
        NextClaim both = new NextClaim("here", 30_000, Set.of("work", "other"));

        NewTask mine = task(0, now);
        TaskStore.Enqueued r = tasks.enqueue("default", List.of(mine), now, both, 1);

        assertEquals(
                List.of(other.id()), r.claimed().stream().map(ClaimedTask::id).toList());
        assertEquals(TaskState.QUEUED, tasks.find(mine.id()).orElseThrow().state(), "in line behind it");
    }

    @Test
    void aTaskThatIsNotReadyOrNotThisServersIsNotClaimed() {
        long now = System.currentTimeMillis();
        NewTask later = due("work", now).dueAt(now + 60_000).build();
        assertTrue(
                tasks.enqueue("default", List.of(later), now, HERE, 1).claimed().isEmpty());
        assertEquals(TaskState.SCHEDULED, tasks.find(later.id()).orElseThrow().state());

        NewTask foreign = due("elsewhere", now).build();
        assertTrue(tasks.enqueue("default", List.of(foreign), now, HERE, 1)
                .claimed()
                .isEmpty());
        assertEquals(TaskState.QUEUED, tasks.find(foreign.id()).orElseThrow().state());
        assertEquals(1, wakeTokens(), "a server that runs its type is woken");
    }

    @Test
    void aGroupedTaskIsClaimedThroughItsGroupsTurn() {
        long now = System.currentTimeMillis();
        NewTask grouped = due("work", now).group("g").build();

        TaskStore.Enqueued r = tasks.enqueue("default", List.of(grouped), now, HERE, 1);

        assertEquals(
                List.of(grouped.id()), r.claimed().stream().map(ClaimedTask::id).toList());
        var redis = RedisProbe.client(store);
        String groupKey = store.keys().settings("default").replace("config", "group:g");
        assertEquals("1", redis.hget(groupKey, "running"), "its group counts it as running");
        assertEquals(0, redis.zcard(store.keys().ready("default", "work")), "and not also in line");
    }

    @Test
    void aDuplicateSubmitClaimsNothing() {
        long now = System.currentTimeMillis();
        NewTask first =
                due("work", now).payloadJson("1").idempotencyKey("once", 60_000).build();
        NewTask again =
                due("work", now).payloadJson("1").idempotencyKey("once", 60_000).build();
        assertEquals(
                1,
                tasks.enqueue("default", List.of(first), now, HERE, 1).claimed().size());

        TaskStore.Enqueued r = tasks.enqueue("default", List.of(again), now, HERE, 1);

        assertTrue(r.claimed().isEmpty());
        assertTrue(r.results().get(0).duplicate());
        assertEquals(1, RedisProbe.client(store).zcard(store.keys().active("default")), "the first one only");
        assertTrue(tasks.find(again.id()).isEmpty(), "nothing stored for the second");
    }

    @Test
    void aClaimedSubmitTakesItsPlaceInTheRateLimit() {
        long now = System.currentTimeMillis();
        RedTaskEngine admin = admin();
        admin.admin().setQueueRate("default", new RateLimit(1, Duration.ofMinutes(1)));

        assertEquals(
                1,
                tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1)
                        .claimed()
                        .size());
        assertTrue(
                tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1)
                        .claimed()
                        .isEmpty(),
                "one start a minute, and the first submit's was it");
        assertTrue(
                tasks.claim("default", 1, now, 30_000, "other", Set.of("work"))
                        .tasks()
                        .isEmpty(),
                "nor may a fetcher start one");
    }

    @Test
    void writingTheSameTaskAgainAfterALostReplyStoresItOnce() {
        long now = System.currentTimeMillis();
        NewTask t = task(0, now);
        tasks.enqueue("default", List.of(t), now);
        List<io.redtask.store.EnqueueResult> again = tasks.enqueue("default", List.of(t), now);
        assertEquals(t.id(), again.get(0).id());
        assertEquals(false, again.get(0).duplicate(), "the same task, not an idempotency key's first");
        assertEquals(1, RedisProbe.client(store).zcard(store.keys().ready("default", "work")));
    }

    @Test
    void aPausedQueueOrAFullConcurrencyLimitClaimsNothing() {
        long now = System.currentTimeMillis();
        RedTaskEngine admin = admin();
        admin.admin().pause("default");
        TaskStore.Enqueued r = tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertTrue(r.claimed().isEmpty(), "paused: nothing claimed");
        assertEquals(0, wakeTokens(), "no token while paused: a fetcher woken would claim nothing");
        admin.admin().resume("default");
        assertTrue(wakeTokens() >= 1, "the resume wakes the fetchers");

        admin.admin().setQueueConcurrency("default", 1);
        tasks.claim("default", 1, now, 30_000, "other", Set.of("work"));
        r = tasks.enqueue("default", List.of(task(0, now)), now, HERE, 1);
        assertTrue(r.claimed().isEmpty(), "the queue's limit of 1 is used by another server");
    }

    @Test
    void anEngineWithIdleWorkersRunsWhatItSubmitsWithoutWakingItsFetcher() throws Exception {
        assertEquals(0, fetcherWakeUpsForOneSubmit(true, 1), "the submit claimed it");
        assertEquals(1, fetcherWakeUpsForOneSubmit(false, 2), "claims on submit off: the fetcher was woken");
    }

    /**
     * A task whose submit claims it while a worker is recording another task's outcome runs next on
     * that worker's thread: no thread is woken for it ({@link FinishingRelay}).
     */
    @Test
    void aTaskClaimedWhileAWorkerFinishesRunsNextOnThatWorkersThread() throws Exception {
        try (HeldFinish held = new HeldFinish()) {
            held.engine.submit("work", "second");
            assertEquals(1, held.threadsAsked.get(), "no thread was asked for the second task");
            held.release.countDown();
            assertTrue(held.secondRan.await(10, TimeUnit.SECONDS));
            assertEquals(held.ranOn.get("first"), held.ranOn.get("second"), "the second ran on the first's thread");
            assertEquals(1, held.threadsAsked.get());
        }
    }

    /** A task cancelled while it waits for its finishing worker is not run when the worker gets to it. */
    @Test
    void aTaskCancelledWhileItWaitsForAFinishingWorkerNeverRuns() throws Exception {
        try (HeldFinish held = new HeldFinish()) {
            String id = held.engine.submit("work", "second");
            assertEquals(1, held.threadsAsked.get(), "the second waits for the first's worker");
            assertTrue(held.engine.cancel(id));
            held.release.countDown();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> held.engine.admin().busy() == 0);
            assertEquals(null, held.ranOn.get("second"), "its handler never ran");
            assertEquals(
                    TaskState.CANCELLED, held.engine.status(id).orElseThrow().state());
        }
    }

    /**
     * When the engine stops, a task waiting for a finishing worker starts on a thread of its own at
     * once (the watchdog that would move it on runs no more), while that worker is still held.
     */
    @Test
    void aTaskWaitingForAFinishingWorkerStartsElsewhereWhenTheEngineStops() throws Exception {
        try (HeldFinish held = new HeldFinish()) {
            held.engine.submit("work", "second");
            assertEquals(1, held.threadsAsked.get());
            Thread stopper = new Thread(held.engine::stop, "stopper");
            stopper.start();
            try {
                assertTrue(
                        held.secondRan.await(10, TimeUnit.SECONDS), "the second ran while the first's worker was held");
                assertEquals(2, held.threadsAsked.get());
            } finally {
                held.release.countDown();
                stopper.join(10_000);
            }
            assertEquals(false, stopper.isAlive());
        }
    }

    /**
     * An engine with 4 workers, claim on submit, an executor that counts the threads it is asked
     * for, and a first task ("first") whose worker is held in its SUCCEEDED listener, which runs
     * while the worker finishes, until {@link #release}. The watchdog's round is far beyond the
     * tests' bounds, so that only what a test does moves a waiting task on.
     */
    private final class HeldFinish implements AutoCloseable {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch secondRan = new CountDownLatch(1);
        final AtomicInteger threadsAsked = new AtomicInteger();
        final Map<String, Thread> ranOn = new ConcurrentHashMap<>();
        final RedTaskEngine engine;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        HeldFinish() throws InterruptedException {
            CountDownLatch firstFinishing = new CountDownLatch(1);
            AtomicBoolean first = new AtomicBoolean(true);
            engine = engine(
                    "here",
                    EngineFixture.settings("here")
                            .concurrency(4)
                            .claimOnSubmit(true)
                            .watchInterval(Duration.ofSeconds(60)),
                    b -> b.workers(r -> {
                                threadsAsked.incrementAndGet();
                                threads.execute(r);
                            })
                            .handler(HandlerRegistration.of("work", (p, c) -> {
                                ranOn.put(String.valueOf(p), Thread.currentThread());
                                if ("second".equals(p)) {
                                    secondRan.countDown();
                                }
                                return null;
                            }))
                            .listener(e -> {
                                if (e.kind() == TaskEvent.Kind.SUCCEEDED && first.getAndSet(false)) {
                                    firstFinishing.countDown();
                                    try {
                                        assertTrue(release.await(20, TimeUnit.SECONDS));
                                    } catch (InterruptedException ex) {
                                        Thread.currentThread().interrupt();
                                    }
                                }
                            }));
            try {
                engine.submit("work", "first");
                assertTrue(firstFinishing.await(10, TimeUnit.SECONDS));
            } catch (RuntimeException | Error | InterruptedException e) {
                close(); // no test gets this fixture to close it
                throw e;
            }
        }

        @Override
        public void close() {
            release.countDown();
            engine.stop();
            threads.shutdownNow();
        }
    }

    /** How often fetchers were woken from their blocking wait while one submit ran to its end. */
    private long fetcherWakeUpsForOneSubmit(boolean claimOnSubmit, int fetchersBlocked) throws Exception {
        // A queue of its own: the fetcher of an engine stopped before may still block on another.
        String node = "n" + claimOnSubmit;
        Map<String, String> ranOn = new ConcurrentHashMap<>();
        RedTaskEngine engine = engine(
                node,
                EngineFixture.settings(node).queues(List.of(node)).claimOnSubmit(claimOnSubmit),
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> {
                    ranOn.put(c.taskId(), node);
                    return null;
                })));
        await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() >= fetchersBlocked);
        long before = blpopCalls();
        String id = engine.submit("work", null, io.redtask.SubmitOptions.queue(node));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id)
                        .map(s -> s.state() == TaskState.SUCCEEDED)
                        .orElse(false));
        assertEquals(node, ranOn.get(id));
        assertEquals(0, wakeTokens(node), "no token left behind");
        long wakeUps = blpopCalls() - before;
        engine.stop();
        return wakeUps;
    }

    private long blpopCalls() {
        return RedisProbe.calls(RedisProbe.client(store), "blpop");
    }

    @Test
    void aFetcherWokenWhileItsWorkersAreBusyPassesTheTokenOn() throws Exception {
        CountDownLatch busyStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Map<String, String> ranOn = new ConcurrentHashMap<>();
        // Engine "busy" starts first, so its fetcher is the first blocked on the wake list; its one
        // worker is then taken by a task its own submit claims, while the fetcher stays blocked.
        RedTaskEngine busy = engine(
                "busy",
                EngineFixture.settings("busy").concurrency(1).claimOnSubmit(true),
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> {
                    ranOn.put(c.taskId(), "busy");
                    busyStarted.countDown();
                    release.await(20, TimeUnit.SECONDS);
                    return null;
                })));
        await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() >= 1);
        busy.submit("work", null);
        assertTrue(busyStarted.await(10, TimeUnit.SECONDS));
        engine(
                "idle",
                EngineFixture.settings("idle"),
                b -> b.handler(HandlerRegistration.of("work", (p, c) -> {
                    ranOn.put(c.taskId(), "idle");
                    return null;
                })));
        await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() >= 2);
        try {
            // Stored by a plain enqueue (a server that does not serve the queue): one token.
            String id = tasks.enqueue(
                            "default", List.of(task(0, System.currentTimeMillis())), System.currentTimeMillis())
                    .get(0)
                    .id();
            // Without passing the token on, "idle" would claim it only after its long poll.
            await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.containsKey(id));
            assertEquals("idle", ranOn.get(id));
        } finally {
            release.countDown();
        }
    }

    private long blockedClients() {
        for (String line : RedisProbe.client(store).info("clients").split("\\r?\\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(
                        line.substring("blocked_clients:".length()).strip());
            }
        }
        return 0;
    }
}
