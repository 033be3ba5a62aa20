package io.redtask.redis;

import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout marker: written under a fresh prefix; an engine refuses data of another layout. */
class StoreLayoutTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(5);

    @AfterEach
    void close() {
        workers.shutdownNow();
        housekeeping.shutdownNow();
    }

    private static RedisStorage open(Keys keys) {
        return RedisStorage.open(
                REDIS.url(),
                4,
                Duration.ofSeconds(2),
                keys,
                EngineSettings.builder("s").build());
    }

    private RedTaskEngine engine(RedisStorage storage) {
        EngineSettings settings =
                EngineSettings.builder("n").queues(List.of("default")).build();
        return RedTaskEngine.builder()
                .storage(storage)
                .workers(workers)
                .housekeeping(housekeeping)
                .settings(settings)
                .handler(HandlerRegistration.of("t", (p, c) -> null))
                .build();
    }

    @Test
    void aFreshPrefixIsMarkedAndServersOfThisLayoutShareIt() {
        Keys keys = new Keys("fresh-" + UUID.randomUUID());
        try (RedisStorage first = open(keys);
                RedisStorage second = open(keys)) {
            RedTaskEngine a = engine(first);
            a.start();
            assertEquals(StoreLayout.CURRENT, first.redis().get(keys.layout()));
            a.submit("t", 1);
            RedTaskEngine b = engine(second);
            b.start(); // the queue set exists now, and so does the marker
            b.submit("t", 2);
            a.stop();
            b.stop();
        }
    }

    @Test
    void anEngineRefusesToStartOnTasksOfTheOlderLayout() {
        Keys keys = new Keys("old-" + UUID.randomUUID());
        try (RedisStorage storage = open(keys)) {
            var redis = storage.redis();
            // What an older version left: its queue set and a task hash with long field names, no marker.
            redis.sadd(keys.queues(), "default");
            redis.hset(
                    keys.task("default:01J0000000000000000000000"), java.util.Map.of("state", "queued", "type", "t"));
            RedTaskEngine engine = engine(storage);
            IllegalStateException e = assertThrows(IllegalStateException.class, engine::start);
            assertTrue(e.getMessage().contains("older RedTask"), e.getMessage());
            assertTrue(e.getMessage().contains(keys.prefix() + ":*"), "says what to delete: " + e.getMessage());
            assertTrue(e.getMessage().contains("redtask.key-prefix"), "or what to set: " + e.getMessage());
            assertFalse(redis.exists(keys.layout()), "nothing is written beside the old data");
            assertThrows(IllegalStateException.class, () -> engine.submit("t", 1), "nor submitted");
            engine.stop();
        }
    }

    @Test
    void aMarkerOfAnotherLayoutIsRefusedToo() {
        Keys keys = new Keys("next-" + UUID.randomUUID());
        try (RedisStorage storage = open(keys)) {
            storage.redis().set(keys.layout(), "3");
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> storage.queues().register(List.of("default")));
            assertTrue(e.getMessage().contains("task layout 3"), e.getMessage());
        }
    }
}
