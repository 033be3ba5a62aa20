package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.Schedule;
import io.redtask.SubmitOptions;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds of a submit, on a real engine over a real Redis: every value out of range is an
 * {@link InvalidRequestException} naming its field (never an overflow further in), nothing is
 * stored, and only queues some live server serves, or that are allowed, take tasks.
 */
class SubmitLimitsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private EngineFixture fixture;
    private RedTaskEngine engine;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        engine = fixture.engine(
                "limits",
                Clock.systemUTC(),
                EngineFixture.settings("limits").concurrency(0),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    /** Another engine of the same fixture whose settings carry {@code limits}. */
    private RedTaskEngine engineWith(String node, SubmitLimits.Limits limits) {
        return fixture.engine(
                node,
                Clock.systemUTC(),
                EngineFixture.settings(node).concurrency(0).limits(limits),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
    }

    private void refused(String field, Supplier<Object> submit) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, submit::get);
        assertEquals(field, e.field(), e::getMessage);
        assertTrue(
                e.getMessage().length() < 400,
                () -> "message too long: " + e.getMessage().length());
    }

    @Test
    void outOfRangeValuesNameTheirField() {
        refused(
                "delay",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder()
                                .delay(Duration.parse("PT9223372036854775.807S"))
                                .build()));
        refused(
                "delay",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().delay(Duration.ofDays(3654)).build()));
        refused(
                "runAt",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder()
                                .runAt(Instant.parse("+999999999-12-31T23:59:59Z"))
                                .build()));
        refused(
                "runAt",
                () -> engine.submit(
                        "t", null, SubmitOptions.builder().runAt(Instant.MIN).build()));
        refused(
                "timeout",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder()
                                .timeout(Duration.ofSeconds(9_999_999_999_999_999L))
                                .build()));
        refused(
                "timeout",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().timeout(Duration.ofHours(25)).build()));
        refused("type", () -> engine.submit("x".repeat(10_000), null));
        refused(
                "idempotencyKey",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().idempotencyKey("k".repeat(257)).build()));
        refused("payload", () -> engine.submit("t", "x".repeat(512 * 1024)));
        refused("payload", () -> engine.submit("t", nested(65)));
        refused(
                "tasks[1].payload",
                () -> engine.submitAll(
                        List.of(io.redtask.Submission.of("t", 1), io.redtask.Submission.of("t", nested(100)))));
        assertEquals(0, engine.admin().queue("default").ready(), "nothing was stored");
        // At the bounds: accepted.
        engine.submit(
                "t",
                nested(64),
                SubmitOptions.builder()
                        .delay(Duration.ofDays(3653))
                        .timeout(Duration.ofHours(24))
                        .maxAttempts(1000)
                        .idempotencyKey("k".repeat(256))
                        .build());
        engine.submit(
                "t",
                null,
                SubmitOptions.builder()
                        .runAt(Instant.now().minus(Duration.ofDays(3000)))
                        .build());
    }

    @Test
    void limitsAreConfigurable() {
        SubmitLimits.Limits d = SubmitLimits.Limits.DEFAULTS;
        RedTaskEngine engine = engineWith(
                "limited",
                new SubmitLimits.Limits(
                        100, 3, 10, Duration.ofHours(1), Duration.ofMinutes(1), 5, Set.of(), d.knownQueuesAge()));
        refused("payload", () -> engine.submit("t", "x".repeat(100)));
        refused("payload", () -> engine.submit("t", nested(4)));
        refused(
                "idempotencyKey",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().idempotencyKey("k".repeat(11)).build()));
        refused(
                "delay",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().delay(Duration.ofHours(2)).build()));
        refused(
                "timeout",
                () -> engine.submit(
                        "t",
                        null,
                        SubmitOptions.builder().timeout(Duration.ofMinutes(2)).build()));
        refused(
                "maxAttempts",
                () -> engine.submit(
                        "t", null, SubmitOptions.builder().maxAttempts(6).build()));
        engine.submit("t", nested(3), SubmitOptions.builder().maxAttempts(5).build());
        refused("payload", () -> {
            engine.schedule(
                    Schedule.builder("deep", "@hourly", "t").payload(nested(4)).build());
            return null;
        });
        // The limits are the engine's own: another engine in the same JVM keeps the defaults.
        this.engine.submit(
                "t", nested(4), SubmitOptions.builder().maxAttempts(6).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> new SubmitLimits.Limits(
                        100, 0, 10, Duration.ofHours(1), Duration.ofMinutes(1), 5, Set.of(), Duration.ZERO));
    }

    @Test
    void schedulesAreBoundedToo() {
        refused("payload", () -> {
            engine.schedule(
                    Schedule.builder("big", "@hourly", "t").payload(nested(65)).build());
            return null;
        });
        refused("timeout", () -> {
            engine.schedule(Schedule.builder("slow", "@hourly", "t")
                    .options(SubmitOptions.builder().timeout(Duration.ofDays(2)).build())
                    .build());
            return null;
        });
        assertTrue(engine.schedules().isEmpty());
    }

    @Test
    void onlyKnownQueuesTakeTasks() {
        InvalidRequestException e = assertThrows(
                InvalidRequestException.class, () -> engine.submit("t", null, SubmitOptions.queue("nobody")));
        assertEquals("queue", e.field());
        assertTrue(e.getMessage().contains("known queues: [default]"), e::getMessage);
        assertTrue(engine.admin().queueNames().stream().noneMatch("nobody"::equals), "the refused queue was created");

        // A queue another live server serves is known (at once: a miss looks again).
        fixture.engine(
                "worker",
                Clock.systemUTC(),
                EngineFixture.settings("worker").queues(List.of("mail")),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                engine.submit("t", null, SubmitOptions.queue("mail"));
                return true;
            } catch (InvalidRequestException ex) {
                return false;
            }
        });

        // redtask.queues.allowed, with prefixes.
        RedTaskEngine engine =
                engineWith("allowing", SubmitLimits.Limits.DEFAULTS.withAllowedQueues(Set.of("reports", "batch-*")));
        engine.submit("t", null, SubmitOptions.queue("reports"));
        engine.submit("t", null, SubmitOptions.queue("batch-7"));
        InvalidRequestException other = assertThrows(
                InvalidRequestException.class, () -> engine.submit("t", null, SubmitOptions.queue("batc")));
        assertTrue(other.getMessage().contains("batch-*") && other.getMessage().contains("mail"), other::getMessage);
    }

    @Test
    void depthIsCountedWithoutParsing() {
        assertEquals(0, SubmitLimits.depth("\"[[[\"", 64));
        assertEquals(2, SubmitLimits.depth("{\"a\":[1,\"]\\\"[\"]}", 64));
        assertEquals(65, SubmitLimits.depth("[".repeat(1_000_000), 64), "stops counting past the limit");
    }

    private static Object nested(int depth) {
        Object value = 1;
        for (int i = 0; i < depth; i++) {
            value = Map.of("a", value);
        }
        return value;
    }
}
