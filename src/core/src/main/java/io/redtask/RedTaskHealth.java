package io.redtask;

/**
 * How RedTask is doing on this server, for health checks: inject it like {@link TaskScheduler}.
 * Neither method throws when Redis is down; they say so.
 */
public interface RedTaskHealth {

    /**
     * Pings Redis and reads its durability settings.
     *
     * @return whether Redis answers, and how safe tasks are there
     */
    RedisHealth redis();

    /**
     * This server's workers and fetch loops.
     *
     * @return how the workers are doing
     */
    WorkerHealth workers();
}
