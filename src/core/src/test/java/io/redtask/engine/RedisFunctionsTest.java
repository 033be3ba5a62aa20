package io.redtask.engine;

import io.redtask.redis.RedisProbe;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's scripts as a Redis Function library (ScriptLibrary): on a Redis 7 they go out as
 * FCALL, the library is loaded again when Redis lost it (FUNCTION FLUSH stands for a restart
 * without persistence or a new Cluster master), and an ACL user that may not use Functions gets
 * the same scripts as EVALSHA, with one warning, and every step of a task's life still works.
 */
class RedisFunctionsTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Calls Redis served, by command (INFO commandstats), for the commands named. */
    private static Map<String, Long> calls(UnifiedJedis redis, String... commands) {
        Map<String, Long> out = new TreeMap<>();
        for (String c : commands) {
            long n = RedisProbe.calls(redis, c);
            if (n > 0) {
                out.put(c, n);
            }
        }
        return out;
    }

    /**
     * A handler that fails its task's first attempt (so fail.lua and the retry run too) and
     * records every task it finished.
     */
    private static HandlerRegistration flaky(Map<String, Integer> attempts, List<String> done) {
        return new HandlerRegistration("flaky", Object.class, 2, null, null, List.of(), (payload, context) -> {
            if (attempts.merge(context.taskId(), 1, Integer::sum) == 1) {
                throw new IllegalStateException("first attempt fails on purpose");
            }
            done.add(context.taskId());
            return null;
        });
    }

    @Test
    void scriptsRunAsFunctionsAndTheLibraryIsLoadedAgainWhenRedisLostIt() throws Exception {
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        List<String> done = new CopyOnWriteArrayList<>();
        try (EngineFixture fixture = new EngineFixture(REDIS.url())) {
            RedTaskEngine engine = fixture.engine(
                    "a", Clock.systemUTC(), EngineFixture.settings("a"), b -> b.handler(flaky(attempts, done)));
            UnifiedJedis redis = RedisProbe.client(fixture.store());
            redis.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
            String first = engine.submit("flaky", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> done.contains(first));
            Map<String, Long> before = calls(redis, "fcall", "evalsha", "eval");
            assertTrue(before.getOrDefault("fcall", 0L) >= 3, "submit, fail, claim and complete as FCALL: " + before);
            assertEquals(0L, before.getOrDefault("evalsha", 0L) + before.getOrDefault("eval", 0L), before.toString());

            // Redis forgets every function, as a restart without persistence would.
            redis.sendCommand(Protocol.Command.FUNCTION, "FLUSH");
            String second = engine.submit("flaky", 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> done.contains(second));
            assertEquals(2, attempts.get(second), "failed once, then ran again");
            Object libraries = redis.sendCommand(Protocol.Command.FUNCTION, "LIST", "LIBRARYNAME", "redtask_*");
            assertEquals(1, ((List<?>) libraries).size(), "the library is back, once: " + libraries);
            Map<String, Long> after = calls(redis, "fcall", "evalsha", "eval");
            assertEquals(0L, after.getOrDefault("evalsha", 0L) + after.getOrDefault("eval", 0L), after.toString());
        }
    }

    @Test
    void aUserThatMayNotUseFunctionsGetsTheSameScriptsAsEvalsha() throws Exception {
        UnifiedJedis admin = RedisProbe.open(REDIS.url());
        admin.sendCommand(
                Protocol.Command.ACL,
                "SETUSER",
                "nofunctions",
                "on",
                ">secret-9",
                "~*",
                "&*",
                "+@all",
                "-function",
                "-fcall",
                "-fcall_ro");
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger("io.redtask.redis.ScriptRunner");
        log.addHandler(capture);
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        List<String> done = new CopyOnWriteArrayList<>();
        String url = REDIS.url().replace("redis://", "redis://nofunctions:secret-9@");
        try (EngineFixture fixture = new EngineFixture(url)) {
            RedTaskEngine engine = fixture.engine(
                    "a", Clock.systemUTC(), EngineFixture.settings("a"), b -> b.handler(flaky(attempts, done)));
            admin.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(engine.submit("flaky", i));
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> done.containsAll(ids));
            Map<String, Long> calls = calls(admin, "fcall", "evalsha");
            assertTrue(calls.getOrDefault("evalsha", 0L) >= 20, "the scripts went as EVALSHA: " + calls);
            assertTrue(ids.stream().allMatch(id -> attempts.get(id) == 2), "each failed once and ran again");
            // Said at most once per JVM (every pool of a server would say the same): once here,
            // unless a test before this one in the same JVM said it.
            assertTrue(
                    warnings.stream()
                                    .filter(r -> String.valueOf(r.getMessage()).contains("EVALSHA"))
                                    .count()
                            <= 1,
                    "said at most once, whatever the number of pools: " + warnings.size());
        } finally {
            log.removeHandler(capture);
            admin.sendCommand(Protocol.Command.ACL, "DELUSER", "nofunctions");
            admin.close();
        }
    }
}
