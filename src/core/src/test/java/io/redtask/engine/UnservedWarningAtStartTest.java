package io.redtask.engine;

import io.redtask.testing.MutableClock;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A submit made while the application starts (a {@code @Startup} bean's), before the engine has
 * started and sent its first heartbeat, is not warned about as a queue nobody serves; a server
 * that never starts its workers still warns at the next check.
 */
class UnservedWarningAtStartTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(RedTaskEngine.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel() == Level.WARNING && r.getMessage().contains("no running server")) {
                warnings.add(r.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private EngineFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new EngineFixture(REDIS.url());
        log.addHandler(capture);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        log.removeHandler(capture);
        fixture.close();
    }

    @Test
    void aSubmitBeforeTheEngineStartsIsNotWarnedAbout() {
        MutableClock clock = new MutableClock(Instant.now());
        RedTaskEngine engine = fixture.unstarted(
                "starting",
                clock,
                EngineFixture.settings("starting"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));

        engine.submit("t", 1);
        engine.start();
        clock.advance(Duration.ofMinutes(5));
        engine.submit("t", 2);

        assertEquals(List.of(), warnings);
    }

    @Test
    void aServerWhoseWorkersNeverStartWarnsAtTheNextCheck() {
        MutableClock clock = new MutableClock(Instant.now());
        RedTaskEngine engine = fixture.unstarted(
                "submit-only",
                clock,
                EngineFixture.settings("submit-only"),
                b -> b.handler(HandlerRegistration.of("t", (p, c) -> null)));

        engine.submit("t", 1);
        assertEquals(List.of(), warnings, "the first submit is not judged yet");
        clock.advance(EngineSettings.DEFAULTS.servedCheck().plusSeconds(1));
        engine.submit("t", 2);

        assertEquals(1, warnings.size(), () -> "warned once: " + warnings);
        assertTrue(warnings.get(0).contains("'default'"), warnings.get(0));
    }
}
