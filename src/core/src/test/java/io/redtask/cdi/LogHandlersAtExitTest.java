package io.redtask.cdi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the JVM's shutdown hook does to java.util.logging (LogManager.reset, as on kill -TERM), and
 * that RedTask's stop gets its lines through afterwards.
 */
class LogHandlersAtExitTest {

    @Test
    void aResetRootLoggerGetsItsHandlersBackAndTheStopLineGetsThrough() {
        Logger root = Logger.getLogger("");
        Handler[] before = root.getHandlers();
        List<String> published = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                published.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {
                // Like Liberty's handler: closing does not stop it.
            }
        };
        root.addHandler(handler);
        try {
            LogHandlersAtExit handlers = LogHandlersAtExit.remember();
            assertFalse(handlers.restoreIfReset(), "nothing to restore before a reset");

            LogManager.getLogManager().reset(); // what the JVM's shutdown hook does
            Logger.getLogger("io.redtask.engine.RedTaskEngine").info("lost");
            assertEquals(List.of(), published);

            assertTrue(handlers.restoreIfReset());
            Logger.getLogger("io.redtask.engine.RedTaskEngine").info("RedTask: node n stopped");
            assertEquals(List.of("RedTask: node n stopped"), published);
        } finally {
            root.removeHandler(handler);
            for (Handler h : before) {
                if (List.of(root.getHandlers()).stream().noneMatch(x -> x == h)) {
                    root.addHandler(h);
                }
            }
        }
    }
}
