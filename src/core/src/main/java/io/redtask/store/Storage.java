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

    /** Checks that the store answers. @throws io.redtask.StoreUnavailableException otherwise */
    void ping();

    /**
     * The store's own settings that decide whether tasks are safe there (for Redis:
     * {@code maxmemory-policy}, {@code appendonly}, {@code save}); a setting the store will not
     * tell is absent.
     */
    Map<String, String> durabilitySettings();

    /** Releases connections. */
    @Override
    void close();
}
