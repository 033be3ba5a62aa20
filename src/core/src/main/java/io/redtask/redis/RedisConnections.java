package io.redtask.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the Jedis client for a Redis URL. */
final class RedisConnections {

    /** Query parameters a URL may carry. */
    private static final Set<String> PARAMETERS = Set.of("sentinel-user", "sentinel-password");

    private RedisConnections() {}

    /**
     * Whom TLS connections trust.
     *
     * @param truststore a PKCS12 or JKS file, or {@code null} for the JVM's default trust store
     * @param password   its password, or {@code null}
     */
    record Trust(Path truststore, char[] password) {
        static final Trust DEFAULT = new Trust(null, null);

        @Override
        public String toString() {
            return "Trust[" + (truststore == null ? "JVM default" : truststore) + "]";
        }
    }

    /** {@link #open(String, int, Duration, Trust)} trusting the JVM's default trust store. */
    static UnifiedJedis open(String url, int poolSize, Duration timeout) {
        return open(url, poolSize, timeout, Trust.DEFAULT);
    }

    /**
     * Opens a pooled client for {@code url}. No connection is made until the first command.
     * <ul>
     * <li>{@code redis://[[user]:password@]host:port[/db]} one server; {@code rediss://} with TLS;</li>
     * <li>{@code redis-sentinel://[[user]:password@]host:port[,host:port...]/master[/db]} the master
     *     that the Sentinels name, followed across failovers; {@code rediss-sentinel://} speaks TLS
     *     to the Sentinels and the master. The user and password are the master's; Sentinels that
     *     need a login of their own get it from the query: {@code ?sentinel-user=u&sentinel-password=p};</li>
     * <li>{@code redis-cluster://[[user]:password@]host:port[,host:port...]} a Redis Cluster from any
     *     of its nodes ({@code rediss-cluster://} with TLS).</li>
     * </ul>
     * TLS connections check the server's certificate against {@code trust} and its host name
     * against the host in the URL (as HTTPS does), so a URL must name Redis as its certificate does.
     * A password may hold {@code @ : /} as it is or percent-encoded.
     *
     * @param poolSize most connections at once (per node for a cluster): each worker thread,
     *                 fetcher and submitter needs one while it talks to Redis
     * @param timeout  connect and read timeout of ordinary commands
     * @throws IllegalArgumentException naming the problem when the URL is not usable (never
     *                                  showing a password)
     */
    static UnifiedJedis open(String url, int poolSize, Duration timeout, Trust trust) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("redtask.redis.url is empty; expected redis://host:port");
        }
        String trimmed = url.trim();
        int schemeEnd = trimmed.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : trimmed.substring(0, schemeEnd);
        if (!Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel", "redis-cluster", "rediss-cluster")
                .contains(scheme)) {
            throw new IllegalArgumentException("redtask.redis.url must start with redis://, rediss://, "
                    + "redis-sentinel:// or redis-cluster://, was " + redact(url));
        }
        MultiHostUrl u = MultiHostUrl.parse(trimmed);
        for (String name : u.query().keySet()) {
            if (!PARAMETERS.contains(name) || !scheme.endsWith("-sentinel")) {
                throw new IllegalArgumentException("redtask.redis.url: unknown parameter '" + name + "'"
                        + (scheme.endsWith("-sentinel")
                                ? "; known: " + PARAMETERS
                                : " (only Sentinel URLs take " + PARAMETERS + ")"));
            }
        }
        SSLContext tls = u.tls() ? sslContext(trust) : null;
        return switch (scheme) {
            case "redis", "rediss" -> standalone(u, poolSize, timeout, tls);
            case "redis-sentinel", "rediss-sentinel" -> sentinel(u, poolSize, timeout, tls);
            default -> cluster(u, poolSize, timeout, tls);
        };
    }

    private static UnifiedJedis standalone(MultiHostUrl u, int poolSize, Duration timeout, SSLContext tls) {
        if (u.hosts().size() != 1) {
            throw new IllegalArgumentException("redtask.redis.url: redis:// names one host; for several use "
                    + "redis-sentinel:// or redis-cluster://");
        }
        int db = database(u.path(), "redis://host:port/db");
        HostAndPort host = u.hosts().iterator().next();
        return RedisClient.builder()
                .hostAndPort(host)
                .clientConfig(config(timeout, u.user(), u.password(), db, tls).build())
                .poolConfig(pool(poolSize, timeout))
                .build();
    }

    private static UnifiedJedis sentinel(MultiHostUrl u, int poolSize, Duration timeout, SSLContext tls) {
        if (u.path().isEmpty()) {
            throw new IllegalArgumentException("redtask.redis.url names no master: expected "
                    + "redis-sentinel://host:26379[,host:26379]/mymaster");
        }
        String[] parts = u.path().split("/", 2);
        int db = parts.length > 1 ? database(parts[1], "redis-sentinel://host:26379/mymaster/db") : 0;
        Map<String, String> q = u.query();
        return RedisSentinelClient.builder()
                .masterName(parts[0])
                .sentinels(u.hosts())
                .clientConfig(config(timeout, u.user(), u.password(), db, tls).build())
                // Sentinels speak TLS when the master does (one tls-port setting in Redis); their
                // own login, if they have one, is in the query.
                .sentinelClientConfig(config(timeout, q.get("sentinel-user"), q.get("sentinel-password"), 0, tls)
                        .build())
                .poolConfig(pool(poolSize, timeout))
                .build();
    }

    private static UnifiedJedis cluster(MultiHostUrl u, int poolSize, Duration timeout, SSLContext tls) {
        return RedisClusterClient.builder()
                .nodes(u.hosts())
                .clientConfig(config(timeout, u.user(), u.password(), 0, tls).build())
                .poolConfig(pool(poolSize, timeout))
                .maxTotalRetriesDuration(timeout.multipliedBy(2))
                .build();
    }

    private static int database(String path, String form) {
        if (path.isEmpty()) {
            return 0;
        }
        try {
            int db = Integer.parseInt(path);
            if (db >= 0) {
                return db;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(
                "redtask.redis.url: the database must be a number (" + form + "), was '" + path + "'");
    }

    private static DefaultJedisClientConfig.Builder config(
            Duration timeout, String user, String password, int db, SSLContext tls) {
        int millis = Math.toIntExact(timeout.toMillis());
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // Fetchers block for at most a second or two; a socket silent for longer than
                // this means Redis is gone, and the fetcher must notice rather than hang forever.
                .blockingSocketTimeoutMillis(millis + 5_000)
                .clientName("redtask")
                .user(user)
                .password(password)
                .database(db)
                .ssl(tls != null);
        if (tls != null) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            // Check the certificate names the host we asked for, as HTTPS clients do: a trusted
            // certificate of another server is not enough.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            b.sslSocketFactory(tls.getSocketFactory()).sslParameters(parameters);
        }
        return b;
    }

    /** A TLS context trusting {@code trust}'s store, or the JVM's default trust store. */
    private static SSLContext sslContext(Trust trust) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trust.truststore() == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore store = loadTrustStore(trust);
                tmf.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("redtask.redis.truststore: cannot set up TLS: " + e.getMessage());
        }
    }

    private static KeyStore loadTrustStore(Trust trust) throws GeneralSecurityException {
        Path file = trust.truststore();
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("redtask.redis.truststore: cannot read " + file);
        }
        // KeyStore.getInstance(File, ...) tells PKCS12 from JKS by the file's content.
        try {
            return KeyStore.getInstance(file.toFile(), trust.password());
        } catch (IOException e) {
            // A wrong password shows as an IOException whose message may repeat nothing secret,
            // but say plainly what to check rather than pass it on.
            throw new IllegalArgumentException("redtask.redis.truststore: cannot read " + file
                    + " as a PKCS12 or JKS trust store (wrong redtask.redis.truststore-password?)");
        }
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

    private static final Pattern SECRET_PARAMETER = Pattern.compile("([?&][^=&]*password=)[^&]*");

    /**
     * The URL with any password replaced by {@code ***}, for logs and messages: the user
     * information up to the last {@code @} (a password may itself hold {@code @ : /}), the
     * password alone when a user is named, and password parameters of the query.
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String out = url;
        int start = out.indexOf("://");
        int at = out.lastIndexOf('@');
        if (start >= 0 && at > start) {
            String userInfo = out.substring(start + 3, at);
            int colon = userInfo.indexOf(':');
            // A user is shown, unless it holds an '@' and so may be part of a password after all.
            String shown = colon < 0 || userInfo.substring(0, colon).contains("@")
                    ? "***"
                    : userInfo.substring(0, colon) + ":***";
            out = out.substring(0, start + 3) + shown + out.substring(at);
        }
        Matcher m = SECRET_PARAMETER.matcher(out);
        return m.replaceAll("$1***");
    }
}
