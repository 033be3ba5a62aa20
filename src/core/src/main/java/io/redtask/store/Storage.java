package io.redtask.store;

import java.util.Map;

/**
 * Everything the engine keeps outside itself, by concern: tasks, queues, schedules, servers. One
 * implementation per kind of store (Redis); the engine sees only these interfaces.
 */
public interface Storage extends AutoCloseable {

    TaskStore tasks();

    QueueStore queues();

    ScheduleStore schedules();

    NodeRegistry nodes();

    /** Batches of tasks with a completion callback. */
    default BatchStore batches() {
        throw new UnsupportedOperationException("this storage keeps no batches");
    }

    /**
     * The same storage over connections of its own, for the engine's housekeeping (lease
     * renewals, recovery, heartbeats), so that nothing else can starve the renewals that keep
     * leases alive. Closed with this storage.
     */
    default Storage housekeeping() {
        return this;
    }

    /**
     * The same storage over connections of its own, for the workers (claims, outcomes), so that
     * a flood of submits or operators' requests on this storage cannot hold up running tasks.
     * Closed with this storage.
     */
    default Storage workers() {
        return this;
    }

    /** Checks that the store answers. @throws io.redtask.StoreUnavailableException otherwise */
    void ping();

    /**
     * The store's own settings that decide whether tasks are safe there (for Redis:
     * {@code maxmemory-policy}, {@code appendonly}, {@code save}); a setting the store will not
     * tell is absent.
     */
    Map<String, String> durabilitySettings();

    /** The store's memory use and limit, when it will say (empty otherwise: no guard applies). */
    default java.util.Optional<MemoryUse> memoryUse() {
        return java.util.Optional.empty();
    }

    /** Releases connections. */
    @Override
    void close();
}
