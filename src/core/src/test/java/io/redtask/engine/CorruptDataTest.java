package io.redtask.engine;

import io.redtask.Schedule;
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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged or foreign data in Redis is contained: a bad task record goes to the dead set naming
 * the field, and the rest of its batch runs; a bad schedule is skipped and the others fire;
 * operators' lists leave out what they cannot read instead of failing.
 */
class CorruptDataTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    @Test
    void aCorruptRecordIsBuriedNamingItsFieldAndTheRestOfTheBatchRuns() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok")));
        engine.admin().pause("default");
        List<String> ids =
                IntStream.range(0, 6).mapToObj(i -> engine.submit("t", i)).toList();
        String later = engine.submit(
                "t",
                "later",
                SubmitOptions.builder().delay(Duration.ofMillis(300)).build());
        RedisStorage store = fixture.store();
        var redis = RedisProbe.client(store);
        redis.hset(store.keys().task(ids.get(1)), RedisProbe.taskField("attempts"), "many");
        redis.hset(store.keys().task(ids.get(3)), RedisProbe.taskField("timeoutMs"), "soon");
        redis.hdel(store.keys().task(ids.get(4)), RedisProbe.taskField("type"));
        redis.hset(store.keys().task(later), RedisProbe.taskField("priority"), "high");
        engine.admin().resume("default");
        engine.start();

        for (int i : new int[] {0, 2, 5}) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> engine.status(ids.get(i)).orElseThrow().state() == TaskState.SUCCEEDED);
        }
        assertDead(engine, ids.get(1), "corrupt record: attempts");
        assertDead(engine, ids.get(3), "corrupt record: timeoutMs");
        assertDead(engine, ids.get(4), "corrupt record: type");
        assertDead(engine, later, "corrupt record: priority");

        // A record no reader can make sense of is left out of lists rather than failing them.
        redis.hset(store.keys().task(ids.get(0)), RedisProbe.taskField("state"), "exploded");
        List<TaskStatus> dead = engine.admin().deadTasks("default", 0, 100);
        assertEquals(4, dead.size());
    }

    private static void assertDead(RedTaskEngine engine, String id, String error) {
        TaskStatus s = await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.status(id).orElseThrow(), st -> st.state() == TaskState.DEAD);
        assertEquals(error, s.error());
    }

    @Test
    void aBadScheduleIsSkippedAndTheOthersFire() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        RedTaskEngine engine = fixture.unstarted(
                "n", clock, EngineFixture.settings("n"), b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok")));
        engine.schedule(Schedule.builder("a-bad", "* * * * * *", "t").build());
        engine.schedule(Schedule.builder("b-cron", "* * * * * *", "t").build());
        engine.schedule(Schedule.builder("c-good", "* * * * * *", "t").build());
        RedisStorage store = fixture.store();
        var redis = RedisProbe.client(store);
        redis.hset(store.keys().cronDefinitions(), "a-bad", "{not json");
        String cronBroken = redis.hget(store.keys().cronDefinitions(), "b-cron").replace("* * * * * *", "61 * * * * *");
        redis.hset(store.keys().cronDefinitions(), "b-cron", cronBroken);

        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, engine.fireDueSchedules(), "the good schedule fired; the two bad ones were skipped");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, engine.fireDueSchedules());
        assertTrue(engine.schedules().stream().anyMatch(s -> s.name().equals("c-good")));
        assertTrue(engine.schedules().stream().noneMatch(s -> s.name().equals("a-bad")), "unreadable: left out");
    }
}
