package io.redtask.cdi;

import io.redtask.QueueNames;
import io.redtask.engine.Durability;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.RetryBackoff;
import io.redtask.engine.SubmitLimits;
import org.eclipse.microprofile.config.Config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * RedTask's settings from MicroProfile Config: the one place they are read. Each key can also be
 * given as an environment variable ({@code redtask.workers.concurrency} as
 * {@code REDTASK_WORKERS_CONCURRENCY}), in server.xml ({@code <variable>}) or in
 * {@code bootstrap.properties}. Durations are ISO-8601 ({@code PT30S}). The engine's defaults
 * come from {@link EngineSettings#DEFAULTS}, so each is written once.
 *
 * @param redisUrl             where Redis is ({@code redtask.redis.url})
 * @param redisPoolSize        most Redis connections at once for submits and reads
 * @param redisTimeout         connect and read timeout of Redis commands
 * @param keyPrefix            the first part of every Redis key
 * @param workersEnabled       whether this server runs tasks, or only submits
 * @param workerExecutor       JNDI name of the ManagedExecutorService handlers run on
 * @param housekeepingExecutor JNDI name of the ManagedScheduledExecutorService of RedTask's own loops
 * @param engine               the engine's settings
 * @param queueLimits          {@code redtask.queue.<name>.concurrency}: cluster-wide limits of this server's queues
 * @param web                  settings of the REST API, health checks and metrics
 * @param housekeepingThreadFactory JNDI name of the ManagedThreadFactory that makes the threads
 *                             of RedTask's own loops
 * @param txRetryFor           {@code redtask.tx.retry-for}: how long the write of a task whose
 *                             transaction committed is tried again while Redis does not answer
 * @param resultBytes          {@code redtask.limits.result-bytes}: most bytes of a handler's result as JSON;
 *                             a larger result fails the task (not retried) instead of being stored
 * @param redisTls             {@code redtask.redis.truststore} and {@code .truststore-password}: whom a
 *                             {@code rediss://} connection trusts (the JVM's default trust store when unset)
 * @param traceLink            {@code redtask.tracing.parent}: {@code child} (false, the default): an
 *                             attempt's span is a child of the submitter's; {@code link} (true): it
 *                             starts a trace of its own, linked to the submitter's span
 */
public record RedTaskConfig(
        String redisUrl,
        int redisPoolSize,
        Duration redisTimeout,
        String keyPrefix,
        boolean workersEnabled,
        String workerExecutor,
        String housekeepingExecutor,
        EngineSettings engine,
        Map<String, Integer> queueLimits,
        Web web,
        int resultBytes,
        RedisTls redisTls,
        Duration txRetryFor,
        String housekeepingThreadFactory,
        boolean traceLink) {

    /**
     * The trust store of TLS connections to Redis.
     *
     * @param truststore path of a PKCS12 or JKS file, or {@code null} for the JVM's default trust store
     * @param password   its password, or {@code null}
     */
    public record RedisTls(String truststore, String password) {
        @Override
        public String toString() {
            return "RedisTls[truststore=" + truststore + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /**
     * Bounds of what a submit may ask for ({@code redtask.limits.*}, {@code redtask.queues.allowed}):
     * the engine's, {@link EngineSettings#limits()}.
     *
     * @return the engine settings' limits
     */
    public SubmitLimits.Limits limits() {
        return engine.limits();
    }

    @Override
    public String toString() {
        // The URL may carry a password; the trust store's password is hidden by RedisTls.
        return "RedTaskConfig[redis=" + io.redtask.redis.RedisStorage.redact(redisUrl) + ", keyPrefix=" + keyPrefix
                + ", engine=" + engine + ", limits=" + limits() + ", redisTls=" + redisTls + "]";
    }

    static final String REDIS_URL = "redtask.redis.url";
    static final String QUEUES = "redtask.queues";
    static final String CONCURRENCY = "redtask.workers.concurrency";

    /**
     * Settings of the web layer.
     *
     * @param secureTasks          {@code redtask.rest.secure-tasks}: task endpoints need the submitter role
     * @param metricsCache         {@code redtask.metrics.cache}: how long queue gauges are reused
     * @param requireNoeviction    {@code redtask.health.require-noeviction}: readiness DOWN when Redis may evict
     * @param requirePersistence   {@code redtask.health.require-persistence}: readiness DOWN when Redis keeps nothing on disk
     * @param fetcherStall         {@code redtask.health.fetcher-stall}: liveness DOWN when a fetcher is stuck this long
     * @param bodyBytes            {@code redtask.limits.body-bytes}: most bytes of a request body (413 above)
     * @param maxPriority          {@code redtask.rest.max-priority}: highest priority a REST caller without
     *                             the admin role may ask for
     * @param allowedOrigins       {@code redtask.rest.allowed-origins}: origins besides the server's own that
     *                             may send state-changing requests (e.g. {@code https://tasks.example.com}
     *                             when a proxy in front changes the host name)
     * @param allowedHosts         {@code redtask.rest.allowed-hosts}: host names besides localhost and IP
     *                             literals accepted in the Host header of requests that arrive on loopback
     * @param httpsLogins          {@code redtask.rest.https-logins}: logins (admin pages, the dashboard,
     *                             secured task endpoints) only over HTTPS; scripts/run sets it when
     *                             the server listens beyond loopback
     * @param httpsPort            {@code redtask.https.port}: where HTTPS is, for redirects and messages
     */
    public record Web(
            boolean secureTasks,
            Duration metricsCache,
            boolean requireNoeviction,
            boolean requirePersistence,
            Duration fetcherStall,
            long bodyBytes,
            int maxPriority,
            List<String> allowedOrigins,
            List<String> allowedHosts,
            boolean httpsLogins,
            int httpsPort) {}

    /**
     * Reads every setting; the ceiling of the concurrency is {@code redtask.workers.max}.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static RedTaskConfig from(Config c) {
        return from(c, OptionalInt.empty());
    }

    /**
     * Reads every setting, with the worker executor's own limit of concurrent tasks when it is
     * known: that limit is the ceiling of the concurrency, whatever {@code redtask.workers.max} says.
     * An unset {@code redtask.workers.concurrency} is lowered to the ceiling when it is above it.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static RedTaskConfig from(Config c, OptionalInt executorMax) {
        EngineSettings d = EngineSettings.DEFAULTS;
        List<String> queues = Arrays.stream(c.getOptionalValue(QUEUES, String.class)
                        .orElse("default")
                        .split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .distinct()
                .toList();
        queues.forEach(q -> {
            if (!QueueNames.isValid(q)) {
                throw new IllegalArgumentException(
                        QUEUES + " contains '" + q + "': queue names are 1 to 64 characters from A-Z a-z 0-9 _ -");
            }
        });
        // The executor's own limit when it is known (a concurrencyPolicy max written as a number
        // in server.xml), else the variable the policy is meant to be written with.
        int max = executorMax.orElseGet(() -> workersMax(c).orElse(32));
        int concurrency = c.getOptionalValue(CONCURRENCY, Integer.class).orElse(Math.min(d.concurrency(), max));
        if (concurrency < 0 || concurrency > max) {
            throw new IllegalArgumentException(CONCURRENCY + " must be between 0 and "
                    + (executorMax.isPresent()
                            ? "the worker executor's concurrencyPolicy max ("
                            : "redtask.workers.max (")
                    + max
                    + "), was " + concurrency);
        }
        SubmitLimits.Limits dl = SubmitLimits.Limits.DEFAULTS;
        SubmitLimits.Limits limits = new SubmitLimits.Limits(
                c.getOptionalValue("redtask.limits.payload-bytes", Integer.class)
                        .orElse(dl.payloadBytes()),
                c.getOptionalValue("redtask.limits.json-depth", Integer.class).orElse(dl.jsonDepth()),
                c.getOptionalValue("redtask.limits.name-length", Integer.class).orElse(dl.nameLength()),
                duration(c, "redtask.limits.max-delay", dl.maxDelay()),
                duration(c, "redtask.limits.max-timeout", dl.maxTimeout()),
                c.getOptionalValue("redtask.limits.max-attempts", Integer.class).orElse(dl.maxAttempts()),
                java.util.Set.copyOf(list(c, "redtask.queues.allowed")),
                duration(c, "redtask.queues.known-cache", dl.knownQueuesAge()));
        limits.allowedQueues().forEach(q -> {
            String name = q.endsWith("*") ? q.substring(0, q.length() - 1) : q;
            if (!name.isEmpty() && !QueueNames.isValid(name)) {
                throw new IllegalArgumentException("redtask.queues.allowed contains '" + q
                        + "': queue names are 1 to 64 characters from A-Z a-z 0-9 _ -, optionally ending in * "
                        + "for every name starting so");
            }
        });
        EngineSettings engine = named(() -> EngineSettings.builder(
                        c.getOptionalValue("redtask.node-id", String.class).orElseGet(RedTaskConfig::defaultNodeId))
                .queues(queues)
                .concurrency(concurrency)
                .maxConcurrency(max)
                .lease(duration(c, "redtask.lease", d.lease()), duration(c, "redtask.heartbeat", d.heartbeatInterval()))
                .reaperInterval(duration(c, "redtask.reaper-interval", d.reaperInterval()))
                .pollInterval(duration(c, "redtask.poll-interval", d.pollInterval()))
                .claimBatch(
                        c.getOptionalValue("redtask.claim-batch", Integer.class).orElse(d.claimBatch()))
                .claimOnSubmit(c.getOptionalValue("redtask.claim-on-submit", Boolean.class)
                        .orElse(d.claimOnSubmit()))
                .shutdownGrace(duration(c, "redtask.shutdown-grace", d.shutdownGrace()))
                .retention(
                        duration(c, "redtask.keep.succeeded", d.keepSucceeded()),
                        duration(c, "redtask.keep.dead", d.keepDead()))
                .maxStalls(
                        c.getOptionalValue("redtask.max-stalls", Integer.class).orElse(d.maxStalls()))
                .backoff(new RetryBackoff(
                        duration(c, "redtask.retry.base", d.backoff().base()),
                        duration(c, "redtask.retry.cap", d.backoff().cap()),
                        c.getOptionalValue("redtask.retry.jitter", Double.class)
                                .orElse(d.backoff().jitter())))
                .idempotencyWindow(duration(c, "redtask.idempotency-window", d.idempotencyWindow()))
                .cronInterval(duration(c, "redtask.cron.interval", d.cronInterval()))
                .misfireThreshold(duration(c, "redtask.cron.misfire-threshold", d.misfireThreshold()))
                .watchInterval(duration(c, "redtask.watch-interval", d.watchInterval()))
                .nodeTtl(duration(c, "redtask.node-ttl", d.nodeTtl()))
                .outageBackoff(duration(c, "redtask.outage-backoff", d.outageBackoff()))
                .statsWindow(duration(c, "redtask.stats-window", d.statsWindow()))
                .promoteBatch(c.getOptionalValue("redtask.promote-batch", Integer.class)
                        .orElse(d.promoteBatch()))
                .servedCheck(duration(c, "redtask.served-check", d.servedCheck()))
                .memoryHighWater(c.getOptionalValue("redtask.memory.high-water", Double.class)
                        .orElse(d.memoryHighWater()))
                .durability(Durability.parse(
                        c.getOptionalValue("redtask.durability", String.class).orElse("async"),
                        duration(c, "redtask.durability-timeout", d.durability().timeout())))
                .limits(limits)
                .apply(b -> queueShards(c, queues).forEach(b::queueShards))
                .build());
        Map<String, Integer> queueLimits = new TreeMap<>();
        for (String q : queues) {
            c.getOptionalValue("redtask.queue." + q + ".concurrency", Integer.class)
                    .ifPresent(n -> queueLimits.put(q, n));
        }
        Duration redisTimeout = duration(c, "redtask.redis.timeout", Duration.ofSeconds(2));
        if (engine.durability().mode() != Durability.Mode.ASYNC
                && engine.durability().timeout().compareTo(redisTimeout) >= 0) {
            // The confirmation is awaited on the connection: it must come before the read times out.
            throw new IllegalArgumentException(
                    "redtask.durability-timeout (" + engine.durability().timeout()
                            + ") must be shorter than redtask.redis.timeout (" + redisTimeout + ")");
        }
        Web web = web(c);
        int resultBytes =
                c.getOptionalValue("redtask.limits.result-bytes", Integer.class).orElse(DEFAULT_RESULT_BYTES);
        if (resultBytes < 16) {
            throw new IllegalArgumentException("redtask.limits.result-bytes must be at least 16, was " + resultBytes);
        }
        RedisTls tls = new RedisTls(
                c.getOptionalValue("redtask.redis.truststore", String.class).orElse(null),
                c.getOptionalValue("redtask.redis.truststore-password", String.class)
                        .orElse(null));
        return new RedTaskConfig(
                c.getOptionalValue(REDIS_URL, String.class).orElse("redis://127.0.0.1:6379"),
                // For submits and reads (request threads); workers and RedTask's own loops have
                // pools of their own, sized from the concurrency ceiling (RedisStorage.open).
                c.getOptionalValue("redtask.redis.pool-size", Integer.class).orElse(32),
                redisTimeout,
                c.getOptionalValue("redtask.key-prefix", String.class).orElse("redtask"),
                c.getOptionalValue("redtask.workers.enabled", Boolean.class).orElse(true),
                workerExecutor(c),
                c.getOptionalValue("redtask.housekeeping.executor", String.class)
                        .orElse("concurrent/redtaskScheduler"),
                engine,
                Map.copyOf(queueLimits),
                web,
                resultBytes,
                tls,
                duration(c, "redtask.tx.retry-for", Duration.ofMinutes(1)),
                c.getOptionalValue("redtask.housekeeping.thread-factory", String.class)
                        .orElse("java:comp/DefaultManagedThreadFactory"),
                traceLink(c));
    }

    private static final java.util.regex.Pattern SHARDS_KEY =
            java.util.regex.Pattern.compile("redtask\\.queue\\.([A-Za-z0-9_-]{1,64})\\.shards");

    /**
     * {@code redtask.queue.<q>.shards}, for this server's queues and any other queue it is set
     * for (a server that only submits to a sharded queue must know its shards too).
     */
    static Map<String, Integer> queueShards(Config c, List<String> queues) {
        java.util.Set<String> names = new java.util.TreeSet<>(queues);
        for (String key : c.getPropertyNames()) {
            java.util.regex.Matcher m = SHARDS_KEY.matcher(key);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        Map<String, Integer> out = new TreeMap<>();
        for (String q : names) {
            String key = "redtask.queue." + q + ".shards";
            c.getOptionalValue(key, String.class).map(String::strip).ifPresent(v -> {
                int n;
                try {
                    n = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || n > io.redtask.store.ShardNames.MAX_SHARDS) {
                    throw new IllegalArgumentException(key + " must be a whole number from 1 to "
                            + io.redtask.store.ShardNames.MAX_SHARDS + ", was '" + v + "'");
                }
                out.put(q, n);
            });
        }
        return out;
    }

    /** {@code redtask.tracing.parent}: {@code child} or {@code link}. */
    private static boolean traceLink(Config c) {
        String parent = c.getOptionalValue("redtask.tracing.parent", String.class)
                .orElse("child")
                .strip()
                .toLowerCase(java.util.Locale.ROOT);
        return switch (parent) {
            case "child" -> false;
            case "link" -> true;
            default ->
                throw new IllegalArgumentException(
                        "redtask.tracing.parent must be child or link, was '" + parent + "'");
        };
    }

    /** Default of {@code redtask.limits.result-bytes}: 512 KB, like a payload. */
    static final int DEFAULT_RESULT_BYTES = 512 * 1024;

    /** Default of {@code redtask.limits.body-bytes}: 1 MB. */
    static final long DEFAULT_BODY_BYTES = 1024 * 1024;

    /** Default of {@code redtask.rest.max-priority}. */
    static final int DEFAULT_MAX_PRIORITY = 100;

    private static List<String> list(Config c, String key) {
        return Arrays.stream(c.getOptionalValue(key, String.class).orElse("").split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .distinct()
                .toList();
    }

    /** {@code redtask.workers.executor}: the JNDI name of the handlers' ManagedExecutorService. */
    static String workerExecutor(Config c) {
        return c.getOptionalValue("redtask.workers.executor", String.class).orElse("concurrent/redtaskWorkers");
    }

    /** {@code redtask.workers.max}, when it is set. */
    static java.util.Optional<Integer> workersMax(Config c) {
        return c.getOptionalValue("redtask.workers.max", Integer.class);
    }

    /**
     * The web layer's settings as they are now: they may change while the server runs (a
     * server.xml variable edited in place), so the web layer reads them per use.
     */
    public static Web web(Config c) {
        return new Web(
                c.getOptionalValue("redtask.rest.secure-tasks", Boolean.class).orElse(false),
                duration(c, "redtask.metrics.cache", Duration.ofSeconds(2)),
                c.getOptionalValue("redtask.health.require-noeviction", Boolean.class)
                        .orElse(true),
                c.getOptionalValue("redtask.health.require-persistence", Boolean.class)
                        .orElse(false),
                duration(c, "redtask.health.fetcher-stall", Duration.ofSeconds(30)),
                positive(c, "redtask.limits.body-bytes", DEFAULT_BODY_BYTES),
                c.getOptionalValue("redtask.rest.max-priority", Integer.class).orElse(DEFAULT_MAX_PRIORITY),
                list(c, "redtask.rest.allowed-origins").stream()
                        .map(o -> o.toLowerCase(java.util.Locale.ROOT).replaceFirst("/+$", ""))
                        .toList(),
                list(c, "redtask.rest.allowed-hosts").stream()
                        .map(h -> h.toLowerCase(java.util.Locale.ROOT))
                        .toList(),
                c.getOptionalValue("redtask.rest.https-logins", Boolean.class).orElse(false),
                c.getOptionalValue("redtask.https.port", Integer.class).orElse(9443));
    }

    private static long positive(Config c, String key, long fallback) {
        long v = c.getOptionalValue(key, Long.class).orElse(fallback);
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be positive, was " + v);
        }
        return v;
    }

    /** The engine settings' own names for what a key sets, so their errors can name the key. */
    private static final Map<String, String> KEYS_OF_FIELDS = Map.ofEntries(
            Map.entry("claimBatch", "redtask.claim-batch"),
            Map.entry("maxStalls", "redtask.max-stalls"),
            Map.entry("heartbeatInterval", "redtask.heartbeat"),
            Map.entry("lease", "redtask.lease"),
            Map.entry("reaperInterval", "redtask.reaper-interval"),
            Map.entry("pollInterval", "redtask.poll-interval"),
            Map.entry("keepSucceeded", "redtask.keep.succeeded"),
            Map.entry("keepDead", "redtask.keep.dead"),
            Map.entry("idempotencyWindow", "redtask.idempotency-window"),
            Map.entry("cronInterval", "redtask.cron.interval"),
            Map.entry("misfireThreshold", "redtask.cron.misfire-threshold"),
            Map.entry("watchInterval", "redtask.watch-interval"),
            Map.entry("nodeTtl", "redtask.node-ttl"),
            Map.entry("outageBackoff", "redtask.outage-backoff"),
            Map.entry("statsWindow", "redtask.stats-window"),
            Map.entry("servedCheck", "redtask.served-check"),
            Map.entry("shutdownGrace", "redtask.shutdown-grace"),
            Map.entry("promoteBatch", "redtask.promote-batch"),
            Map.entry("memoryHighWater", "redtask.memory.high-water"),
            Map.entry("backoff", "redtask.retry.base, redtask.retry.cap, redtask.retry.jitter"),
            Map.entry("concurrency", CONCURRENCY));

    private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile(
            "(?<![.\\w-])(" + String.join("|", KEYS_OF_FIELDS.keySet()) + ")(?![\\w-])");

    /** Builds the engine settings; an error names the configuration keys, not the settings' fields. */
    private static EngineSettings named(java.util.function.Supplier<EngineSettings> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            java.util.regex.Matcher m = FIELD.matcher(message);
            StringBuilder named = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(named, java.util.regex.Matcher.quoteReplacement(KEYS_OF_FIELDS.get(m.group(1))));
            }
            m.appendTail(named);
            throw new IllegalArgumentException(named.toString(), e);
        }
    }

    private static Duration duration(Config c, String key, Duration fallback) {
        String text = c.getOptionalValue(key, String.class).orElse(null);
        if (text == null) {
            return fallback;
        }
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + " must be an ISO-8601 duration such as PT30S, was '" + text + "'", e);
        }
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-"
                + Long.toString(System.nanoTime() & 0xfffff, 36);
    }
}
