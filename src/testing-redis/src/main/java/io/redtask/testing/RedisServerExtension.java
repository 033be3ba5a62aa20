package io.redtask.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link RedisServer} for a test class and stops it afterwards:
 * {@code @RegisterExtension static RedisServerExtension redis = new RedisServerExtension();}.
 * Tests isolate themselves with their own key prefix.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

    private final boolean appendOnly;
    private RedisServer server;

    /** A server without persistence. */
    public RedisServerExtension() {
        this(false);
    }

    /**
     * A server with or without an append-only file.
     *
     * @param appendOnly whether to keep an AOF, synced on every write
     */
    public RedisServerExtension(boolean appendOnly) {
        this.appendOnly = appendOnly;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start(appendOnly);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    /**
     * The running server.
     *
     * @return the server of the current test class
     */
    public RedisServer server() {
        return server;
    }

    /**
     * The running server's address.
     *
     * @return {@code redis://127.0.0.1:<port>}
     */
    public String url() {
        return server.url();
    }
}
