package io.redtask.redis;

import io.redtask.store.Storage;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;

/** For tests that look at Redis directly: the client behind a storage, or a client of their own. */
public final class RedisProbe {

    private RedisProbe() {}

    /** The client a {@link RedisStorage} uses. */
    public static UnifiedJedis client(Storage storage) {
        return ((RedisStorage) storage).redis();
    }

    /** A client of the test's own on {@code url}; the caller closes it. */
    public static UnifiedJedis open(String url) {
        return RedisConnections.open(url, 4, Duration.ofSeconds(2));
    }
}
