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

    public RedisServerExtension() {
        this(false);
    }

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

    public RedisServer server() {
        return server;
    }

    public String url() {
        return server.url();
    }
}
