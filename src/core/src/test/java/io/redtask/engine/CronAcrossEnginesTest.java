package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.Misfire;
import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.SubmitOptions;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recurring schedules fire each slot once across servers, and handle slots missed while all were down. */
class CronAcrossEnginesTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private EngineFixture fixture;
    private MutableClock clock;
    private final List<Object> ran = new CopyOnWriteArrayList<>();
    private final List<RedTaskEngine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        clock = new MutableClock(T0);
        for (String node : List.of("a", "b", "c")) {
            // The periodic cron loop is slowed to an hour: only the test's explicit ticks fire slots.
            engines.add(fixture.engine(
                    node,
                    clock,
                    EngineFixture.settings(node).cronInterval(Duration.ofHours(1)),
                    b -> b.handler(HandlerRegistration.of("tick", (p, c) -> ran.add(p)))));
        }
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    private int tickAll() {
        return engines.stream().mapToInt(RedTaskEngine::fireDueSchedules).sum();
    }

    @Test
    void threeServersFireAnEverySecondScheduleExactlyOncePerSlotForTenSeconds() {
        engines.forEach(e -> e.schedule(Schedule.builder("every-second", "* * * * * *", "tick")
                .payload("tick")
                .build()));
        assertEquals(0, tickAll(), "nothing is due at the start");
        for (int second = 1; second <= 10; second++) {
            clock.advance(Duration.ofSeconds(1));
            assertEquals(1, tickAll(), "slot " + second + " fires once across three servers");
            assertEquals(0, tickAll(), "and not again");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 10);
        ScheduleInfo info = engines.get(0).schedules().get(0);
        assertEquals(T0.plusSeconds(11), info.nextFireAt());
    }

    /**
     * The servers race for each slot: twelve threads (four per server) fire the due schedules at
     * the same moment, for thirty slots of two every-second schedules. Each slot creates exactly
     * one task per schedule, whatever the interleaving: a check-then-fire race would create two.
     */
    @Test
    void serversFiringTheSameSlotAtOnceCreateOneTaskPerSlot() throws Exception {
        // Each schedule feeds a queue no server takes tasks from, so its tasks stay countable.
        List<String> queues = List.of("cron-race-a", "cron-race-b");
        for (String q : queues) {
            engines.get(0)
                    .schedule(Schedule.builder(q, "* * * * * *", "tick")
                            .payload(q)
                            .options(SubmitOptions.queue(q))
                            .build());
        }
        int threadsPerEngine = 4;
        int slots = 30;
        int threads = engines.size() * threadsPerEngine;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int slot = 1; slot <= slots; slot++) {
                clock.advance(Duration.ofSeconds(1));
                List<Future<Integer>> fired = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    RedTaskEngine engine = engines.get(t % engines.size());
                    fired.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return engine.fireDueSchedules();
                    }));
                }
                int created = 0;
                for (Future<Integer> f : fired) {
                    created += f.get(20, TimeUnit.SECONDS);
                }
                assertEquals(
                        queues.size(),
                        created,
                        "slot " + slot + ": the servers say they created one task per schedule");
                for (String q : queues) {
                    assertEquals(slot, engines.get(0).admin().queue(q).ready(), "slot " + slot + ": tasks in " + q);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        // One task per slot, and each slot's own: the tasks were due at the thirty slots.
        List<Instant> expected = java.util.stream.IntStream.rangeClosed(1, slots)
                .mapToObj(T0::plusSeconds)
                .toList();
        for (String q : queues) {
            List<Instant> due = engines.get(0).admin().tasks(q, TaskState.QUEUED, 0, 1000).stream()
                    .map(TaskStatus::runAt)
                    .sorted()
                    .toList();
            assertEquals(expected, due, "tasks of " + q);
        }
        assertEquals(0, tickAll(), "nothing left to fire");
    }

    @Test
    void slotsMissedWhileAllServersWereDownFireOnceOrAreSkipped() {
        RedTaskEngine a = engines.get(0);
        a.schedule(Schedule.builder("catch-up", "* * * * *", "tick")
                .payload("catch-up")
                .build());
        a.schedule(Schedule.builder("skip", "* * * * *", "tick")
                .payload("skip")
                .misfire(Misfire.SKIP)
                .build());
        clock.advance(Duration.ofMinutes(30)); // 30 slots of each missed
        assertEquals(1, tickAll(), "catch-up fires once for all its missed slots, skip not at all");
        assertEquals(0, tickAll());
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 1);
        assertEquals(List.of("catch-up"), ran);
        Instant nextMinute = T0.plus(Duration.ofMinutes(31));
        a.schedules().forEach(s -> assertEquals(nextMinute, s.nextFireAt(), s.name() + " carries on from now"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(2, tickAll(), "both fire normally again");
    }

    @Test
    void savingAnUnchangedScheduleKeepsItsSlotAndAChangeOrRemovalTakesEffect() {
        RedTaskEngine a = engines.get(0);
        Schedule hourly = Schedule.builder("report", "@hourly", "tick")
                .zone(ZoneId.of("Europe/Paris"))
                .build();
        a.schedule(hourly);
        clock.advance(Duration.ofMinutes(90));
        engines.get(1).schedule(hourly); // another server starting up declares it again
        assertEquals(1, tickAll(), "the slot missed during the 90 minutes is still due");
        a.schedule(Schedule.builder("report", "0 0 * * *", "tick").build());
        assertEquals(T0.plus(Duration.ofDays(1)), a.schedules().get(0).nextFireAt(), "changed: next midnight");
        assertTrue(a.unschedule("report"));
        assertFalse(a.unschedule("report"));
        assertTrue(a.schedules().isEmpty());
        clock.advance(Duration.ofDays(2));
        assertEquals(0, tickAll());
        RedisStorage store = fixture.store();
        assertEquals(Map.of(), RedisProbe.client(store).hgetAll(store.keys().cronDefinitions()));
    }

    @Test
    void aServerWithoutTheHandlerLeavesTheSlotToOneThatHasIt() {
        engines.get(0).schedule(Schedule.builder("ticks", "* * * * * *", "tick").build());
        RedTaskEngine stranger = fixture.engine(
                "stranger",
                clock,
                EngineFixture.settings("stranger").cronInterval(Duration.ofHours(1)),
                b -> b.handler(HandlerRegistration.of("other", (p, c) -> null)));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, stranger.fireDueSchedules(), "no handler for 'tick' here");
        assertEquals(1, tickAll(), "the slot is still there for a server that can run it");
    }

    @Test
    void badSchedulesAreRefusedWithTheProblemNamed() {
        RedTaskEngine a = engines.get(0);
        assertEquals(
                "cron",
                assertThrows(
                                InvalidRequestException.class,
                                () -> a.schedule(Schedule.builder("x", "61 * * * *", "tick")
                                        .build()))
                        .field());
        assertEquals(
                "type",
                assertThrows(
                                InvalidRequestException.class,
                                () -> a.schedule(
                                        Schedule.builder("x", "@daily", "nope").build()))
                        .field());
    }
}
