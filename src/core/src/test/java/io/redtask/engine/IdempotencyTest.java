package io.redtask.engine;

import io.redtask.IdempotencyConflictException;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.redis.RedisProbe;
import io.redtask.redis.RedisStorage;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idempotency keys live at least as long as their waiting task, and refuse a different task. */
class IdempotencyTest {

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
    void aKeyOutlivesItsWindowWhileItsTaskIsDelayedPastIt() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok")));
        SubmitOptions o = SubmitOptions.builder()
                .idempotencyKey("invoice-7")
                .idempotencyWindow(Duration.ofHours(1))
                .delay(Duration.ofDays(2))
                .build();
        String first = engine.submit("t", 1, o);
        RedisStorage store = fixture.store();
        long ttl = RedisProbe.client(store).pttl(store.keys().idempotency("default", "invoice-7"));
        assertTrue(ttl > Duration.ofDays(2).toMillis(), "the key lives past the task's due time: " + ttl + " ms");
        assertEquals(first, engine.submit("t", 1, o), "a resubmit finds the waiting task");
    }

    @Test
    void aKeyReusedForAnotherTaskIsAConflictAndStoresNothingOfItsBatch() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok"))
                        .handler(HandlerRegistration.of("u", (p, c) -> "ok")));
        SubmitOptions key = SubmitOptions.builder().idempotencyKey("k").build();
        String first = engine.submit("t", 1, key);
        IdempotencyConflictException otherType =
                assertThrows(IdempotencyConflictException.class, () -> engine.submit("u", 1, key));
        assertEquals(first, otherType.firstTaskId());
        assertThrows(IdempotencyConflictException.class, () -> engine.submit("t", 2, key), "another payload");

        long before = engine.admin().queue("default").ready();
        IdempotencyConflictException inBatch = assertThrows(
                IdempotencyConflictException.class,
                () -> engine.submitAll(List.of(Submission.of("t", "a"), new Submission("t", 9, key))));
        assertEquals("tasks[1].idempotencyKey", inBatch.field());
        assertEquals(before, engine.admin().queue("default").ready(), "nothing of the batch was stored");
        assertNotNull(engine.status(first).orElse(null));
    }
}
