package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.StoreUnavailableException;
import io.redtask.testing.RedisServer;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replies that mean "not now" (a replica that was a master before a failover answers READONLY)
 * reach the caller as {@link StoreUnavailableException} (503 over REST, retried by workers), not as
 * an unexpected error; and a payload a record refuses is named in the payload's own words.
 */
class PassingRepliesTest {

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

    /** A payload whose constructor refuses bad values. */
    public record Size(int n) {
        public Size {
            if (n < 0) {
                throw new IllegalArgumentException("n must not be negative, was " + n);
            }
        }
    }

    /** A handler whose payload type the engine reads from its class. */
    static final class SizeHandler implements io.redtask.TaskHandler<Size, Integer> {
        @Override
        public Integer handle(Size payload, io.redtask.TaskContext context) {
            return payload.n();
        }
    }

    @Test
    void aReadOnlyReplicaIsUnavailableNotAnError() {
        try (RedisServer replica = RedisServer.start(
                false,
                List.of(
                        "--replicaof",
                        "127.0.0.1",
                        Integer.toString(REDIS.server().port())))) {
            RedTaskEngine engine = fixture.unstarted(
                    replica.url(),
                    Duration.ofSeconds(2),
                    "n",
                    Clock.systemUTC(),
                    EngineFixture.settings("n"),
                    b -> b.handler(HandlerRegistration.of("t", (p, c) -> "ok")));
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> engine.submit("t", 1));
            assertTrue(e.getMessage().contains("READONLY"), e.getMessage());
        }
    }

    @Test
    void aPayloadItsRecordRefusesIsNamedInTheRecordsWords() {
        RedTaskEngine engine = fixture.unstarted(
                "n",
                Clock.systemUTC(),
                EngineFixture.settings("n"),
                b -> b.handler(HandlerRegistration.of("size", new SizeHandler())));
        InvalidRequestException e =
                assertThrows(InvalidRequestException.class, () -> engine.submit("size", java.util.Map.of("n", -1)));
        assertEquals("payload", e.field());
        assertTrue(e.getMessage().contains("n must not be negative, was -1"), e.getMessage());
    }
}
