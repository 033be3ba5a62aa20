package io.redtask.cdi;

import io.redtask.StoreUnavailableException;
import io.redtask.TaskEvent;
import io.redtask.TaskHandler;
import io.redtask.engine.EngineBuilder;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.JsonCodec;
import io.redtask.engine.RedTaskEngine;
import io.redtask.jmx.RedTaskMBeans;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.logging.Logger;

/**
 * The engine of this application, built from MicroProfile Config with the server's managed
 * executors, started when the application starts and stopped (gracefully) when it stops.
 */
@ApplicationScoped
public class RedTaskRuntime {

    private static final Logger LOG = Logger.getLogger(RedTaskRuntime.class.getName());

    @Inject
    BeanManager beanManager;

    @Inject
    RedTaskExtension extension;

    @Inject
    Event<TaskEvent> events;

    // Written once under the lock, read on every submit without it.
    private volatile RedTaskEngine engine;
    private io.redtask.TaskScheduler scheduler;
    // Read once under the lock; volatile so the start-up and stop paths see it without it.
    private volatile RedTaskConfig config;
    private volatile QueueLimitsConfig queueLimits;
    private RedisStorage storage;
    private ManagedExecutorService workers;
    private java.util.concurrent.ScheduledExecutorService housekeeping;
    private java.util.concurrent.ScheduledThreadPoolExecutor ownThreads;
    private RedTaskMBeans mbeans;
    private java.util.concurrent.ScheduledFuture<?> mbeanRefresh;
    // Set at start-up, read at stop (another thread): volatile.
    private volatile LogHandlersAtExit logHandlers;

    /** The engine, built on first use. */
    public RedTaskEngine engine() {
        RedTaskEngine e = engine;
        if (e != null) {
            return e;
        }
        synchronized (this) {
            if (engine == null) {
                engine = build();
            }
            return engine;
        }
    }

    /**
     * The {@link io.redtask.TaskScheduler} applications inject: the engine, with submits made
     * inside a JTA transaction stored when it commits (see {@link TransactionalScheduler}).
     */
    public synchronized io.redtask.TaskScheduler scheduler() {
        if (scheduler == null) {
            RedTaskEngine e = engine();
            scheduler = new TransactionalScheduler(e, transactionRegistry(), housekeeping, config.txRetryFor());
        }
        return scheduler;
    }

    /** The server's transaction registry, or {@code null} when the server runs no JTA. */
    private static jakarta.transaction.TransactionSynchronizationRegistry transactionRegistry() {
        try {
            return (jakarta.transaction.TransactionSynchronizationRegistry)
                    new InitialContext().lookup("java:comp/TransactionSynchronizationRegistry");
        } catch (NamingException | ClassCastException e) {
            LOG.info("RedTask: no JTA transaction registry (" + e.getMessage() + "); submits are stored at once");
            return null;
        } catch (NoClassDefFoundError e) {
            return null;
        }
    }

    /**
     * The settings, read once from MicroProfile Config, with the worker executor's own limit of
     * concurrent tasks as the ceiling of the concurrency (so it is looked up here).
     */
    public synchronized RedTaskConfig config() {
        if (config == null) {
            org.eclipse.microprofile.config.Config mp = ConfigProvider.getConfig();
            workers = lookup(
                    RedTaskConfig.workerExecutor(mp),
                    "java:comp/DefaultManagedExecutorService",
                    ManagedExecutorService.class);
            java.util.OptionalInt limit = ExecutorLimit.of(workers);
            config = RedTaskConfig.from(mp, limit);
            queueLimits = QueueLimitsConfig.from(mp, config.engine().queues());
            RedTaskConfig.workersMax(mp)
                    .filter(max -> limit.isPresent() && max != limit.getAsInt())
                    .ifPresent(
                            max -> LOG.warning("RedTask: redtask.workers.max is " + max + " but the worker executor '"
                                    + config.workerExecutor() + "' runs at most " + limit.getAsInt() + " tasks at once "
                                    + "(its concurrencyPolicy max); " + limit.getAsInt() + " is the ceiling. Write "
                                    + "max=\"${redtask.workers.max}\" in server.xml to set both with one variable"));
        }
        return config;
    }

