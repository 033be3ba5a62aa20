package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.RateLimit;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's cluster-wide rate limit (lib_limits.lua): how many tasks start in any window, across
 * servers, on Redis's clock; changed at run time; and idle servers sleep until the next start is
 * allowed rather than polling.
 */
class RateLimitTest {

    private static final Logger LOG = Logger.getLogger(RateLimitTest.class.getName());

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** The Redis times (ms) at which the tasks took their place in the rate window, sorted. */
    private static List<Double> rateTimes(RedisStorage store, List<String> ids) {
        UnifiedJedis redis = RedisProbe.client(store);
        List<Double> out = new ArrayList<>();
        for (String id : ids) {
            String at = redis.hget(store.keys().task(id), RedisProbe.taskField("rateAt"));
            assertTrue(at != null, "task " + id + " has no rateAt: it was not counted by the rate limit");
            out.add(Double.parseDouble(at));
        }
        out.sort(Double::compare);
        return out;
    }

    /** The most starts in any half-open window [t, t + windowMs) of the sorted times. */
    private static int mostInAnyWindow(List<Double> sorted, double windowMs) {
        int most = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= windowMs) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most;
    }

    @Test
    void fiftyTasksAtTenPerSecondOverTwoEnginesNeverStartMoreThanTenInAnySecondAndAllFinishWithinSixSeconds()
            throws Exception {
        Map<String, Long> started = new ConcurrentHashMap<>();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            List<RedTaskEngine> engines = new ArrayList<>();
            for (String node : List.of("a", "b")) {
                engines.add(fixture.engine(
                        node,
                        Clock.systemUTC(),
                        EngineFixture.settings(node).concurrency(8),
                        b -> b.handler(HandlerRegistration.of("tick", (p, c) -> {
                            started.put(c.taskId(), System.nanoTime());
                            return null;
                        }))));
            }
            engines.get(0).admin().setQueueRate("default", RateLimit.parse("10/PT1S"));
            assertEquals(
                    "10/PT1S",
                    engines.get(1).admin().queue("default").rate().toString(),
                    "every server reads the same limit");

            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(Submission.of("tick", i));
            }
            long t0 = System.nanoTime();
            List<String> ids = engines.get(0).submitAll(batch);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> engines.get(0).admin().completedCount()
                                    + engines.get(1).admin().completedCount()
                            == 50);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            List<Double> times = rateTimes(fixture.store(), ids);
            assertEquals(10, mostInAnyWindow(times, 1000), "never more than 10 starts in any second: " + times);
            assertTrue(tookMs < 8000, "all 50 finished within 8 s (about 4 s expected), took " + tookMs + " ms");
            assertTrue(
                    engines.get(0).admin().completedCount() > 0
                            && engines.get(1).admin().completedCount() > 0,
                    "both engines took part");
            long waits = engines.stream()
                    .mapToLong(e -> e.admin().throttledWaits().getOrDefault("default", 0L))
                    .sum();
            assertTrue(waits >= 4, "the fetchers waited for the limit (counted for /metrics): " + waits);
            LOG.info(() -> "rate 10/PT1S, 50 tasks, 2 engines: done in " + tookMs + " ms, " + waits
                    + " throttled waits, most starts in one second " + mostInAnyWindow(times, 1000));
        }
    }

    @Test
    void aRateChangedAtRunTimeTakesEffectAtOnceAndRemovingItLetsAllRun() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.engine(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a").concurrency(8),
                    b -> b.handler(HandlerRegistration.of("tick", (p, c) -> {
                        ran.incrementAndGet();
                        return null;
                    })));
            engine.admin().setQueueRate("default", new RateLimit(2, Duration.ofSeconds(1)));
            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                batch.add(Submission.of("tick", i));
            }
            List<String> ids = engine.submitAll(batch);
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() >= 4);
            List<Double> slow = rateTimes(fixture.store(), ids.subList(0, 4));
            assertEquals(2, mostInAnyWindow(slow, 1000), "2 per second while the limit was 2/PT1S: " + slow);

            long t0 = System.nanoTime();
            engine.admin().setQueueRate("default", RateLimit.parse("100/PT1S"));
            // At 2 per second the other 36 would need 18 s.
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 40);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    tookMs < 6000,
                    "the raised limit applied at once, not after the 18 s the old one needed, took " + tookMs + " ms");

            engine.admin().setQueueRate("default", null);
            assertNull(engine.admin().queue("default").rate());
            List<Submission> more = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                more.add(Submission.of("tick", i));
            }
            engine.submitAll(more);
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 340);
        }
    }

    @Test
    void anIdleServerWakesWhenTheNextStartIsAllowedWithoutPolling() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (EngineFixture fixture = new EngineFixture(REDIS.url());
                UnifiedJedis probe = RedisProbe.open(REDIS.url())) {
            // A poll interval far longer than the test: only the limit's own timing can wake it.
            RedTaskEngine engine = fixture.engine(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a").concurrency(4).pollInterval(Duration.ofSeconds(30)),
                    b -> b.handler(HandlerRegistration.of("tick", (p, c) -> {
                        ran.incrementAndGet();
                        return null;
                    })));
            engine.admin().setQueueRate("default", RateLimit.parse("5/PT1S"));
            List<Submission> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(Submission.of("tick", i));
            }
            long calls0 = scriptCalls(probe);
            long t0 = System.nanoTime();
            engine.submitAll(batch);
            await().atMost(Duration.ofSeconds(6)).until(() -> ran.get() == 20);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            long calls = scriptCalls(probe) - calls0;

            assertTrue(tookMs >= 2900, "20 tasks at 5 per second take 3 windows at least, took " + tookMs + " ms");
            assertTrue(tookMs < 7000, "woken when starts were allowed, not by the 30 s poll: " + tookMs + " ms");
            // 20 completions, a claim or two per window, lease renewals, recoveries and heartbeats
            // each second: a few dozen. A fetcher polling while throttled would make thousands.
            assertTrue(calls < 120, "script calls while throttled for about 3 s: " + calls);
            long waits = engine.admin().throttledWaits().getOrDefault("default", 0L);
            assertTrue(waits >= 3 && waits <= 12, "one wait per window or so, was " + waits);
            LOG.info(() -> "rate 5/PT1S, 20 tasks, poll 30 s: done in " + tookMs + " ms, " + calls
                    + " script calls in all, " + waits + " throttled waits");
        }
    }

    /** FCALL, EVAL and EVALSHA calls Redis has served (INFO commandstats). */
    private static long scriptCalls(UnifiedJedis redis) {
        return RedisProbe.calls(redis, "fcall") + RedisProbe.calls(redis, "evalsha") + RedisProbe.calls(redis, "eval");
    }

    @Test
    void badLimitsAreRefusedNamingTheField() throws Exception {
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.unstarted(
                    "a",
                    Clock.systemUTC(),
                    EngineFixture.settings("a"),
                    b -> b.handler(HandlerRegistration.of("tick", (p, c) -> null)));
            assertEquals(
                    "limit",
                    assertThrows(InvalidRequestException.class, () -> new RateLimit(0, Duration.ofSeconds(1)))
                            .field());
            assertEquals(
                    "per",
                    assertThrows(InvalidRequestException.class, () -> new RateLimit(1, Duration.ZERO))
                            .field());
            assertEquals(
                    "per",
                    assertThrows(InvalidRequestException.class, () -> new RateLimit(1, Duration.ofDays(2)))
                            .field());
            assertEquals(
                    "per",
                    assertThrows(InvalidRequestException.class, () -> RateLimit.parse("5/second"))
                            .field());
            assertEquals(
                    "limit",
                    assertThrows(InvalidRequestException.class, () -> RateLimit.parse("x/PT1S"))
                            .field());
            assertEquals(
                    "rate",
                    assertThrows(InvalidRequestException.class, () -> RateLimit.parse("100"))
                            .field());
            assertEquals(
                    "limit",
                    assertThrows(
                                    InvalidRequestException.class,
                                    () -> engine.admin().setGroupConcurrency("default", 0))
                            .field());
            assertEquals(
                    "group",
                    assertThrows(
                                    InvalidRequestException.class,
                                    () -> SubmitOptions.builder().group("g".repeat(257)))
                            .field());
            assertEquals(
                    "group",
                    assertThrows(
                                    InvalidRequestException.class,
                                    () -> SubmitOptions.builder().group(" "))
                            .field());
            assertThrows(
                    io.redtask.NotFoundException.class,
                    () -> engine.admin().setQueueRate("nosuchqueue", RateLimit.parse("1/PT1S")));
        }
    }
}
