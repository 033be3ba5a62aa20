package io.redtask.engine;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Groups (lib_limits.lua): a queue serves its groups in turn, and caps each group's running tasks
 * across servers; every way out of running gives the group's place back.
 */
class GroupsTest {

    private static final Logger LOG = Logger.getLogger(GroupsTest.class.getName());

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static SubmitOptions group(String g) {
        // Three attempts: a failed first attempt is retried (fail.lua's way back to ready).
        return SubmitOptions.builder().group(g).maxAttempts(3).build();
    }

    /** Keys of the queue's group bookkeeping that are left in Redis. */
    private static Set<String> groupKeys(RedisStorage store) {
        UnifiedJedis redis = RedisProbe.client(store);
        Set<String> out = new TreeSet<>();
        String base = store.keys().settings("default").replace("config", "");
        for (String suffix : List.of("group:*", "gwait:*", "gwaiting", "gwaitn")) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r =
                        redis.scan(cursor, new ScanParams().match(base + suffix).count(1000));
                out.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return out;
    }

    @Test
    void theSmallGroupsTasksAllStartBeforeTheBigGroupsHundredth() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a").concurrency(4),
                    b -> b.handler(HandlerRegistration.of("work", (p, c) -> {
                        order.add(String.valueOf(p));
                        return null;
                    })));
            // 10,000 of tenant-big first, then 10 of tenant-small: in plain order the small ones
            // would wait for all 10,000.
            for (int chunk = 0; chunk < 10; chunk++) {
                List<Submission> batch = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    batch.add(new Submission("work", "big", group("tenant-big")));
                }
                engine.submitAll(batch);
            }
            List<Submission> small = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                small.add(new Submission("work", "small", group("tenant-small")));
            }
            engine.submitAll(small);
            assertEquals(10_010, engine.admin().queue("default").ready(), "waiting grouped tasks count as ready");

            engine.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> order.size() == 10_010);

            int bigSeen = 0;
            int smallSeen = 0;
            int bigWhenSmallDone = -1;
            for (String who : order) {
                if (who.equals("big")) {
                    bigSeen++;
                } else if (++smallSeen == 10) {
                    bigWhenSmallDone = bigSeen;
                }
            }
            int at = bigWhenSmallDone;
            LOG.info(() -> "groups: the 10 small tasks had all started after " + at + " of 10,000 big ones");
            assertTrue(
                    at >= 0 && at < 100,
                    "all 10 small tasks started before the big group's 100th, were done after " + at);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertEquals(Set.of(), groupKeys(fixture.store()), "nothing left behind"));
        }
    }

    @Test
    void aGroupNeverRunsMoreThanItsLimitAcrossTwoEnginesAndEveryWayOutOfRunningGivesItsPlaceBack() throws Exception {
        Map<String, AtomicInteger> runningNow = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> most = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        CountDownLatch release = new CountDownLatch(1);
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            HandlerRegistration work = HandlerRegistration.of("work", (p, c) -> {
                String g = String.valueOf(p).split(":")[0];
                int n = runningNow.computeIfAbsent(g, k -> new AtomicInteger()).incrementAndGet();
                most.computeIfAbsent(g, k -> new AtomicInteger()).accumulateAndGet(n, Math::max);
                try {
                    Thread.sleep(20);
                    // Every third task fails its first attempt (retried at once).
                    if (String.valueOf(p).endsWith(":fail")
                            && failures.computeIfAbsent(c.taskId(), k -> new AtomicInteger())
                                            .getAndIncrement()
                                    == 0) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    return null;
                } finally {
                    runningNow.get(g).decrementAndGet();
                }
            });
            HandlerRegistration hold = HandlerRegistration.of("hold", (p, c) -> {
                release.await(10, TimeUnit.SECONDS);
                return null;
            });
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b")) {
                engines.add(fixture.engine(
                        node,
                        Clock.systemUTC(),
                        EngineFixture.settings(node).concurrency(8),
                        b -> b.handler(work).handler(hold)));
            }
            engines.get(0).admin().setGroupConcurrency("default", 2);
            assertEquals(2, engines.get(1).admin().queue("default").groupConcurrency());

            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                for (String g : List.of("A", "B")) {
                    batch.add(new Submission("work", g + ":" + (i % 3 == 0 ? "fail" : "ok"), group(g)));
                }
            }
            List<String> ids = engines.get(0).submitAll(batch);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ids.stream()
                            .allMatch(id ->
                                    engines.get(0).status(id).orElseThrow().state() == TaskState.SUCCEEDED));
            assertEquals(2, most.get("A").get(), "group A ran 2 at once at most, and reached 2");
            assertEquals(2, most.get("B").get(), "group B ran 2 at once at most, and reached 2");

            // Cancel, while running and while waiting; a raised limit lets waiting tasks in.
            List<Submission> holds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                holds.add(new Submission("hold", i, group("C")));
            }
            List<String> held = engines.get(0).submitAll(holds);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> engines.get(0).admin().queue("default").running() == 2);
            engines.get(0).cancel(held.get(0)); // running
            engines.get(0).cancel(held.get(4)); // waiting for its turn
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> engines.get(0).admin().queue("default").running() >= 2
                            && engines.get(0).status(held.get(2)).orElseThrow().state() == TaskState.RUNNING);
            engines.get(0).admin().setGroupConcurrency("default", null);
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            engines.get(0).status(held.get(3)).orElseThrow().state() == TaskState.RUNNING);
            release.countDown();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> engines.get(0).admin().queue("default").running() == 0);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertEquals(
                            Set.of(), groupKeys(fixture.store()), "every group's counts went back to nothing"));
        }
    }

    @Test
    void aReleasedOrRecoveredTaskGoesBackInLineAndItsGroupsPlaceWithIt() throws Exception {
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a"),
                    b -> b.handler(HandlerRegistration.of("work", (p, c) -> null)));
            engine.admin().setGroupConcurrency("default", 1);
            String first = engine.submit("work", 1, group("g"));
            String second = engine.submit("work", 2, group("g"));
            assertEquals("g", engine.status(first).orElseThrow().group(), "a task shows its group");
            RedisStorage store = fixture.store();
            io.redtask.store.TaskStore tasks = store.tasks();
            UnifiedJedis redis = RedisProbe.client(store);
            String groupKey = store.keys().settings("default").replace("config", "group:g");
            long now = System.currentTimeMillis();
            List<String> types = List.of("work");

            List<io.redtask.store.ClaimedTask> claimed =
                    tasks.claim("default", 5, now, 60_000, "x", types).tasks();
            assertEquals(
                    List.of(first),
                    claimed.stream().map(io.redtask.store.ClaimedTask::id).toList(),
                    "one of g");
            assertEquals(Map.of("running", "1", "heads", "0"), redis.hgetAll(groupKey));
            assertEquals(
                    0,
                    tasks.claim("default", 5, now, 60_000, "x", types).tasks().size(),
                    "the limit holds");

            assertTrue(tasks.release(claimed.get(0)));
            assertEquals(Map.of("running", "0", "heads", "1"), redis.hgetAll(groupKey), "back in line");
            claimed = tasks.claim("default", 5, now, 1_000, "x", types).tasks();
            assertEquals(
                    List.of(first),
                    claimed.stream().map(io.redtask.store.ClaimedTask::id).toList());

            assertEquals(1, tasks.recoverExpired("default", now + 2_000, 10).requeued(), "its lease ran out");
            assertEquals(Map.of("running", "0", "heads", "1"), redis.hgetAll(groupKey), "back in line again");
            claimed = tasks.claim("default", 5, now + 2_000, 60_000, "x", types).tasks();
            assertEquals(
                    List.of(first),
                    claimed.stream().map(io.redtask.store.ClaimedTask::id).toList());

            assertTrue(tasks.complete(claimed.get(0), "null", now + 3_000, null).recorded());
            claimed = tasks.claim("default", 5, now + 3_000, 60_000, "x", types).tasks();
            assertEquals(
                    List.of(second),
                    claimed.stream().map(io.redtask.store.ClaimedTask::id).toList());
            assertTrue(tasks.complete(claimed.get(0), "null", now + 4_000, null).recorded());
            assertEquals(Set.of(), groupKeys(store), "nothing left behind");
            assertEquals(
                    TaskState.SUCCEEDED, engine.status(second).orElseThrow().state());
        }
    }

    @Test
    void aCorruptTaskInLineIsBuriedAndGivesItsGroupsPlaceBack() throws Exception {
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a"),
                    b -> b.handler(HandlerRegistration.of("work", (p, c) -> null)));
            engine.admin().setGroupConcurrency("default", 1);
            String damaged = engine.submit("work", 1, group("g"));
            String next = engine.submit("work", 2, group("g"));
            RedisStorage store = fixture.store();
            RedisProbe.client(store).hset(store.keys().task(damaged), RedisProbe.taskField("attempts"), "many");
            long now = System.currentTimeMillis();
            List<io.redtask.store.ClaimedTask> claimed = store.tasks()
                    .claim("default", 5, now, 60_000, "x", List.of("work"))
                    .tasks();
            assertEquals(List.of(), claimed, "the damaged task is buried, not run");
            assertEquals(TaskState.DEAD, engine.status(damaged).orElseThrow().state());
            claimed = store.tasks()
                    .claim("default", 5, now, 60_000, "x", List.of("work"))
                    .tasks();
            assertEquals(
                    List.of(next),
                    claimed.stream().map(io.redtask.store.ClaimedTask::id).toList(),
                    "its place went to the next of its group");
            assertTrue(store.tasks().complete(claimed.get(0), "null", now, null).recorded());
            assertEquals(Set.of(), groupKeys(store), "nothing left behind");
        }
    }
}
