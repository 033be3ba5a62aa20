package io.redtask.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/** Builds the Jedis client for a Redis URL. */
public final class RedisConnections {

    private RedisConnections() {
    }

    /**
     * Opens a pooled client for {@code url}: {@code redis://[user:password@]host:port[/db]}, or
     * {@code rediss://...} for TLS. No connection is made until the first command.
     *
     * @param poolSize most connections at once: each worker thread, fetcher and submitter
     *                 needs one while it talks to Redis
     * @param timeout  connect and read timeout of ordinary commands
     * @throws IllegalArgumentException naming the problem when the URL is not usable
     */
    public static UnifiedJedis open(String url, int poolSize, Duration timeout) {
        URI uri = parse(url);
        int millis = Math.toIntExact(timeout.toMillis());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // Fetchers block for at most a second or two; a socket silent for longer than
                // this means Redis is gone, and the fetcher must notice rather than hang forever.
                .blockingSocketTimeoutMillis(millis + 5_000)
                .clientName("redtask")
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri));
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(0);
        // Waiting for a free connection is bounded too, so no caller waits forever on a pool.
        pool.setMaxWait(timeout);
        pool.setTestWhileIdle(true);
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                .clientConfig(config.build())
                .poolConfig(pool)
                .build();
    }

    /** The URL with any password replaced by {@code ***}, for logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(//[^:/@]*:)[^@]*@", "$1***@");
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("redtask.redis.url is empty; expected redis://host:port");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("redtask.redis.url is not a URL: " + redact(url), e);
        }
        if (!JedisURIHelper.isRedisScheme(uri) && !JedisURIHelper.isRedisSSLScheme(uri)) {
            throw new IllegalArgumentException("redtask.redis.url must start with redis:// or rediss://, was "
                    + redact(url));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("redtask.redis.url has no host: " + redact(url));
        }
        return uri;
    }
}
