package io.redtask.engine;

import io.redtask.BatchDone;
import io.redtask.BatchReceipt;
import io.redtask.BatchSummary;
import io.redtask.IdempotencyConflictException;
import io.redtask.InvalidRequestException;
import io.redtask.NonRetryableException;
import io.redtask.QueueStats;
import io.redtask.Schedule;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskIds;
import io.redtask.testing.FetchRounds;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisCluster;
import io.redtask.testing.RedisServerExtension;
import io.redtask.testing.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue shards ({@code redtask.queue.<q>.shards}): a queue spread over several Cluster slots on a
 * real three-master Redis Cluster, and on one redis-server, looks and behaves like one queue.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueShardsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static EngineSettings.Builder sharded(String queue, int shards) {
        return EngineFixture.settings("x").queues(List.of(queue)).concurrency(8).queueShards(queue, shards);
    }

    /** Counts runs per task id. */
    static final class Runs implements TaskHandler<Integer, Integer> {
        final Map<String, AtomicInteger> byId = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
        final String node;

        Runs(String node) {
            this.node = node;
        }

        @Override
        public Integer handle(Integer payload, TaskContext context) {
            assertEquals("work", context.queue(), "a handler sees the queue, not its shard");
            byId.computeIfAbsent(context.taskId(), k -> new AtomicInteger()).incrementAndGet();
            byNode.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
            return payload;
        }
    }

    @Test
    void tasksSpreadOverShardsOnEveryMasterAndTwoServersRunEachOnce() throws Exception {
        try (EngineFixture f = new EngineFixture(cluster.url())) {
            Runs runs1 = new Runs("a");
            Runs runs2 = new Runs("b");
            Map<String, AtomicInteger> all = new ConcurrentHashMap<>();
            RedTaskEngine a = f.unstarted(
                    "a", Clock.systemUTC(), sharded("work", 3), b -> b.handler(HandlerRegistration.of("count", runs1)));
            RedTaskEngine b = f.unstarted(
                    "b", Clock.systemUTC(), sharded("work", 3), e -> e.handler(HandlerRegistration.of("count", runs2)));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                ids.add(a.submit("count", i, SubmitOptions.queue("work")));
            }
            ids.addAll(b.submitAll(IntStream.range(0, 150)
                    .mapToObj(i -> new Submission("count", i, SubmitOptions.queue("work")))
                    .toList()));

            // Three shards, each with a third of the tasks, each in another third of the slot
            // range (redis-cli gives each of the three masters one third).
            RedisStorage store = (RedisStorage) a.storage();
            List<String> shards = store.queues().recordedShards("work");
            assertEquals(3, shards.size(), shards.toString());
            assertEquals("work", shards.get(0), "shard 0 is the queue itself");
            Set<Integer> thirds = shards.stream()
                    .map(s -> JedisClusterCRC16.getSlot("{" + s + "}") * 3 / 16384)
                    .collect(Collectors.toSet());
            assertEquals(Set.of(0, 1, 2), thirds, "one shard per master: " + shards);
            Map<String, Long> perShard =
                    ids.stream().collect(Collectors.groupingBy(TaskIds::queueOf, Collectors.counting()));
            assertEquals(new TreeSet<>(shards), new TreeSet<>(perShard.keySet()));
            perShard.values().forEach(n -> assertEquals(100L, n, perShard.toString()));
            UnifiedJedis redis = RedisProbe.client(store);
            for (String shard : shards) {
                String prefix = store.keys().prefix();
                assertEquals(100L, redis.zcard(prefix + ":{" + shard + "}:queued:count"), shard);
            }
            QueueStats before = a.admin().queue("work");
            assertEquals(300, before.ready(), "the queue's figures add its shards up");
            assertEquals(List.of("work"), a.admin().queueNames(), "shards are not queues to operators");
            assertEquals(300, a.admin().tasks("work", TaskState.QUEUED, 0, 1000).size());

            // Both servers fetching before the work is let go: a alone could otherwise run it all
            // before b's first claim.
            a.admin().pause("work");
            a.start();
            b.start();
            FetchRounds.await(a.health(), 2);
            FetchRounds.await(b.health(), 2);
            a.admin().resume("work");
            await().atMost(Duration.ofSeconds(60)).until(() -> runs1.byId.size() + runs2.byId.size() >= 300);
            runs1.byId.forEach((id, n) -> all.merge(id, n, (x, y) -> new AtomicInteger(x.get() + y.get())));
            runs2.byId.forEach((id, n) -> all.merge(id, n, (x, y) -> new AtomicInteger(x.get() + y.get())));
            assertEquals(new TreeSet<>(ids), new TreeSet<>(all.keySet()));
            all.forEach((id, n) -> assertEquals(1, n.get(), "task " + id + " ran " + n + " times"));
            assertTrue(runs1.byNode.get("a").get() > 0 && runs2.byNode.get("b").get() > 0, "both servers worked");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> a.admin().queue("work").completed() == 300);
            TaskStatus s = a.status(ids.get(1)).orElseThrow();
            assertEquals("work", s.queue(), "a task's status names its queue");
            assertTrue(ShardNames.isShard(TaskIds.queueOf(ids.get(1))), "its id names its shard");
        }
    }

    /** Holds every task until released, counting those of each group running at once. */
    static final class Gate implements TaskHandler<String, Void> {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();

        @Override
        public Void handle(String payload, TaskContext context) throws Exception {
            if ("fail".equals(payload)) {
                throw new NonRetryableException("scripted");
            }
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            Thread.sleep(20);
            running.decrementAndGet();
            done.incrementAndGet();
            return null;
        }
    }

    static final class Done implements TaskHandler<BatchDone, Void> {
        final Map<String, BatchSummary> summaries = new ConcurrentHashMap<>();
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public Void handle(BatchDone payload, TaskContext context) {
            runs.incrementAndGet();
            summaries.put(payload.batch().id(), payload.batch());
            return null;
        }
    }

    @Test
    void operatorsIdempotencyGroupsBatchesAndCancelCoverEveryShard() throws Exception {
        try (EngineFixture f = new EngineFixture(cluster.url())) {
            Gate gate = new Gate();
            Done done = new Done();
            RedTaskEngine e = f.unstarted(
                    "a",
                    Clock.systemUTC(),
                    sharded("work", 3),
                    b -> b.handler(HandlerRegistration.of("gate", gate)).handler(HandlerRegistration.of("done", done)));

            // Idempotency: a repeat lands in the first one's shard and is answered with it.
            SubmitReceipt first = e.submitForReceipt(
                    "gate",
                    "x",
                    SubmitOptions.builder().queue("work").idempotencyKey("k1").build());
            SubmitReceipt again = e.submitForReceipt(
                    "gate",
                    "x",
                    SubmitOptions.builder().queue("work").idempotencyKey("k1").build());
            assertEquals(first.id(), again.id());
            assertTrue(again.duplicate());
            Set<String> keyShards = IntStream.range(0, 12)
                    .mapToObj(i -> TaskIds.queueOf(e.submit(
                            "gate",
                            "x",
                            SubmitOptions.builder()
                                    .queue("work")
                                    .idempotencyKey("key-" + i)
                                    .build())))
                    .collect(Collectors.toSet());
            assertTrue(keyShards.size() > 1, "keys spread over shards: " + keyShards);

            // Pause stops every shard; figures add up; resume starts them all.
            e.admin().pause("work");
            e.start();
            List<String> spread = IntStream.range(0, 6)
                    .mapToObj(i -> e.submit("gate", "x", SubmitOptions.queue("work")))
                    .toList();
            assertEquals(3, spread.stream().map(TaskIds::queueOf).distinct().count(), "in turn over the shards");
            String later = e.submit(
                    "gate",
                    "x",
                    SubmitOptions.builder()
                            .queue("work")
                            .delay(Duration.ofHours(1))
                            .build());
            QueueStats paused = e.admin().queue("work");
            assertTrue(paused.paused());
            assertEquals(13 + 6, paused.ready());
            assertEquals(1, paused.scheduled());
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> gate.done.get() == 0);
            e.admin().resume("work");
            await().atMost(Duration.ofSeconds(20)).until(() -> gate.done.get() == 19);
            assertFalse(e.admin().queue("work").paused());

            // Cancel by id, wherever its shard.
            assertTrue(e.cancel(later));
            TaskStatus cancelled = e.status(later).orElseThrow();
            assertEquals(TaskState.CANCELLED, cancelled.state());
            assertEquals("work", cancelled.queue());
            assertEquals(0, e.admin().queue("work").scheduled());

            // A group stays in one shard, so its limit holds exactly.
            e.admin().setGroupConcurrency("work", 1);
            gate.most.set(0);
            List<String> grouped = IntStream.range(0, 12)
                    .mapToObj(i -> e.submit(
                            "gate",
                            "g",
                            SubmitOptions.builder().queue("work").group("g1").build()))
                    .toList();
            assertEquals(1, grouped.stream().map(TaskIds::queueOf).distinct().count(), "one group, one shard");
            await().atMost(Duration.ofSeconds(20)).until(() -> gate.done.get() == 19 + 12);
            assertEquals(1, gate.most.get(), "group limit 1 across all shards");
            e.admin().setGroupConcurrency("work", null);

            // Dead tasks in every shard: counted, retried and purged over all shards.
            for (int i = 0; i < 6; i++) {
                e.submit("gate", "fail", SubmitOptions.queue("work"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> e.admin().queue("work").dead() == 6);
            assertEquals(6, e.admin().deadTasks("work", 0, 100).size());
            e.admin().pause("work"); // so the retried tasks wait (they would fail again at once)
            assertEquals(6, e.admin().retryDead("work"));
            assertEquals(0, e.admin().queue("work").dead());
            assertEquals(6, e.admin().queue("work").ready());
            e.admin().resume("work");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> e.admin().queue("work").dead() == 6);
            assertEquals(6, e.admin().purgeDead("work"));
            assertEquals(0, e.admin().queue("work").dead());

            // A batch: members and callback in one shard, the callback once with the right counts.
            BatchReceipt batch = e.submitBatchForReceipt(
                    IntStream.range(0, 9)
                            .mapToObj(i -> new Submission("gate", "b", SubmitOptions.queue("work")))
                            .toList(),
                    new Submission("done", null, SubmitOptions.queue("work")));
            await().atMost(Duration.ofSeconds(20)).until(() -> done.runs.get() == 1);
            assertEquals(new BatchSummary(batch.id(), 9, 9, 0, 0), done.summaries.get(batch.id()));
            assertEquals("work", e.batch(batch.id()).orElseThrow().queue());
            assertEquals(
                    List.of(batch.id()),
                    e.admin().batches("work", 10).stream().map(b -> b.id()).toList());

            // Limits: per shard ceil(limit / shards), shown as their sum.
            e.admin().setQueueConcurrency("work", 7);
            assertEquals(9, e.admin().queue("work").concurrencyLimit());
            e.admin().setQueueConcurrency("work", null);
            assertNull(e.admin().queue("work").concurrencyLimit());
        }
    }

    @Test
    void shardsWorkOnOneRedisServerAndFewerShardsAreRefusedWhileTheDroppedHoldTasks() throws Exception {
        try (EngineFixture f = new EngineFixture(REDIS.url())) {
            CountDownLatch ran = new CountDownLatch(30);
            HandlerRegistration count = HandlerRegistration.of("count", (p, c) -> {
                ran.countDown();
                return null;
            });
            RedTaskEngine three = f.unstarted("three", Clock.systemUTC(), sharded("work", 3), b -> b.handler(count));
            List<String> ids = IntStream.range(0, 30)
                    .mapToObj(i -> three.submit("count", i, SubmitOptions.queue("work")))
                    .toList();
            assertEquals(3, ids.stream().map(TaskIds::queueOf).distinct().count());

            RedTaskEngine two = f.unstarted("two", Clock.systemUTC(), sharded("work", 2), b -> b.handler(count));
            IllegalStateException refused = assertThrows(IllegalStateException.class, two::start);
            assertTrue(
                    refused.getMessage().contains("redtask.queue.work.shards=2")
                            && refused.getMessage().contains("3 shards recorded"),
                    refused.getMessage());
            assertFalse(two.isRunning());

            three.start();
            assertTrue(ran.await(30, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> three.admin().queue("work").completed() == 30);
            RedisStorage store = (RedisStorage) three.storage();
            List<String> threeShards = store.queues().recordedShards("work");
            RedTaskEngine without = f.unstarted(
                    "without",
                    Clock.systemUTC(),
                    EngineFixture.settings("x").queues(List.of("other")),
                    b -> b.handler(count));
            assertEquals(
                    30,
                    without.admin().queue("work").completed(),
                    "a server without the setting reads the recorded shards for its figures");
            // ... and submits to them, so a group or an idempotency key meets the same shard from it.
            List<String> fromWithout = IntStream.range(0, 6)
                    .mapToObj(i -> without.submit("count", i, SubmitOptions.queue("work")))
                    .toList();
            assertEquals(
                    3, fromWithout.stream().map(TaskIds::queueOf).distinct().count(), fromWithout::toString);
            String keyed = without.submit(
                    "count",
                    7,
                    SubmitOptions.builder().queue("work").group("g-7").build());
            String keyedHere = three.submit(
                    "count",
                    7,
                    SubmitOptions.builder().queue("work").group("g-7").build());
            assertEquals(TaskIds.queueOf(keyedHere), TaskIds.queueOf(keyed), "one group, one shard, from any server");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> three.admin().queue("work").completed() == 38);

            // Drained: going down is allowed and recorded; going up again keeps the shards there were.
            RedTaskEngine twoAgain =
                    f.unstarted("two-again", Clock.systemUTC(), sharded("work", 2), b -> b.handler(count));
            twoAgain.start();
            assertEquals(threeShards.subList(0, 2), store.queues().recordedShards("work"));
            RedTaskEngine four = f.unstarted("four", Clock.systemUTC(), sharded("work", 4), b -> b.handler(count));
            four.start();
            List<String> fourShards = store.queues().recordedShards("work");
            assertEquals(4, fourShards.size());
            assertEquals(threeShards.subList(0, 2), fourShards.subList(0, 2));
            assertEquals("4", RedisProbe.client(store).hget(store.keys().settings("work"), "shards"));
        }
    }

    @Test
    void aConflictInOneShardIsNamedByItsPositionAndABatchKeepsItsGroupsInOneShard() throws Exception {
        try (EngineFixture f = new EngineFixture(REDIS.url())) {
            RedTaskEngine e = f.unstarted(
                    "x",
                    Clock.systemUTC(),
                    sharded("work", 3),
                    b -> b.handler(HandlerRegistration.of("count", (p, c) -> null)));
            String first = e.submit(
                    "count",
                    1,
                    SubmitOptions.builder().queue("work").idempotencyKey("k-1").build());
            List<Submission> tasks = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                tasks.add(new Submission("count", i, SubmitOptions.queue("work")));
            }
            tasks.add(new Submission(
                    "count",
                    99,
                    SubmitOptions.builder().queue("work").idempotencyKey("k-1").build()));
            IdempotencyConflictException conflict =
                    assertThrows(IdempotencyConflictException.class, () -> e.submitAll(tasks));
            assertEquals("tasks[9].idempotencyKey", conflict.field(), "its place among all the tasks");
            assertEquals(first, conflict.firstTaskId());

            // Two groups of different shards cannot share a batch: one group's count would be split.
            String a = "g-0";
            String other = IntStream.range(1, 100)
                    .mapToObj(i -> "g-" + i)
                    .filter(g -> !shardOfGroup(e, g).equals(shardOfGroup(e, a)))
                    .findFirst()
                    .orElseThrow();
            InvalidRequestException refused = assertThrows(
                    InvalidRequestException.class,
                    () -> e.submitBatch(
                            List.of(
                                    new Submission(
                                            "count",
                                            1,
                                            SubmitOptions.builder()
                                                    .queue("work")
                                                    .group(a)
                                                    .build()),
                                    new Submission(
                                            "count",
                                            2,
                                            SubmitOptions.builder()
                                                    .queue("work")
                                                    .group(other)
                                                    .build())),
                            null));
            assertEquals("tasks[1].group", refused.field());
        }
    }

    /** The shard a grouped task of queue "work" goes to. */
    private static String shardOfGroup(RedTaskEngine e, String group) {
        return TaskIds.queueOf(e.submit(
                "count", 0, SubmitOptions.builder().queue("work").group(group).build()));
    }

    @Test
    void aScheduleOnAShardedQueueFiresOneTaskPerSlotIntoOneShard() throws Exception {
        try (EngineFixture f = new EngineFixture(REDIS.url())) {
            MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
            List<String> ran = new CopyOnWriteArrayList<>();
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b", "c")) {
                // The cron loop slowed to an hour: only the test's ticks fire slots.
                engines.add(f.engine(
                        node,
                        clock,
                        sharded("ticks", 3).cronInterval(Duration.ofHours(1)),
                        b -> b.handler(HandlerRegistration.of("tick", (p, c) -> ran.add(c.taskId())))));
            }
            engines.get(0)
                    .schedule(Schedule.builder("every-second", "* * * * * *", "tick")
                            .options(SubmitOptions.queue("ticks"))
                            .build());
            for (int second = 1; second <= 6; second++) {
                clock.advance(Duration.ofSeconds(1));
                assertEquals(
                        1,
                        engines.stream()
                                .mapToInt(RedTaskEngine::fireDueSchedules)
                                .sum(),
                        "slot " + second + " fires once across three servers");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 6);
            assertEquals(1, ran.stream().map(TaskIds::queueOf).distinct().count(), "one schedule, one shard: " + ran);
        }
    }

    @Test
    void aServerStartedWhileRedisIsUnreachableFetchesFromEveryShardOnceItAnswers() throws Exception {
        try (EngineFixture f = new EngineFixture(REDIS.url());
                TcpProxy proxy = TcpProxy.to(REDIS.server().port())) {
            List<String> ran = new CopyOnWriteArrayList<>();
            proxy.cut();
            RedTaskEngine late = f.unstarted(
                    proxy.redisUrl(),
                    Duration.ofMillis(500),
                    "late",
                    Clock.systemUTC(),
                    sharded("late", 2),
                    b -> b.handler(HandlerRegistration.of("count", (p, c) -> ran.add(c.taskId()))));
            late.start(); // the shards cannot be read yet: not an error
            assertTrue(late.isRunning());
            RedTaskEngine feeder = f.unstarted(
                    "feeder",
                    Clock.systemUTC(),
                    sharded("late", 2),
                    b -> b.handler(HandlerRegistration.of("count", (p, c) -> null)));
            List<String> ids = IntStream.range(0, 10)
                    .mapToObj(i -> feeder.submit("count", i, SubmitOptions.queue("late")))
                    .toList();
            assertEquals(2, ids.stream().map(TaskIds::queueOf).distinct().count());
            proxy.restore();
            await().atMost(Duration.ofSeconds(30)).until(() -> ran.size() == 10);
            assertEquals(new TreeSet<>(ids), new TreeSet<>(ran));
        }
    }

    @Test
    void oneShardKeepsTodaysKeysAndIds() {
        try (EngineFixture f = new EngineFixture(REDIS.url())) {
            RedTaskEngine plain = f.unstarted(
                    "plain",
                    Clock.systemUTC(),
                    EngineFixture.settings("x").queues(List.of("solo")),
                    b -> b.handler(HandlerRegistration.of("count", (p, c) -> null)));
            RedTaskEngine one = f.unstarted(
                    "one",
                    Clock.systemUTC(),
                    sharded("solo", 1),
                    b -> b.handler(HandlerRegistration.of("count", (p, c) -> null)));
            for (RedTaskEngine e : List.of(plain, one)) {
                String id = e.submit("count", 1, SubmitOptions.queue("solo"));
                assertTrue(id.startsWith("solo:"), id);
                RedisStorage store = (RedisStorage) e.storage();
                UnifiedJedis redis = RedisProbe.client(store);
                assertTrue(redis.exists(store.keys().prefix() + ":{solo}:task:" + id));
                assertNull(redis.hget(store.keys().settings("solo"), "shards"), "nothing recorded for one shard");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aShardsSettingOutOfRangeIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> sharded("work", 65).build());
        assertTrue(e.getMessage().contains("redtask.queue.work.shards must be 1 to 64, was 65"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sharded("work", 0).build());
    }
}
