package io.redtask.cdi;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Keeps RedTask's stop visible in the log when the JVM is told to exit ({@code kill -TERM}).
 *
 * <p>Why it is needed: java.util.logging's {@code LogManager} registers a JVM shutdown hook that
 * resets logging, which removes every handler from the root logger. Liberty's log manager
 * ({@code WsLogManager}) leaves that hook in place, and Liberty sends java.util.logging records
 * to messages.log through a handler on the root logger. Shutdown hooks run concurrently, so on
 * {@code kill -TERM} the reset happens at once while Liberty's own hook is still quiescing and
 * then stopping applications: every JUL message of the stop, RedTask's "node ... stopped" among
 * them, goes nowhere (Liberty's own messages do not use JUL and still appear). A
 * {@code server stop} does not run the hooks until the server has stopped, which is why the line
 * was only sometimes missing.
 *
 * <p>What it does: it remembers the root logger's handlers when RedTask starts, and when RedTask
 * stops and finds the root logger without handlers, it puts them back. Liberty's handler does
 * nothing on close, so it works again; the JVM is exiting anyway, so nothing else is changed.
 */
final class LogHandlersAtExit {

    private final List<Handler> rootHandlers;

    private LogHandlersAtExit(List<Handler> rootHandlers) {
        this.rootHandlers = rootHandlers;
    }

    @Override
    public String toString() {
        return rootHandlers.toString();
    }

    /** Remembers the root logger's handlers as they are now. */
    static LogHandlersAtExit remember() {
        return new LogHandlersAtExit(List.of(Logger.getLogger("").getHandlers()));
    }

    /**
     * Puts the remembered handlers back on the root logger when a reset took them all away.
     *
     * @return whether they were put back
     */
    boolean restoreIfReset() {
        Logger root = Logger.getLogger("");
        if (rootHandlers.isEmpty() || root.getHandlers().length > 0) {
            return false;
        }
        rootHandlers.forEach(root::addHandler);
        return true;
    }
}
