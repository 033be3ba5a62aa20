package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.JsonCodec;
import io.redtask.store.NodeRegistry;
import io.redtask.store.QueueStore;
import io.redtask.store.ScheduleStore;
import io.redtask.store.Storage;
import io.redtask.store.TaskStore;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.redtask.redis.RedisCalls.call;

/**
 * {@link Storage} on one Redis (a server, a Sentinel-watched master or a Cluster): owns the
 * connection pool and hands out the stores of each concern. The only way into this package from
 * outside, so no Jedis type is seen anywhere else.
 */
public final class RedisStorage implements Storage {

    private final UnifiedJedis redis;
    private final Keys keys;
    private final RedisTaskStore tasks;
    private final RedisQueueStore queues;
    private final RedisScheduleStore schedules;
    private final RedisNodeRegistry nodes;
    private final RedisBatchStore batches;
    private final RedisStorage housekeeping;
    private final RedisStorage workers;

    RedisStorage(
            UnifiedJedis redis,
            UnifiedJedis workersRedis,
            UnifiedJedis housekeepingRedis,
            Keys keys,
            EngineSettings settings) {
        this(
                redis,
                keys,
                settings,
                new RedisStorage(workersRedis, keys, settings, null, null),
                new RedisStorage(housekeepingRedis, keys, settings, null, null));
    }

    private RedisStorage(
            UnifiedJedis redis, Keys keys, EngineSettings settings, RedisStorage workers, RedisStorage housekeeping) {
        this.workers = workers;
        this.housekeeping = housekeeping;
        this.redis = redis;
        this.keys = keys;
        JsonCodec json = new JsonCodec();
        StoreSettings s = StoreSettings.of(settings, redis instanceof redis.clients.jedis.RedisClusterClient);
        ScriptRunner scripts = new ScriptRunner(redis, true);
        this.queues = new RedisQueueStore(redis, scripts, keys, s);
        this.tasks = new RedisTaskStore(redis, scripts, keys, queues, s);
        this.queues.readTasksFrom(tasks);
        this.schedules = new RedisScheduleStore(redis, scripts, keys, json);
        this.nodes = new RedisNodeRegistry(redis, keys, json);
        this.batches = new RedisBatchStore(redis, scripts, keys, queues, s);
    }

    /**
     * Opens storage on the Redis at {@code url} (see {@link RedisConnections#open} for the URL
     * forms). No connection is made until the first command.
     *
     * @param poolSize most connections at once (per node for a cluster)
     * @param timeout  connect and read timeout of ordinary commands
     * @param keys     the key names (their prefix lets several applications share a Redis)
     * @param settings the engine settings the store applies: retention, stalls, counters
     * @throws IllegalArgumentException naming the problem when the URL is not usable
     */
    public static RedisStorage open(String url, int poolSize, Duration timeout, Keys keys, EngineSettings settings) {
        return open(url, poolSize, timeout, keys, settings, RedisConnections.Trust.DEFAULT);
    }

    private static RedisStorage open(
            String url,
            int poolSize,
            Duration timeout,
            Keys keys,
            EngineSettings settings,
            RedisConnections.Trust trust) {
        // Three pools, so that one kind of traffic cannot starve another: poolSize connections
        // for submits and reads (what HTTP requests do); one per worker at the most concurrency
        // an operator may set, and one per fetcher, for claims and outcomes; and a few for lease
        // renewals, recovery and heartbeats.
        int workerConnections = Math.min(settings.maxConcurrency(), MAX_WORKER_CONNECTIONS) + settings.fetchers() + 2;
        return new RedisStorage(
                RedisConnections.open(url, poolSize, timeout, trust),
                RedisConnections.open(url, workerConnections, timeout, trust),
                RedisConnections.open(url, HOUSEKEEPING_CONNECTIONS, timeout, trust),
                keys,
                settings);
    }

    /** Connections of the housekeeping pool: lease keeper, reaper, watchdog, cron, and one spare. */
    private static final int HOUSEKEEPING_CONNECTIONS = 5;
    /** A ceiling on the workers' pool when the concurrency ceiling is set very high. */
    private static final int MAX_WORKER_CONNECTIONS = 256;

    @Override
    public Storage housekeeping() {
        return housekeeping == null ? this : housekeeping;
    }

    @Override
    public Storage workers() {
        return workers == null ? this : workers;
    }

    /**
     * The same, with the trust store of {@code rediss://} connections: {@code truststore} (a
     * PKCS12 or JKS file) and its password, or {@code null} for the JVM's default trust store.
     */
    public static RedisStorage open(
            String url,
            int poolSize,
            Duration timeout,
            Keys keys,
            EngineSettings settings,
            String truststore,
            String truststorePassword) {
        RedisConnections.Trust trust = truststore == null || truststore.isBlank()
                ? RedisConnections.Trust.DEFAULT
                : new RedisConnections.Trust(
                        java.nio.file.Path.of(truststore),
                        truststorePassword == null ? null : truststorePassword.toCharArray());
        return open(url, poolSize, timeout, keys, settings, trust);
    }

    /** {@code url} with any password replaced by {@code ***}, for logs. */
    public static String redact(String url) {
        return RedisConnections.redact(url);
    }

    @Override
    public TaskStore tasks() {
        return tasks;
    }

    @Override
    public QueueStore queues() {
        return queues;
    }

    @Override
    public ScheduleStore schedules() {
        return schedules;
    }

    @Override
    public NodeRegistry nodes() {
        return nodes;
    }

    @Override
    public io.redtask.store.BatchStore batches() {
        return batches;
    }

    /** The key names this storage uses. */
    public Keys keys() {
        return keys;
    }

    @Override
    public void ping() {
        call(redis::ping);
    }

    @Override
    public Map<String, String> durabilitySettings() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : List.of("maxmemory-policy", "appendonly", "save")) {
            try {
                out.putAll(call(() -> redis.configGet(name)));
            } catch (StoreUnavailableException e) {
                throw e;
            } catch (RuntimeException e) {
                // CONFIG is renamed or forbidden here, or not routable (a cluster): not knowing
                // is not a failure.
            }
        }
        return out;
    }

    @Override
    public java.util.Optional<io.redtask.store.MemoryUse> memoryUse() {
        if (redis instanceof redis.clients.jedis.RedisClusterClient) {
            return java.util.Optional.empty(); // one INFO would speak for one master only
        }
        String info;
        try {
            info = call(() -> redis.info("memory"));
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return java.util.Optional.empty(); // INFO renamed or forbidden here
        }
        long used = -1;
        long max = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                used = Long.parseLong(line.substring("used_memory:".length()).strip());
            } else if (line.startsWith("maxmemory:")) {
                max = Long.parseLong(line.substring("maxmemory:".length()).strip());
            }
        }
        return used < 0 ? java.util.Optional.empty() : java.util.Optional.of(new io.redtask.store.MemoryUse(used, max));
    }

    @Override
    public void close() {
        redis.close();
        if (workers != null) {
            workers.close();
        }
        if (housekeeping != null) {
            housekeeping.close();
        }
    }

    /** The client, for tests in this package's test tree that look at Redis directly. */
    UnifiedJedis redis() {
        return redis;
    }
}