    /** The web layer's settings as they are now (they may change while the server runs). */
    public RedTaskConfig.Web web() {
        return RedTaskConfig.web(ConfigProvider.getConfig());
    }

    void onStartup(@Observes Startup event) {
        logHandlers = LogHandlersAtExit.remember();
        RedTaskEngine e = engine();
        try {
            config.queueLimits().forEach(e.admin()::setQueueConcurrency);
            queueLimits.rates().forEach(e.admin()::setQueueRate);
            queueLimits.groupConcurrency().forEach(e.admin()::setGroupConcurrency);
            extension.schedules().forEach(e::schedule);
        } catch (StoreUnavailableException ex) {
            // The application still starts; schedules are saved again at the next start.
            LOG.warning("RedTask: Redis is unreachable at start-up (" + ex.getMessage()
                    + "); queue limits and @Recurring schedules were not saved");
        }
        if (config.workersEnabled()) {
            e.start();
        } else {
            LOG.info("RedTask: workers disabled on this server (redtask.workers.enabled=false); it only submits");
        }
        registerMBeans(e);
    }

    /**
     * JMX for JConsole: the Workers and Cluster MBeans and one per queue. Queues appear when first
     * used on any server, so the list is looked at again every few seconds.
     */
    private synchronized void registerMBeans(RedTaskEngine e) {
        mbeans = new RedTaskMBeans(e.admin());
        java.util.Set<String> queues = new java.util.TreeSet<>(config.engine().queues());
        try {
            queues.addAll(e.admin().queueNames());
        } catch (StoreUnavailableException ex) {
            LOG.fine(() -> "RedTask: queue names not read yet: " + ex.getMessage());
        }
        mbeans.register(queues);
        RedTaskMBeans registered = mbeans;
        mbeanRefresh = housekeeping.scheduleWithFixedDelay(
                () -> {
                    try {
                        registered.addQueues(e.admin().queueNames());
                    } catch (RuntimeException ex) {
                        LOG.fine(() -> "RedTask: queue MBeans not refreshed: " + ex.getMessage());
                    }
                },
                5,
                5,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    void onShutdown(@Observes Shutdown event) {
        stop();
    }

    @PreDestroy
    synchronized void stop() {
        // On kill -TERM the JVM's logging reset may already have cut java.util.logging off from
        // messages.log: without this the stop would leave no line (see LogHandlersAtExit).
        if (logHandlers != null && logHandlers.restoreIfReset()) {
            LOG.fine(
                    "RedTask: java.util.logging was reset by the JVM's shutdown hook; its handlers are back for the stop");
        }
        if (mbeanRefresh != null) {
            mbeanRefresh.cancel(false);
            mbeanRefresh = null;
        }
        if (mbeans != null) {
            mbeans.close();
            mbeans = null;
        }
        if (engine != null) {
            engine.stop();
            // The fetchers leave their blocking waits within a poll interval; then the pool goes.
            engine.awaitLoops(config.engine().pollInterval().plusSeconds(2));
            if (ownThreads != null) {
                ownThreads.shutdownNow();
            }
            storage.close();
        }
    }

    /**
     * RedTask's own loops (fetchers, lease renewals, recovery, timeouts, cron) on threads of their
     * own, made by the server's ManagedThreadFactory (so they are managed threads with the
     * application's context): on the server's shared pool they would queue behind busy handlers
     * and request threads, and a lease renewal that waits longer than the lease makes a task run
     * twice. Falls back to the managed scheduled executor when no thread factory can be had.
     */
    private java.util.concurrent.ScheduledExecutorService housekeepingThreads(RedTaskConfig config) {
        try {
            jakarta.enterprise.concurrent.ManagedThreadFactory factory =
                    (jakarta.enterprise.concurrent.ManagedThreadFactory)
                            new InitialContext().lookup(config.housekeepingThreadFactory());
            // One thread per fetcher (they block briefly on Redis) and four for the periodic jobs.
            ownThreads = new java.util.concurrent.ScheduledThreadPoolExecutor(
                    config.engine().fetchers() + 4, factory);
            ownThreads.setRemoveOnCancelPolicy(true);
            return ownThreads;
        } catch (NamingException | ClassCastException e) {
            LOG.warning("RedTask: no ManagedThreadFactory at '" + config.housekeepingThreadFactory() + "' ("
                    + e.getMessage() + "); RedTask's loops share the server's threads through "
                    + config.housekeepingExecutor() + ", where busy handlers can delay lease renewals");
            return lookup(
                    config.housekeepingExecutor(),
                    "java:comp/DefaultManagedScheduledExecutorService",
                    ManagedScheduledExecutorService.class);
        }
    }

    private RedTaskEngine build() {
        RedTaskConfig config = config();
        Slf4jCheck.warnWithoutBinding();
        housekeeping = housekeepingThreads(config);
        JsonCodec codec = new JsonCodec();
        storage = RedisStorage.open(
                config.redisUrl(),
                config.redisPoolSize(),
                config.redisTimeout(),
                new Keys(config.keyPrefix()),
                config.engine(),
                config.redisTls().truststore(),
                config.redisTls().password());
        EngineBuilder builder = RedTaskEngine.builder()
                .storage(storage)
                .settings(config.engine())
                .codec(codec)
                .workers(workers)
                .housekeeping(housekeeping)
                .listener(events::fire)
                .tracing(TracingSupport.forApplication(config.traceLink()));
        for (Bean<?> handler : extension.handlers().values()) {
            builder.handler(registration(handler, codec, config.resultBytes()));
        }
        LOG.info(() -> "RedTask: Redis at " + RedisStorage.redact(config.redisUrl()) + ", key prefix '"
                + config.keyPrefix() + "', handlers " + extension.handlers().keySet());
        return builder.build();
    }

    /**
     * A registration that asks CDI for the handler bean on each run and releases it afterwards,
     * so {@code @Dependent} handlers are destroyed and normal-scoped ones are shared as usual.
     */
    private HandlerRegistration registration(Bean<?> bean, JsonCodec codec, int resultBytes) {
        return HandlerRegistration.annotated(bean.getBeanClass(), (payload, context) -> {
            CreationalContext<?> cc = beanManager.createCreationalContext(bean);
            Object result;
            try {
                @SuppressWarnings("unchecked")
                TaskHandler<Object, Object> handler =
                        (TaskHandler<Object, Object>) beanManager.getReference(bean, bean.getBeanClass(), cc);
                result = handler.handle(payload, context);
            } finally {
                cc.release();
            }
            checkResultSize(codec, result, resultBytes);
            return result;
        });
    }

    /**
     * A result is kept in Redis for hours and shown by every status read: one larger than
     * {@code redtask.limits.result-bytes} fails its task (not retried: the same work would give the
     * same result) with an error saying so, rather than fill Redis.
     */
    static void checkResultSize(JsonCodec codec, Object result, int resultBytes) {
        if (result == null) {
            return;
        }
        String json;
        try {
            json = codec.toJson(result);
        } catch (RuntimeException e) {
            // The engine reports results that cannot be written as JSON.
            return;
        }
        long bytes = json.length() > resultBytes
                ? json.length()
                : json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > resultBytes) {
            throw new io.redtask.NonRetryableException(
                    "the result is " + (json.length() > resultBytes ? "more than " + resultBytes : bytes)
                            + " bytes as JSON; at most " + resultBytes
                            + " are kept (redtask.limits.result-bytes)");
        }
    }

    private static <T> T lookup(String name, String fallback, Class<T> type) {
        try {
            return type.cast(new InitialContext().lookup(name));
        } catch (NamingException | ClassCastException e) {
            LOG.warning("RedTask: no " + type.getSimpleName() + " at '" + name + "' (" + e.getMessage() + "); using "
                    + fallback + ". Declare it in server.xml to bound RedTask's threads.");
            try {
                return type.cast(new InitialContext().lookup(fallback));
            } catch (NamingException e2) {
                throw new IllegalStateException(
                        "RedTask needs a " + type.getSimpleName() + "; neither '" + name + "' nor '" + fallback
                                + "' could be looked up",
                        e2);
            }
        }
    }
}
