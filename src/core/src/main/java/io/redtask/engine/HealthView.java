package io.redtask.engine;

import io.redtask.RedTaskHealth;
import io.redtask.RedisHealth;
import io.redtask.StoreUnavailableException;
import io.redtask.WorkerHealth;
import io.redtask.store.Storage;

import java.util.Map;

/** {@link RedTaskHealth} from the engine's parts. */
final class HealthView implements RedTaskHealth {

    private final Storage storage;
    private final Workers workers;
    private final Watchdog watchdog;
    private final FetcherMonitor fetchers;
    private final Lifecycle lifecycle;
    private final EngineSettings settings;

    HealthView(
            Storage storage,
            Workers workers,
            Watchdog watchdog,
            FetcherMonitor fetchers,
            Lifecycle lifecycle,
            EngineSettings settings) {
        this.storage = storage;
        this.workers = workers;
        this.watchdog = watchdog;
        this.fetchers = fetchers;
        this.lifecycle = lifecycle;
        this.settings = settings;
    }

    @Override
    public RedisHealth redis() {
        try {
            storage.ping();
            return new RedisHealth(true, null, storage.durabilitySettings());
        } catch (StoreUnavailableException e) {
            return new RedisHealth(false, String.valueOf(e.getMessage()), Map.of());
        }
    }

    @Override
    public WorkerHealth workers() {
        boolean running = lifecycle.isRunning();
        return new WorkerHealth(
                running,
                workers.paused(),
                workers.concurrency(),
                workers.busy(),
                running ? fetchers.idleMillis(settings.queues()) : 0,
                watchdog.stuck());
    }
}
