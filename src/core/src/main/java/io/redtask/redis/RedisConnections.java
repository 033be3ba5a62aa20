package io.redtask.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/** Builds the Jedis client for a Redis URL. */
final class RedisConnections {

    private RedisConnections() {
    }

    /**
     * Opens a pooled client for {@code url}. No connection is made until the first command.
     * <ul>
     * <li>{@code redis://[user:password@]host:port[/db]} one server; {@code rediss://} with TLS;</li>
     * <li>{@code redis-sentinel://[user:password@]host:port[,host:port...]/master[/db]} the master
     *     that the Sentinels name, followed across failovers ({@code rediss-sentinel://} with TLS
     *     to the master);</li>
     * <li>{@code redis-cluster://[user:password@]host:port[,host:port...]} a Redis Cluster from any
     *     of its nodes ({@code rediss-cluster://} with TLS).</li>
     * </ul>
     *
     * @param poolSize most connections at once (per node for a cluster): each worker thread,
     *                 fetcher and submitter needs one while it talks to Redis
     * @param timeout  connect and read timeout of ordinary commands
     * @throws IllegalArgumentException naming the problem when the URL is not usable
     */
    static UnifiedJedis open(String url, int poolSize, Duration timeout) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("redtask.redis.url is empty; expected redis://host:port");
        }
        String trimmed = url.trim();
        int schemeEnd = trimmed.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : trimmed.substring(0, schemeEnd);
        return switch (scheme) {
            case "redis", "rediss" -> standalone(trimmed, poolSize, timeout);
            case "redis-sentinel", "rediss-sentinel" -> sentinel(MultiHostUrl.parse(trimmed), poolSize, timeout);
            case "redis-cluster", "rediss-cluster" -> cluster(MultiHostUrl.parse(trimmed), poolSize, timeout);
            default -> throw new IllegalArgumentException("redtask.redis.url must start with redis://, rediss://, "
                    + "redis-sentinel:// or redis-cluster://, was " + redact(url));
        };
    }

    private static UnifiedJedis standalone(String url, int poolSize, Duration timeout) {
        URI uri = parse(url);
        DefaultJedisClientConfig.Builder config = config(timeout, JedisURIHelper.getUser(uri),
                JedisURIHelper.getPassword(uri), JedisURIHelper.getDBIndex(uri), JedisURIHelper.isRedisSSLScheme(uri));
        return RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(uri))
                .clientConfig(config.build())
                .poolConfig(pool(poolSize, timeout))
                .build();
    }

    private static UnifiedJedis sentinel(MultiHostUrl u, int poolSize, Duration timeout) {
        if (u.path().isEmpty()) {
            throw new IllegalArgumentException("redtask.redis.url names no master: expected "
                    + "redis-sentinel://host:26379[,host:26379]/mymaster");
        }
        String[] parts = u.path().split("/");
        int db = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return RedisSentinelClient.builder()
                .masterName(parts[0])
                .sentinels(u.hosts())
                .clientConfig(config(timeout, u.user(), u.password(), db, u.tls()).build())
                // The Sentinels themselves are asked without TLS or a password.
                .sentinelClientConfig(config(timeout, null, null, 0, false).build())
                .poolConfig(pool(poolSize, timeout))
                .build();
    }

    private static UnifiedJedis cluster(MultiHostUrl u, int poolSize, Duration timeout) {
        return RedisClusterClient.builder()
                .nodes(u.hosts())
                .clientConfig(config(timeout, u.user(), u.password(), 0, u.tls()).build())
                .poolConfig(pool(poolSize, timeout))
                .maxTotalRetriesDuration(timeout.multipliedBy(2))
                .build();
    }

    private static DefaultJedisClientConfig.Builder config(Duration timeout, String user, String password, int db,
                                                           boolean tls) {
        int millis = Math.toIntExact(timeout.toMillis());
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // Fetchers block for at most a second or two; a socket silent for longer than
                // this means Redis is gone, and the fetcher must notice rather than hang forever.
                .blockingSocketTimeoutMillis(millis + 5_000)
                .clientName("redtask")
                .user(user)
                .password(password)
                .database(db)
                .ssl(tls);
    }

    private static GenericObjectPoolConfig<Connection> pool(int poolSize, Duration timeout) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(0);
        // Waiting for a free connection is bounded too, so no caller waits forever on a pool.
        pool.setMaxWait(timeout);
        pool.setTestWhileIdle(true);
        pool.setJmxEnabled(false);
        return pool;
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
