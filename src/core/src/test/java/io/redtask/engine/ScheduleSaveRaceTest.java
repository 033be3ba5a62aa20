package io.redtask.engine;

import io.redtask.Schedule;
import io.redtask.SubmitOptions;
import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Saves of one schedule that race each other from several servers, moving it between queues,
 * while those servers fire due slots concurrently: a slot never creates two tasks, and the
 * schedule is never left in two places.
 */
class ScheduleSaveRaceTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        fixture.close();
    }

    @Test
    void concurrentSavesAndTicksNeverFireASlotTwice() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        Map<Long, AtomicInteger> perSlot = new ConcurrentHashMap<>();
        List<RedTaskEngine> engines = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            engines.add(fixture.unstarted(
                    "e" + n,
                    clock,
                    EngineFixture.settings("e" + n).queues(List.of("a", "b")),
                    b -> b.handler(HandlerRegistration.of("tick", (p, c) -> "ok"))));
        }
        for (int second = 0; second < 40; second++) {
            clock.advance(Duration.ofSeconds(1));
            List<Callable<Integer>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                RedTaskEngine e = engines.get(t % 3);
                // Every fifth second the saves disagree (moving the schedule between queues, which
                // restarts it from its next slot); otherwise they race saving the same definition.
                String queue = second % 5 == 0 && t % 4 == 0 ? "b" : "a";
                // Half the threads save (moving the schedule between queues), half fire.
                work.add(
                        t % 2 == 0
                                ? () -> {
                                    e.schedule(Schedule.builder("race", "* * * * * *", "tick")
                                            .options(SubmitOptions.queue(queue))
                                            .build());
                                    return 0;
                                }
                                : e::fireDueSchedules);
            }
            int fired = 0;
            for (Future<Integer> f : pool.invokeAll(work)) {
                fired += f.get();
            }
            perSlot.computeIfAbsent(clock.millis(), k -> new AtomicInteger()).addAndGet(fired);
        }
        assertTrue(perSlot.values().stream().allMatch(n -> n.get() <= 1), "a slot fired twice: " + perSlot);
        int total = perSlot.values().stream().mapToInt(AtomicInteger::get).sum();
        assertTrue(total > 0, "the schedule fired at all");
        long stored = engines.get(0).admin().queue("a").ready()
                + engines.get(0).admin().queue("b").ready();
        assertEquals(total, stored, "every firing stored exactly one task");
        assertEquals(1, engines.get(0).schedules().size(), "the schedule lives in one place");
    }

    @Test
    void aFiringLeftHalfDoneByADyingServerIsFinishedByAnother() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        RedTaskEngine engine = fixture.unstarted(
                "e",
                clock,
                EngineFixture.settings("e"),
                b -> b.handler(HandlerRegistration.of("tick", (p, c) -> "ok")));
        engine.schedule(Schedule.builder("daily", "0 0 3 * * *", "tick").build());
        long slot = engine.schedules().get(0).nextFireAt().toEpochMilli();
        clock.advance(Duration.ofMillis(slot - clock.millis()));
        // A server moved the slot on and died before storing its task.
        var store = fixture.store().schedules();
        assertTrue(store.advance("daily", slot, slot + Duration.ofDays(1).toMillis(), "default", clock.millis()));
        assertEquals(0, engine.fireDueSchedules(), "nothing due, nothing pending long enough yet");
        assertEquals(0, engine.admin().queue("default").ready());

        clock.advance(Duration.ofSeconds(11));
        assertEquals(1, engine.fireDueSchedules(), "the pending firing is finished");
        assertEquals(1, engine.admin().queue("default").ready());
        clock.advance(Duration.ofSeconds(11));
        assertEquals(0, engine.fireDueSchedules(), "and only once");
        assertTrue(store.pending().isEmpty());
    }
}
