package io.redtask.engine;

import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds engines on a test's redis-server with plain executors, under one key prefix per
 * fixture, and stops and closes everything it built.
 */
final class EngineFixture implements AutoCloseable {

    private final String url;
    private final String prefix = "t" + UUID.randomUUID();
    private final List<RedTaskEngine> engines = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<RedisStorage> stores = new ArrayList<>();

    private int poolSize = 32;
    private SubmitLimits.Limits limits;

    EngineFixture(String url) {
        this.url = url;
    }

    /** The main connection pool size of the engines built from now on (32 unless set). */
    EngineFixture poolSize(int size) {
        this.poolSize = size;
        return this;
    }

    /** The submit limits of the engines built from now on (each settings' own unless set). */
    EngineFixture limits(SubmitLimits.Limits l) {
        this.limits = l;
        return this;
    }

    RedisStorage store() {
        return store(Duration.ofHours(1), Duration.ofDays(1));
    }

    RedisStorage store(Duration keepSucceeded, Duration keepDead) {
        RedisStorage store = RedisStorage.open(
                url,
                32,
                Duration.ofSeconds(2),
                new Keys(prefix),
                EngineSettings.builder("store")
                        .retention(keepSucceeded, keepDead)
                        .build());
        stores.add(store);
        return store;
    }

    /** A started engine; {@code setup} adds handlers and changes settings. */
    RedTaskEngine engine(
            String node, Clock clock, EngineSettings.Builder settingsBuilder, Consumer<EngineBuilder> setup) {
        RedTaskEngine engine = unstarted(node, clock, settingsBuilder, setup);
        engine.start();
        return engine;
    }

    /** An engine that can submit and read but runs nothing until started. */
    RedTaskEngine unstarted(
            String node, Clock clock, EngineSettings.Builder settingsBuilder, Consumer<EngineBuilder> setup) {
        return unstarted(url, Duration.ofSeconds(2), node, clock, settingsBuilder, setup);
    }

    /**
     * An unstarted engine that reaches Redis at {@code redisUrl} (a {@code TcpProxy} in front of
     * the test's Redis, say) with this read timeout, under the fixture's key prefix.
     */
    RedTaskEngine unstarted(
            String redisUrl,
            Duration timeout,
            String node,
            Clock clock,
            EngineSettings.Builder settingsBuilder,
            Consumer<EngineBuilder> setup) {
        if (limits != null) {
            settingsBuilder.limits(limits);
        }
        EngineSettings settings = settingsBuilder.nodeId(node).build();
        // Unbounded: the engine's own slots decide how many run, as when an operator raises them.
        ExecutorService workers = Executors.newCachedThreadPool();
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(settings.fetchers() + 4);
        executors.add(workers);
        executors.add(housekeeping);
        RedisStorage storage = RedisStorage.open(redisUrl, poolSize, timeout, new Keys(prefix), settings);
        stores.add(storage);
        EngineBuilder b = RedTaskEngine.builder()
                .storage(storage)
                .clock(clock)
                .settings(settings)
                .workers(workers)
                .housekeeping(housekeeping);
        setup.accept(b);
        RedTaskEngine engine = b.build();
        engines.add(engine);
        return engine;
    }

    static EngineSettings.Builder settings(String node) {
        // Short poll so that stop is quick; no backoff so that retries run at once.
        return EngineSettings.builder(node)
                .pollInterval(Duration.ofMillis(200))
                .backoff(new RetryBackoff(Duration.ZERO, Duration.ZERO, 0))
                .shutdownGrace(Duration.ofSeconds(5));
    }

    @Override
    public void close() throws InterruptedException {
        engines.forEach(RedTaskEngine::stop);
        // A fetch loop that never stops is a bug the test must not hide.
        List<String> stuck = engines.stream()
                .filter(e -> !e.awaitLoops(Duration.ofSeconds(5)))
                .map(e -> e.admin().nodeId())
                .toList();
        for (ExecutorService e : executors) {
            e.shutdownNow();
            e.awaitTermination(5, TimeUnit.SECONDS);
        }
        stores.forEach(RedisStorage::close);
    }
}
